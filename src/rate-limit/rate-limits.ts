import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { RateLimitConfig } from '../config/config.js';
import { GatewayError } from '../errors/gateway-error.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { countRateLimitHit } from '../observability/metrics.js';
import {
  type Counted,
  type CounterStore,
  memoryCounters,
  type PerTier,
  postgresCounters,
  type RateLimitTier,
  redisCounters,
  WINDOW_SECONDS,
} from './counter-stores.js';
import { withFallback } from './store-fallback.js';

export type { RateLimitTier } from './counter-stores.js';

/**
 * Fixed-window limits, one per tier, counted where every replica sees them: in Redis when
 * REDIS_URL is set, else in PostgreSQL when the gateway runs on it (leased-counters.ts), else in
 * process memory (the embedded single-process default). A store that fails hands counting to the
 * next one in that line (store-fallback.ts): Redis → PostgreSQL → memory. Refusing, not failing,
 * is this file's job; the stores are in counter-stores.ts.
 *
 * - network: every request, per client network (IPv4 /24, IPv6 /64);
 * - authFailures: refused credentials per client network; once spent, requests that carry
 *   credentials are refused before any is checked;
 * - pairing: pairing-code exchanges per client network;
 * - agent: per agent token; launcher: per Launcher user;
 * - oauth: the OAuth authorization server's endpoints (authorize, token, register) per client network.
 */
export interface RateLimitState {
  tier: RateLimitTier;
  limit: number;
  windowSeconds: number;
  remaining: number;
  resetSeconds: number;
}

export interface RateLimits {
  /** Counts one use; refuses with RATE_LIMITED (429) once the window's allowance is spent. */
  consume(tier: RateLimitTier, key: string): Promise<RateLimitState>;
  /** Whether the allowance is already spent, without counting. */
  spent(tier: RateLimitTier, key: string): Promise<RateLimitState | null>;
}

const TIER_WORDS: Record<RateLimitTier, string> = {
  network: 'requests from this network',
  authFailures: 'refused credentials from this network',
  pairing: 'pairing attempts from this network',
  agent: 'calls with this agent token',
  launcher: 'requests from this Launcher user',
  oauth: 'OAuth requests from this network',
};

/** The limit behind each RATE_LIMITED error, for whoever records the refusal. */
const limitStates = new WeakMap<GatewayError, RateLimitState>();

export function rateLimited(state: RateLimitState): GatewayError {
  countRateLimitHit(state.tier);
  const wait = Math.max(1, state.resetSeconds);
  const error = new GatewayError('RATE_LIMITED', `too many ${TIER_WORDS[state.tier]}; try again in ${wait} s`, {
    retryAfterSeconds: wait,
    details: { policy: state.tier, limit: state.limit, windowSeconds: state.windowSeconds },
    headers: rateLimitHeaders(state),
  });
  limitStates.set(error, state);
  return error;
}

/** The spent limit a RATE_LIMITED error stands for; undefined for any other error. */
export const rateLimitStateOf = (error: unknown): RateLimitState | undefined => (error instanceof GatewayError ? limitStates.get(error) : undefined);

/** IETF draft-ietf-httpapi-ratelimit-headers: the policy, and what is left of it. */
export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    'ratelimit-policy': `"${state.tier}";q=${state.limit};w=${state.windowSeconds}`,
    ratelimit: `"${state.tier}";r=${state.remaining};t=${Math.max(0, state.resetSeconds)}`,
  };
}

/** The shared stores this gateway has; without any, counting is in process memory. */
export interface RateLimitStores {
  /** PostgreSQL (DATABASE_URL): the `rate_limits` table. */
  pool?: pg.Pool | undefined;
  /** Redis (REDIS_URL), asked first when present; keys start with `keyPrefix`. */
  redis?: { client: Redis; keyPrefix: string } | undefined;
  /** Where a store's failure and return are reported (default: nowhere). */
  logger?: Logger;
}

export function createRateLimits(config: RateLimitConfig, stores: RateLimitStores = {}, now: () => number = Date.now): RateLimits {
  const perMinute: PerTier<number> = {
    network: config.networkPerMinute,
    authFailures: config.authFailuresPerMinute,
    pairing: config.pairingPerMinute,
    agent: config.agentPerMinute,
    launcher: config.launcherPerMinute,
    oauth: config.oauthPerMinute,
  };
  const logger = stores.logger ?? createLogger('silent');
  let store: CounterStore = memoryCounters(perMinute);
  if (stores.pool) store = withFallback(postgresCounters(stores.pool, perMinute, now), store, { logger, now });
  if (stores.redis) store = withFallback(redisCounters(stores.redis.client, stores.redis.keyPrefix, perMinute), store, { logger, now });

  const stateOf = (tier: RateLimitTier, counted: Counted): RateLimitState => ({
    tier,
    limit: perMinute[tier],
    windowSeconds: WINDOW_SECONDS,
    remaining: counted.remaining,
    resetSeconds: Math.ceil(counted.resetMs / 1000),
  });

  return {
    async consume(tier, key) {
      const counted = await store.consume(tier, key);
      const state = stateOf(tier, counted);
      if (!counted.allowed) throw rateLimited(state);
      return state;
    },
    async spent(tier, key) {
      const counted = await store.peek(tier, key);
      return counted.spent ? stateOf(tier, counted) : null;
    },
  };
}
