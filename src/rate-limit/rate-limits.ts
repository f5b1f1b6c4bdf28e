import type pg from 'pg';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitConfig } from '../config/config.js';
import { GatewayError } from '../errors/gateway-error.js';
import { type CounterState, createLeasedCounters, type LeasedCounters } from './leased-counters.js';
import { countRateLimitHit } from '../observability/metrics.js';

/**
 * Fixed-window limits, one per tier: in PostgreSQL when the gateway runs on it, so every replica
 * behind a balancer counts together (leased-counters.ts: points are taken from the shared counter
 * in leases, so a request seldom waits for the database), in process memory (rate-limiter-flexible)
 * for the embedded single-process default. If the shared store fails, counting falls back to memory
 * for that moment rather than failing the request.
 *
 * - network: every request, per client network (IPv4 /24, IPv6 /64);
 * - authFailures: refused credentials per client network; once spent, requests that carry
 *   credentials are refused before any is checked;
 * - pairing: pairing-code exchanges per client network;
 * - agent: per agent token; launcher: per Launcher user;
 * - oauth: the OAuth authorization server's endpoints (authorize, token, register) per client network.
 */
export type RateLimitTier = 'network' | 'authFailures' | 'pairing' | 'agent' | 'launcher' | 'oauth';

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
  oauth: 'OAuth requests from this network',
};

export function rateLimited(state: RateLimitState): GatewayError {
  countRateLimitHit(state.tier);
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

export function createRateLimits(config: RateLimitConfig, pool: pg.Pool | undefined, now: () => number = Date.now): RateLimits {
  const perMinute: Record<RateLimitTier, number> = {
    network: config.networkPerMinute,
    authFailures: config.authFailuresPerMinute,
    pairing: config.pairingPerMinute,
    agent: config.agentPerMinute,
    launcher: config.launcherPerMinute,
    oauth: config.oauthPerMinute,
  };
  const tiers = Object.keys(perMinute) as RateLimitTier[];
  const memory = Object.fromEntries(
    tiers.map((tier) => [tier, new RateLimiterMemory({ keyPrefix: `gw:${tier}`, points: perMinute[tier], duration: WINDOW_SECONDS })]),
  ) as Record<RateLimitTier, RateLimiterMemory>;
  const shared =
    pool &&
    (Object.fromEntries(
      tiers.map((tier) => [
        tier,
        createLeasedCounters({ pool, keyPrefix: `gw:${tier}`, limit: perMinute[tier], windowMs: WINDOW_SECONDS * 1000, now }),
      ]),
    ) as Record<RateLimitTier, LeasedCounters>);

  const stateOf = (tier: RateLimitTier, res: RateLimiterRes): RateLimitState => ({
    tier,
    limit: perMinute[tier],
    windowSeconds: WINDOW_SECONDS,
    remaining: res.remainingPoints,
    resetSeconds: Math.ceil(Math.max(0, res.msBeforeNext) / 1000),
  });
  const sharedStateOf = (tier: RateLimitTier, counter: CounterState): RateLimitState => ({
    tier,
    limit: perMinute[tier],
    windowSeconds: WINDOW_SECONDS,
    remaining: counter.remaining,
    resetSeconds: Math.ceil(Math.max(0, counter.windowEnd - now()) / 1000),
  });

  const inMemory: RateLimits = {
    async consume(tier, key) {
      try {
        return stateOf(tier, await memory[tier].consume(key));
      } catch (outcome) {
        if (outcome instanceof RateLimiterRes) throw rateLimited(stateOf(tier, outcome));
        throw outcome;
      }
    },
    async spent(tier, key) {
      const res = await memory[tier].get(key);
      if (!res || res.consumedPoints < perMinute[tier]) return null;
      return stateOf(tier, res);
    },
  };
  if (!shared) return inMemory;

  // If the shared store fails, counting falls back to this process's memory for that moment.
  return {
    async consume(tier, key) {
      let counted;
      try {
        counted = await shared[tier].consume(key);
      } catch {
        return inMemory.consume(tier, key);
      }
      const state = sharedStateOf(tier, counted);
      if (!counted.allowed) throw rateLimited(state);
      return state;
    },
    async spent(tier, key) {
      let counted;
      try {
        counted = await shared[tier].peek(key);
      } catch {
        return inMemory.spent(tier, key);
      }
      return counted.spent ? sharedStateOf(tier, counted) : null;
    },
  };
}
