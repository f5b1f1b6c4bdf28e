import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { RETRY_AFTER_MS } from '../../src/rate-limit/store-fallback.js';
import { createTestDatabase, testDatabaseKind } from '../support/database.js';
import { rest, startTestGateway, type TestGateway } from '../support/gateway.js';
import { tempDirs } from '../support/processes.js';
import { expectLimited } from '../support/rate-limit-answers.js';
import { openTestRedis, redisAnswers, TEST_REDIS_URL, type TestRedis } from '../support/redis.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { until } from '../support/wait.js';
import { type GatewayProcess, NO_TEST_CLOCK, spawnReplica } from '../lifecycle/support/gateway-process.js';

/**
 * With REDIS_URL every replica counts in one Redis: a limit holds across gateways that share
 * nothing else, and when Redis goes away mid-run the next store (PostgreSQL, or memory on the
 * embedded database) counts instead, with one warning and a metric, until Redis is back. Each test
 * writes under a key prefix of its own and deletes it afterwards. Without a Redis on this machine
 * these tests are skipped, saying so (under CI=true that fails the run: test/support/redis.ts).
 */
const withRedis = await redisAnswers();

const from = (address: string) => ({ 'x-forwarded-for': address });
const CONNECTED = 'rate limits: Redis connected';
const FAILED = 'rate limits: the redis store failed; counting in';
const BACK = 'rate limits: the redis store answers again; counting there';
/** How many log lines (collected at debug) carry a message starting with `message`. */
const count = (lines: string[], message: string) => lines.filter((line) => (JSON.parse(line) as { message: string }).message.startsWith(message)).length;

async function sharedDatabaseRows(db: Db, network: string): Promise<{ key: string; points: number }[]> {
  const { rows } = await sql<{ key: string; points: number }>`select key, points from rate_limits where key like ${`%${network}`}`.execute(db);
  return rows;
}

describe.runIf(withRedis)('two gateways that share nothing but Redis', () => {
  let redis: TestRedis;
  const logs: [string[], string[]] = [[], []];
  const gateways: TestGateway[] = [];
  beforeAll(async () => {
    redis = openTestRedis();
    const env = {
      TRUST_PROXY: 'true',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: redis.prefix,
      RATE_LIMIT_NETWORK_PER_MINUTE: '4',
      RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '2',
    };
    // Each has its own fresh database: whatever they agree on went through Redis.
    gateways.push(await startTestGateway(env, { logLines: logs[0] }), await startTestGateway(env, { logLines: logs[1] }));
    await until(() => logs.every((lines) => count(lines, CONNECTED) === 1), 'both gateways connected to Redis');
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    await redis?.close();
  });

  it('hold one limit, and one allowance of refused credentials', async () => {
    const [a, b] = gateways as [TestGateway, TestGateway];
    const answers = [];
    for (let i = 0; i < 6; i += 1) answers.push(await rest(i % 2 === 0 ? a : b, 'GET', '/healthz', { headers: from(`203.0.113.${i + 1}`) }));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 429, 429]);
    expectLimited(answers[4]!, 'network', 4);
    expectLimited(answers[5]!, 'network', 4);
    expect(Number(await redis.client.get(`${redis.prefix}network:203.0.113.0/24`))).toBeGreaterThanOrEqual(4);

    // Two refused credentials through A spend the network's allowance; B then refuses a good one unread.
    const bad = `ndcag_${'x'.repeat(43)}_xxxxxx`;
    for (let i = 0; i < 2; i += 1) expect((await rest(a, 'GET', '/api/v1/agent-session', { token: bad, headers: from(`198.18.7.${i}`) })).status).toBe(401);
    const launcher = await b.launcherToken({ sub: 'alice' });
    expectLimited(await rest(b, 'GET', '/api/v1/meta/capabilities', { token: launcher, headers: from('198.18.7.99') }), 'authFailures', 2);
    expect((await rest(b, 'GET', '/api/v1/meta/capabilities', { token: launcher, headers: from('198.18.8.99') })).status).toBe(200);
    expect(logs.map((lines) => count(lines, FAILED))).toEqual([0, 0]);
  });
});

describe.runIf(withRedis)('Redis going away', () => {
  let redis: TestRedis;
  const lines: string[] = [];
  const metricsToken = randomBytes(16).toString('hex');
  let proxy: TcpProxy;
  let gateway: TestGateway;
  beforeAll(async () => {
    redis = openTestRedis();
    const target = new URL(TEST_REDIS_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    gateway = await startTestGateway(
      { TRUST_PROXY: 'true', REDIS_URL: proxy.urlFor(TEST_REDIS_URL), REDIS_KEY_PREFIX: redis.prefix, RATE_LIMIT_NETWORK_PER_MINUTE: '3', METRICS_TOKEN: metricsToken },
      { logLines: lines },
    );
    await until(() => count(lines, CONNECTED) === 1, 'the gateway connected to Redis');
  });
  afterAll(async () => {
    await gateway?.close();
    await proxy?.close();
    await redis?.close();
  });

  it('mid-run: the next store counts (one warning, a metric), and Redis again once it is back', async () => {
    const fallbacks = async () => {
      const text = await (await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}`, ...from('192.0.2.200') } })).text();
      return Number(/^gateway_rate_limit_fallbacks_total\{store="redis"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    try {
      for (let i = 0; i < 2; i += 1) expect((await rest(gateway, 'GET', '/healthz', { headers: from('198.51.100.1') })).status).toBe(200);
      expect(await redis.client.get(`${redis.prefix}network:198.51.100.0/24`)).toBe('2');
      const fallbacksBefore = await fallbacks();

      proxy.cut();
      // No 500 and no limit switched off: three pass, the fourth is refused, counted by the next store.
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await rest(gateway, 'GET', '/healthz', { headers: from('198.51.101.1') })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      expectLimited(await rest(gateway, 'GET', '/healthz', { headers: from('198.51.101.2') }), 'network', 3);
      expect(await redis.client.exists(`${redis.prefix}network:198.51.101.0/24`)).toBe(0);
      if (testDatabaseKind() === 'postgres') {
        // On PostgreSQL the fallback is the shared table, so the replicas still count together.
        expect(await sharedDatabaseRows(gateway.db, '198.51.101.0/24')).toEqual([{ key: 'gw:network:198.51.101.0/24', points: expect.any(Number) }]);
      }
      expect(count(lines, FAILED)).toBe(1);
      expect(await fallbacks()).toBeGreaterThanOrEqual(fallbacksBefore + 5);

      proxy.restore();
      await until(() => count(lines, CONNECTED) === 2, 'the gateway reconnected to Redis');
      // The failed store is asked again once its pause is over.
      gateway.clock.offsetMs += RETRY_AFTER_MS;
      expect((await rest(gateway, 'GET', '/healthz', { headers: from('198.51.102.1') })).status).toBe(200);
      expect(await redis.client.get(`${redis.prefix}network:198.51.102.0/24`)).toBe('1');
      expect(count(lines, BACK)).toBe(1);
      expect(count(lines, FAILED)).toBe(1);
    } finally {
      proxy.restore();
    }
  });
});

describe.runIf(withRedis)('replicas', () => {
  // Two real gateway processes on one PostgreSQL and one Redis, as two replicas behind a balancer.
  // (On PGlite, the in-process pair above stands for them: a spawned process per embedded database
  // would test nothing more.)
  it.runIf(testDatabaseKind() === 'postgres')('holds a limit across two gateway processes sharing one Redis', NO_TEST_CLOCK, async () => {
    const database = await createTestDatabase('postgres');
    const redis = openTestRedis();
    const temp = tempDirs();
    const replicas: GatewayProcess[] = [];
    const db = await openDatabase(database.config);
    try {
      await migrateToLatest(db);
      const start = async () => {
        const replica = spawnReplica({
          databaseUrl: database.url!,
          temp,
          networkPerMinute: 6,
          env: { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: redis.prefix },
        });
        replicas.push(replica);
        const url = await replica.ready;
        await replica.waitFor((line) => line.message === CONNECTED, `"${CONNECTED}"`);
        return url;
      };
      const [a, b] = await Promise.all([start(), start()]);
      const answers: Response[] = [];
      for (let i = 0; i < 8; i += 1) answers.push(await fetch(`${i % 2 === 0 ? a : b}/healthz`));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
      expectLimited(answers[6]!, 'network', 6);
      expectLimited(answers[7]!, 'network', 6);
      // Counted in Redis, not in the database.
      expect(Number(await redis.client.get(`${redis.prefix}network:127.0.0.0/24`))).toBeGreaterThanOrEqual(6);
      expect(await sharedDatabaseRows(db, '127.0.0.0/24')).toEqual([]);
      for (const replica of replicas) expect(replica.lines.filter((line) => line.message.startsWith(FAILED))).toEqual([]);
    } finally {
      await Promise.all(replicas.map((replica) => replica.stop()));
      await db.destroy();
      temp.removeAll();
      await redis.close();
      await database.drop();
    }
  });
});
