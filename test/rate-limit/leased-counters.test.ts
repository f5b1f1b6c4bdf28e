import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDatabase, pgPoolOf } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createRateLimits, type RateLimits } from '../../src/rate-limit/rate-limits.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * Limits shared by replicas through PostgreSQL, spent from leases: two instances of the limits on
 * one database stand for two replicas. Together they never admit more than the limit; each waits
 * for the database only when its lease is spent.
 */
describe.runIf(process.env.TEST_DATABASE === 'postgres')('shared limits, leased', () => {
  let database: TestDatabase;
  let db: Db;
  let statements = 0;
  const limits = (perMinute: number): RateLimits =>
    createRateLimits(
      { networkPerMinute: perMinute, authFailuresPerMinute: perMinute, pairingPerMinute: perMinute, agentPerMinute: perMinute, launcherPerMinute: perMinute, oauthPerMinute: perMinute },
      { pool: pgPoolOf(db) },
    );
  const admitted = async (replica: RateLimits, key: string) =>
    replica.consume('agent', key).then(
      () => true,
      (error: { code?: string }) => {
        if (error.code !== 'RATE_LIMITED') throw error;
        return false;
      },
    );

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    db = await openDatabase(database.config);
    await migrateToLatest(db);
    const pool = pgPoolOf(db)!;
    const counted = new WeakSet<object>();
    pool.on('acquire', (client) => {
      if (counted.has(client)) return;
      counted.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: unknown }).query = (...args: unknown[]) => {
        statements += 1;
        return query(...args);
      };
    });
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  it('admits at most the limit across replicas, and asks the database once per lease', async () => {
    const [a, b] = [limits(100), limits(100)];
    const before = statements;
    const outcomes: boolean[] = [];
    for (let call = 0; call < 120; call += 1) outcomes.push(await admitted(call % 2 === 0 ? a : b, 'token-1'));
    const allowed = outcomes.filter(Boolean).length;
    expect(allowed).toBeLessThanOrEqual(100);
    // Each replica may still hold part of one lease (10 points) when the other is refused.
    expect(allowed).toBeGreaterThanOrEqual(100 - 2 * 9);
    // Every refusal comes after every admission: once spent, the window stays spent.
    expect(outcomes.slice(outcomes.indexOf(false)).every((outcome) => !outcome)).toBe(true);
    // About one statement per lease of 10, plus one per replica to learn that nothing is left.
    expect(statements - before).toBeLessThanOrEqual(100 / 10 + 2 + 2);
  });

  it('tells a replica that another one spent the allowance, without spending', async () => {
    const [a, b] = [limits(3), limits(3)];
    for (let call = 0; call < 3; call += 1) expect(await admitted(a, 'token-2')).toBe(true);
    expect(await a.spent('agent', 'token-2')).toMatchObject({ tier: 'agent', remaining: 0 });
    expect(await b.spent('agent', 'token-2')).toMatchObject({ tier: 'agent', remaining: 0 });
    expect(await b.spent('agent', 'token-3')).toBeNull();
    expect(await admitted(b, 'token-2')).toBe(false);
  });
});
