import { Redis } from 'ioredis';
import type { RedisConfig } from '../config/config.js';
import type { Logger } from '../logging/logger.js';

/**
 * The Redis connection the rate-limit counters use (ioredis). A rate-limit check sits in front of
 * every request, so it must never wait for Redis to come back: while the connection is down a
 * command fails at once (no offline queue, nothing retried or resent after a reconnect), and one
 * that gets no answer fails after `commandTimeoutMs`. Either way the check is counted by the next
 * store (store-fallback.ts). ioredis reconnects by itself, backing off up to 2 s.
 *
 * Connection errors are logged at `debug` only: the fallback reports an outage once, at `warn`,
 * and ioredis would otherwise print each reconnect failure to the console.
 */
export function connectRedis(config: RedisConfig, logger: Logger): Redis {
  const client = new Redis(config.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: Math.max(1_000, config.commandTimeoutMs),
    retryStrategy: (attempts) => Math.min(attempts * 100, 2_000),
  });
  client.on('error', (error: Error) => logger.debug('redis: connection error', { error: error.message }));
  // Said on every (re)connection, so an operator (and a test) sees when Redis counts again.
  client.on('ready', () => logger.info('rate limits: Redis connected', { keyPrefix: config.keyPrefix }));
  return client;
}
