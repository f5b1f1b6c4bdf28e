import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * The machine's Redis for the suites that need one (127.0.0.1:6379, or TEST_REDIS_URL). Like
 * PostgreSQL in vitest.config.ts: nobody listening means Redis is absent, and a developer's run
 * skips those suites saying so; under CI (CI=true) its absence fails the run. Any other failure
 * is not absence and fails the run too.
 */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ABSENT_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'ENOTFOUND', 'EADDRNOTAVAIL']);

export async function redisAnswers(): Promise<boolean> {
  const client = new Redis(TEST_REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // connect() rejects with "Connection is closed."; the socket's own error (with its code) comes as an event.
  let socketError: (Error & { code?: string }) | undefined;
  client.on('error', (error: Error) => (socketError = error));
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch (failure) {
    const error = socketError ?? (failure as Error & { code?: string });
    const code = error.code;
    if (!code || !ABSENT_CODES.has(code)) throw new Error(`Redis at ${TEST_REDIS_URL} is there but does not answer: ${error.message}`);
    const message = `Redis at ${TEST_REDIS_URL} is absent (nothing listens there)`;
    if (process.env.CI === 'true') throw new Error(`${message}; CI requires it (set TEST_REDIS_URL).`);
    process.stderr.write(`\n⚠ ${message}: skipping the Redis suites.\n\n`);
    return false;
  } finally {
    client.disconnect();
  }
}

/** A Redis client for checking what the gateway stored, with a key prefix no other test uses. */
export interface TestRedis {
  client: Redis;
  /** Unique to this test: `test-<random>:`. */
  prefix: string;
  /** Deletes every key under the prefix, then disconnects. */
  close(): Promise<void>;
}

export function openTestRedis(): TestRedis {
  const client = new Redis(TEST_REDIS_URL);
  const prefix = `test-${randomBytes(6).toString('hex')}:`;
  return {
    client,
    prefix,
    close: async () => {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await client.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      client.disconnect();
    },
  };
}
