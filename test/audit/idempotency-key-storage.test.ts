import { randomUUID } from 'node:crypto';
import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import type { Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { insertAgent } from '../../src/db/repositories/agents.js';
import { canonicalJson, runIdempotent } from '../../src/idempotency/idempotency.js';
import { sha256Hex } from '../../src/tasker/signing.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { runOperation } from '../support/gateway.js';
import { DEMO, startTestStack, type TestStack } from '../support/stack.js';

/** Every row of a table as the database holds it, one JSON text per row: what a database reader would see. */
async function tableText(db: Db, table: 'idempotency_keys' | 'audit_events'): Promise<string> {
  const { rows } = await sql<{ row: string }>`select row_to_json(t)::text as row from ${sql.table(table)} t`.execute(db);
  return rows.map((row) => row.row).join('\n');
}

describe('idempotency keys at rest', () => {
  let stack: TestStack;
  let agent: { agentId: string; token: string };

  beforeAll(async () => {
    stack = await startTestStack();
    agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ', 'ISSUES_WRITE'] });
  });
  afterAll(() => stack.close());

  const create = (key: string) =>
    runOperation<{ createIssue: { issue: { id: string } } }>(stack.gateway, 'CreateIssue', {
      token: agent.token,
      variables: { input: { projectId: DEMO.id, title: 'Stored by hash', idempotencyKey: key } },
    });

  it('stores and audits only a hash of the key, and still replays the answer', async () => {
    const key = `plain-key-${randomUUID()}`;
    const first = await create(key);
    expect(first.errors).toBeUndefined();
    const requestsAfterFirst = stack.proxy.seen.length;
    const replay = await create(key);
    expect(replay.data).toEqual(first.data);
    expect(stack.proxy.seen.length).toBe(requestsAfterFirst);

    const keys = await tableText(stack.gateway.db, 'idempotency_keys');
    expect(keys).toContain(agent.agentId);
    expect(keys).not.toContain(key);
    expect(keys).not.toContain(key.slice('plain-key-'.length));
    const audit = await tableText(stack.gateway.db, 'audit_events');
    expect(audit).toContain(first.data!.createIssue.issue.id);
    expect(audit).not.toContain(key.slice('plain-key-'.length));
  });

  it('keeps keys apart per agent even though only hashes are stored', async () => {
    const other = await stack.agentWith({ [DEMO.id]: ['ISSUES_WRITE'] }, 'Other agent');
    const key = `shared-${randomUUID()}`;
    const mine = await create(key);
    const theirs = await runOperation<{ createIssue: { issue: { id: string } } }>(stack.gateway, 'CreateIssue', {
      token: other.token,
      variables: { input: { projectId: DEMO.id, title: 'Stored by hash', idempotencyKey: key } },
    });
    expect(theirs.errors).toBeUndefined();
    expect(theirs.data!.createIssue.issue.id).not.toBe(mine.data!.createIssue.issue.id);
  });
});

describe('migration 0008: keys stored before it', () => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await database.open();
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  it('hashes the keys it finds, so their answers still replay and the keys are gone', async () => {
    const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0008_'));
    const migrator = new Migrator({ db, provider: { getMigrations: async () => before }, allowUnorderedMigrations: true });
    const partial = await migrator.migrateToLatest();
    expect(partial.error).toBeUndefined();

    const agentId = (await insertAgent(db, { ownerUserId: 'u', ownerEmail: 'u@example.test', displayName: 'before 0008' })).id;
    const key = `legacy-${randomUUID()}`;
    const input = { projectId: 'p', title: 't' };
    // A completed key as the gateway wrote it before 0008: the key in plain.
    await sql`
      insert into idempotency_keys (agent_id, key, operation, request_hash, status, response, expires_at)
      values (${agentId}, ${key}, 'createIssue', ${sha256Hex(`createIssue\n${canonicalJson(input)}`)}, 'completed', ${JSON.stringify({ id: 'stored' })}, ${new Date(Date.now() + 3_600_000)})
    `.execute(db);

    await migrateToLatest(db);

    expect(await tableText(db, 'idempotency_keys')).not.toContain(key.slice('legacy-'.length));
    const replayed = await runIdempotent(db, () => new Date(), { agentId, key, operation: 'createIssue', input }, async () => ({ id: 'ran again' }));
    expect(replayed).toEqual({ result: { id: 'stored' }, replayed: true });
  });
});
