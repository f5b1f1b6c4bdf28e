import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { insertAgent } from '../../src/db/repositories/agents.js';
import { answerIdempotencyKey, noteAnswerIdempotencyKey } from '../../src/idempotency/answer-key.js';
import { ABANDONED_CLAIM_MS, canonicalJson, IDEMPOTENCY_TTL_MS, IdempotencyKeySchema, runIdempotent } from '../../src/idempotency/idempotency.js';
import { idempotencyKeyHash } from '../../src/idempotency/key-hash.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { until } from '../support/wait.js';

/**
 * The idempotency rules at their edges, on a real database with a movable clock: the canonical
 * form that decides "same input", the 24-hour life of a key, and the takeover of a claim whose
 * call died. The end-to-end behaviour is in test/e2e/idempotency.test.ts and write-effects.
 */
let database: TestDatabase;
let db: Db;
let agentId: string;
let clock = Date.now();
const now = () => new Date(clock);

beforeAll(async () => {
  database = await createTestDatabase();
  db = await database.open();
  await migrateToLatest(db);
  agentId = (await insertAgent(db, { ownerUserId: 'u', ownerEmail: 'u@example.test', displayName: 'idempotency' })).id;
});
afterAll(async () => {
  await db.destroy();
  await database.drop();
});

let counter = 0;
const freshKey = () => `key-${(counter += 1)}`;
const run = (key: string, input: unknown, result: unknown = { n: counter }, operation = 'createIssue') =>
  runIdempotent(db, now, { agentId, key, operation, input }, async () => result);

describe('canonicalJson', () => {
  it('sorts object keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined, x: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,{"x":null,"z":1}]},"b":1}');
  });

  it('keeps array order and tells apart values JSON would confuse', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
    expect(canonicalJson({ a: '1' })).not.toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson({ a: null })).not.toBe(canonicalJson({}));
    expect(canonicalJson('x')).toBe('"x"');
    expect(canonicalJson(null)).toBe('null');
  });

  it('orders keys by code unit, not by locale', () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3 })).toBe('{"B":2,"a":3,"b":1}');
    expect(canonicalJson({ a: 1, a1: 2 })).toBe('{"a":1,"a1":2}');
  });

  it('sorts keys given in reverse order', () => {
    expect(canonicalJson({ e: 1, d: 2, c: 3, b: 4, a: 5 })).toBe('{"a":5,"b":4,"c":3,"d":2,"e":1}');
  });
});

describe('IdempotencyKeySchema', () => {
  it.each(['a', '!~', 'key-123_ABC.:/', 'x'.repeat(255)])('accepts %j', (key) => {
    expect(IdempotencyKeySchema.parse(key)).toBe(key);
  });

  it.each([
    ['', 'must not be empty'],
    ['x'.repeat(256), 'at most 255 characters'],
    ['has space', 'printable ASCII without spaces'],
    [' leading', 'printable ASCII without spaces'],
    ['trailing ', 'printable ASCII without spaces'],
    ['tab\there', 'printable ASCII without spaces'],
    ['clé', 'printable ASCII without spaces'],
  ])('refuses %j: %s', (key, message) => {
    const parsed = IdempotencyKeySchema.safeParse(key);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((issue) => issue.message)).toContainEqual(expect.stringContaining(message));
  });
});

describe('the documented lifetimes', () => {
  it('keeps a key 24 hours and takes over a claim left without an answer after 5 minutes', () => {
    expect(IDEMPOTENCY_TTL_MS).toBe(24 * 3_600_000);
    expect(ABANDONED_CLAIM_MS).toBe(5 * 60_000);
  });
});

describe('runIdempotent', () => {
  it('runs once and replays the stored answer for the same key and input in another key order', async () => {
    const key = freshKey();
    const first = await run(key, { title: 't', priority: 'low' }, { id: 'first' });
    const second = await run(key, { priority: 'low', title: 't' }, { id: 'second' });
    expect(first).toEqual({ result: { id: 'first' }, replayed: false });
    expect(second).toEqual({ result: { id: 'first' }, replayed: true });
  });

  it('binds the key to the operation as well as the input', async () => {
    const key = freshKey();
    await run(key, { issueId: 'i' }, 'ok', 'moveIssue');
    await expect(run(key, { issueId: 'i' }, 'ok', 'updateIssue')).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      message: expect.stringContaining('already used for a different request'),
    });
  });

  it('forgets a key exactly when it expires, not a moment before', async () => {
    const key = freshKey();
    const start = clock;
    await run(key, { v: 1 }, 'one');
    try {
      clock = start + IDEMPOTENCY_TTL_MS - 1;
      expect(await run(key, { v: 2 }, 'two').catch((error: { code: string }) => error.code)).toBe('IDEMPOTENCY_KEY_REUSED');
      clock = start + IDEMPOTENCY_TTL_MS;
      expect(await run(key, { v: 2 }, 'two')).toEqual({ result: 'two', replayed: false });
    } finally {
      clock = start;
    }
  });

  it('takes over a claim whose call died only once the claim is older than the abandonment age', async () => {
    const key = freshKey();
    const start = clock;
    let release: () => void = () => {};
    const hanging = runIdempotent(db, now, { agentId, key, operation: 'createIssue', input: { v: 1 } }, () => new Promise<string>((resolve) => (release = () => resolve('late'))));
    try {
      await expect.poll(async () => (await db.selectFrom('idempotency_keys').select('status').where('key_hash', '=', idempotencyKeyHash(agentId, key)).execute()).length, { timeout: 30_000 }).toBe(1);
      const created = (await db.selectFrom('idempotency_keys').select('created_at').where('key_hash', '=', idempotencyKeyHash(agentId, key)).executeTakeFirstOrThrow()).created_at;
      clock = new Date(created).getTime() + ABANDONED_CLAIM_MS;
      await expect(run(key, { v: 1 }, 'again')).rejects.toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS', message: expect.stringContaining('still in progress') });
      clock = new Date(created).getTime() + ABANDONED_CLAIM_MS + 1;
      expect(await run(key, { v: 1 }, 'again')).toEqual({ result: 'again', replayed: false });
    } finally {
      clock = start;
      release();
      await hanging.catch(() => undefined);
    }
  });

  it('releases the key when the call fails, so a retry runs', async () => {
    const key = freshKey();
    await expect(runIdempotent(db, now, { agentId, key, operation: 'createIssue', input: {} }, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await db.selectFrom('idempotency_keys').select('key_hash').where('key_hash', '=', idempotencyKeyHash(agentId, key)).execute()).toEqual([]);
    expect(await run(key, {}, 'retried')).toEqual({ result: 'retried', replayed: false });
  });
});

describe('the key an answer carries', () => {
  it('is the key noted for that very request context, and none for another', () => {
    const context = {};
    expect(answerIdempotencyKey(context)).toBeUndefined();
    noteAnswerIdempotencyKey(context, 'key-noted');
    expect(answerIdempotencyKey(context)).toBe('key-noted');
    expect(answerIdempotencyKey({})).toBeUndefined();
  });
});

/**
 * The race the locked read guards against, arranged on PostgreSQL with a second connection: a call
 * finds the key held, and while it waits for the row lock, the holder's call fails and releases
 * the key. The waiting call must then claim the key itself and run, not trip over the missing row
 * or run without holding the key. PGlite has one connection, so there is no such race there.
 */
describe.runIf(process.env.TEST_DATABASE === 'postgres')('a key released while another call waits for it', () => {
  it('is claimed by the waiting call, which runs and stores its answer', async () => {
    const key = freshKey();
    const keyHash = idempotencyKeyHash(agentId, key);
    await run(key, { v: 1 }, 'first');
    let waiting: Promise<unknown> | undefined;
    await db.transaction().execute(async (trx) => {
      await trx.selectFrom('idempotency_keys').select('key_hash').where('key_hash', '=', keyHash).forUpdate().execute();
      waiting = run(key, { v: 1 }, 'second');
      await until(
        async () =>
          (await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(db)).rows[0]!.n > 0,
        'the second call waits for the row lock',
      );
      await trx.deleteFrom('idempotency_keys').where('key_hash', '=', keyHash).execute();
    });
    expect(await waiting).toEqual({ result: 'second', replayed: false });
    expect(await db.selectFrom('idempotency_keys').select(['status', 'response']).where('key_hash', '=', keyHash).execute()).toEqual([{ status: 'completed', response: 'second' }]);
  });

  it('is in progress for the waiting call when a third call claimed it first, and the waiting call does not run', async () => {
    const THIRD_HASH = 'c'.repeat(64);
    const key = freshKey();
    const keyHash = idempotencyKeyHash(agentId, key);
    await run(key, { v: 1 }, 'first');
    let ran = false;
    let waiting: Promise<unknown> | undefined;
    await db.transaction().execute(async (trx) => {
      await trx.selectFrom('idempotency_keys').select('key_hash').where('key_hash', '=', keyHash).forUpdate().execute();
      waiting = runIdempotent(db, now, { agentId, key, operation: 'createIssue', input: { v: 1 } }, async () => {
        ran = true;
        return 'second';
      }).catch((error: { code?: string }) => error.code);
      await until(
        async () =>
          (await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(db)).rows[0]!.n > 0,
        'the second call waits for the row lock',
      );
      // The first call's key is released and, before the waiting call reads again, a third call claims it.
      await trx.deleteFrom('idempotency_keys').where('key_hash', '=', keyHash).execute();
      await trx
        .insertInto('idempotency_keys')
        .values({ agent_id: agentId, key_hash: keyHash, operation: 'createIssue', request_hash: THIRD_HASH, status: 'in_progress', response: null, expires_at: new Date(clock + IDEMPOTENCY_TTL_MS) })
        .execute();
    });
    expect(await waiting).toBe('IDEMPOTENCY_IN_PROGRESS');
    expect(ran).toBe(false);
    expect(await db.selectFrom('idempotency_keys').select(['status', 'request_hash']).where('key_hash', '=', keyHash).execute()).toEqual([{ status: 'in_progress', request_hash: THIRD_HASH }]);
  });
});
