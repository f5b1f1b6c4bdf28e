import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitConfig } from '../config/config.js';
import { GatewayError } from '../errors/gateway-error.js';

/**
 * Fixed-window limits, one per tier, counted with rate-limiter-flexible: in PostgreSQL when the
 * gateway runs on it (so every replica behind a balancer counts together), in process memory for
 * the embedded single-process default. If the shared store fails, counting falls back to memory
 * for that moment rather than failing the request.
 *
 * - network: every request, per client network (IPv4 /24, IPv6 /64);
 * - authFailures: refused credentials per client network; once spent, requests that carry
 *   credentials are refused before any is checked;
 * - pairing: pairing-code exchanges per client network;
 * - agent: per agent token; launcher: per Launcher user.
 */
export type RateLimitTier = 'network' | 'authFailures' | 'pairing' | 'agent' | 'launcher';

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

const WINDOW_SECONDS = 60;

const TIER_WORDS: Record<RateLimitTier, string> = {
  network: 'requests from this network',
  authFailures: 'refused credentials from this network',
  pairing: 'pairing attempts from this network',
  agent: 'calls with this agent token',
  launcher: 'requests from this Launcher user',
};

export function rateLimited(state: RateLimitState): GatewayError {
  const wait = Math.max(1, state.resetSeconds);
  return new GatewayError('RATE_LIMITED', `too many ${TIER_WORDS[state.tier]}; try again in ${wait} s`, {
    retryAfterSeconds: wait,
    details: { policy: state.tier, limit: state.limit, windowSeconds: state.windowSeconds },
    headers: rateLimitHeaders(state),
  });
}

/** IETF draft-ietf-httpapi-ratelimit-headers: the policy, and what is left of it. */
export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    'ratelimit-policy': `"${state.tier}";q=${state.limit};w=${state.windowSeconds}`,
    ratelimit: `"${state.tier}";r=${state.remaining};t=${Math.max(0, state.resetSeconds)}`,
  };
}

export function createRateLimits(config: RateLimitConfig, pool: pg.Pool | undefined): RateLimits {
  const perMinute: Record<RateLimitTier, number> = {
    network: config.networkPerMinute,
    authFailures: config.authFailuresPerMinute,
    pairing: config.pairingPerMinute,
    agent: config.agentPerMinute,
    launcher: config.launcherPerMinute,
  };
  const limiters = Object.fromEntries(
    (Object.keys(perMinute) as RateLimitTier[]).map((tier) => {
      const options = { keyPrefix: `gw:${tier}`, points: perMinute[tier], duration: WINDOW_SECONDS };
      const memory = new RateLimiterMemory(options);
      const limiter: RateLimiterAbstract = pool
        ? new RateLimiterPostgres({ ...options, storeClient: pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true, insuranceLimiter: memory })
        : memory;
      return [tier, limiter];
    }),
  ) as Record<RateLimitTier, RateLimiterAbstract>;

  const stateOf = (tier: RateLimitTier, res: RateLimiterRes): RateLimitState => ({
    tier,
    limit: perMinute[tier],
    windowSeconds: WINDOW_SECONDS,
    remaining: res.remainingPoints,
    resetSeconds: Math.ceil(Math.max(0, res.msBeforeNext) / 1000),
  });

  return {
    async consume(tier, key) {
      try {
        return stateOf(tier, await limiters[tier].consume(key));
      } catch (outcome) {
        if (outcome instanceof RateLimiterRes) throw rateLimited(stateOf(tier, outcome));
        throw outcome;
      }
    },
    async spent(tier, key) {
      const res = await limiters[tier].get(key);
      if (!res || res.consumedPoints < perMinute[tier]) return null;
      return stateOf(tier, res);
    },
  };
}
