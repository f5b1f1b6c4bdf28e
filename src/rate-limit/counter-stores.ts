import type pg from 'pg';
import type { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { createLeasedCounters } from './leased-counters.js';

/**
 * Where the fixed-window counters live. Three stores behind one small interface, so the limits
 * (rate-limits.ts) neither know nor care which one counts:
 *
 * - redis: with REDIS_URL, every replica counts in one Redis (rate-limiter-flexible's
 *   RateLimiterRedis: one atomic Lua call per check, no lease);
 * - postgres: on PostgreSQL, the `rate_limits` table, spent in leases (leased-counters.ts);
 * - memory: this process alone (the embedded single-process default, and the last fallback).
 */
export type RateLimitTier = 'network' | 'authFailures' | 'pairing' | 'agent' | 'launcher' | 'oauth';
export const RATE_LIMIT_TIERS: readonly RateLimitTier[] = ['network', 'authFailures', 'pairing', 'agent', 'launcher', 'oauth'];
export const WINDOW_SECONDS = 60;

export type StoreName = 'redis' | 'postgres' | 'memory';

/** One key's window, as the store knows it. */
export interface Counted {
  /** Points left in the window (0 once spent). */
  remaining: number;
  /** Milliseconds until the window ends. */
  resetMs: number;
}

export interface CounterStore {
  readonly name: StoreName;
  /** Spends one point; `allowed` false once the allowance is spent. Rejects only when the store itself fails. */
  consume(tier: RateLimitTier, key: string): Promise<Counted & { allowed: boolean }>;
  /** Whether the allowance is already spent, without spending. */
  peek(tier: RateLimitTier, key: string): Promise<Counted & { spent: boolean }>;
}

export type PerTier<T> = Record<RateLimitTier, T>;
const perTier = <T>(make: (tier: RateLimitTier) => T): PerTier<T> =>
  Object.fromEntries(RATE_LIMIT_TIERS.map((tier) => [tier, make(tier)])) as PerTier<T>;

/** A store over rate-limiter-flexible limiters (memory, Redis): a refusal is a RateLimiterRes, a failure anything else. */
function flexibleStore(name: StoreName, limit: PerTier<number>, limiters: PerTier<RateLimiterAbstract>): CounterStore {
  const countedOf = (res: RateLimiterRes): Counted => ({ remaining: res.remainingPoints, resetMs: Math.max(0, res.msBeforeNext) });
  return {
    name,
    async consume(tier, key) {
      try {
        return { allowed: true, ...countedOf(await limiters[tier].consume(key)) };
      } catch (outcome) {
        if (outcome instanceof RateLimiterRes) return { allowed: false, ...countedOf(outcome), remaining: 0 };
        throw outcome;
      }
    },
    async peek(tier, key) {
      const res = await limiters[tier].get(key);
      if (!res) return { spent: false, remaining: limit[tier], resetMs: WINDOW_SECONDS * 1000 };
      return { spent: res.consumedPoints >= limit[tier], ...countedOf(res) };
    },
  };
}

export function memoryCounters(limit: PerTier<number>): CounterStore {
  return flexibleStore(
    'memory',
    limit,
    perTier((tier) => new RateLimiterMemory({ keyPrefix: `gw:${tier}`, points: limit[tier], duration: WINDOW_SECONDS })),
  );
}

/**
 * Keys are `<keyPrefix><tier>:<key>` (e.g. `tasker-gateway:rl:network:203.0.113.0/24`), each expiring
 * with its window. `rejectIfRedisNotReady` makes a check fail at once while the connection is down
 * instead of waiting for it; a key whose allowance is spent is refused from memory until its window
 * ends (`inMemoryBlockOnConsumed`), so a flood that is already refused costs Redis nothing.
 */
export function redisCounters(client: Redis, keyPrefix: string, limit: PerTier<number>): CounterStore {
  return flexibleStore(
    'redis',
    limit,
    perTier(
      (tier) =>
        new RateLimiterRedis({
          storeClient: client,
          keyPrefix: `${keyPrefix}${tier}`,
          points: limit[tier],
          duration: WINDOW_SECONDS,
          rejectIfRedisNotReady: true,
          inMemoryBlockOnConsumed: limit[tier],
        }),
    ),
  );
}

export function postgresCounters(pool: pg.Pool, limit: PerTier<number>, now: () => number): CounterStore {
  const counters = perTier((tier) => createLeasedCounters({ pool, keyPrefix: `gw:${tier}`, limit: limit[tier], windowMs: WINDOW_SECONDS * 1000, now }));
  return {
    name: 'postgres',
    async consume(tier, key) {
      const { allowed, remaining, windowEnd } = await counters[tier].consume(key);
      return { allowed, remaining, resetMs: Math.max(0, windowEnd - now()) };
    },
    async peek(tier, key) {
      const { spent, remaining, windowEnd } = await counters[tier].peek(key);
      return { spent, remaining, resetMs: Math.max(0, windowEnd - now()) };
    },
  };
}
