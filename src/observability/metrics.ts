import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CredentialRefusalCode } from '../auth/principal.js';
import type { RequestObservation } from './request-observation.js';
import { TASKER_STATUSES, type TaskerReachabilityStatus } from './tasker-reachability.js';

/**
 * The gateway's Prometheus metrics (prom-client), one registry per process. Every label value
 * comes from a bounded set: a surface, a route pattern, a persisted operation or tool name from
 * the manifest, a Tasker endpoint pattern, an error code, a fixed reason word. Nothing a caller
 * types becomes a label value (an unknown tool is `unknown_tool`, an unknown path `unmatched`).
 *
 * The hot path pays for one histogram observation per request (its `_count` is the request count,
 * so there is no separate counter to update) and one per Tasker call; everything else is counted
 * only when it happens (a refusal, a rate-limit hit) or computed only when scraped (the pool).
 */
export const registry = new Registry();

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const requestDuration = new Histogram({
  name: 'gateway_request_duration_seconds',
  help: 'Requests answered, by surface, operation and outcome (ok 2xx/3xx, refused 4xx, failed 5xx); _count is the request count',
  labelNames: ['surface', 'operation', 'outcome'] as const,
  buckets: SECONDS,
  registers: [registry],
});

const taskerDuration = new Histogram({
  name: 'gateway_tasker_call_duration_seconds',
  help: 'Calls to Tasker, retries included, by endpoint pattern and the status class of the last answer (none: no answer)',
  labelNames: ['operation', 'status_class'] as const,
  buckets: SECONDS,
  registers: [registry],
});

const taskerRetries = new Counter({
  name: 'gateway_tasker_retries_total',
  help: 'Attempts at a Tasker call that failed and were tried again, by endpoint pattern and the failure',
  labelNames: ['operation', 'code'] as const,
  registers: [registry],
});

const authRefusals = new Counter({
  name: 'gateway_auth_refusals_total',
  help: 'Credentials refused, by reason',
  labelNames: ['reason'] as const,
  registers: [registry],
});

const rateLimitHits = new Counter({
  name: 'gateway_rate_limit_hits_total',
  help: 'Requests refused with 429, by rate-limit tier',
  labelNames: ['tier'] as const,
  registers: [registry],
});

const rateLimitFallbacks = new Counter({
  name: 'gateway_rate_limit_fallbacks_total',
  help: 'Rate-limit checks counted by the next store because this one failed (redis: in PostgreSQL or memory; postgres: in memory)',
  labelNames: ['store'] as const,
  registers: [registry],
});

const auditWriteDuration = new Histogram({
  name: 'gateway_audit_write_duration_seconds',
  help: 'Writes of one audit event',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  registers: [registry],
});

/** What a database reports about its connections when scraped. */
export interface PoolUsage {
  size: number;
  inUse: number;
  waiting: number;
}
const pools = new Set<() => PoolUsage>();
const poolGauge = (name: string, help: string, field: keyof PoolUsage) =>
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      let total = 0;
      for (const usage of pools) total += usage()[field];
      this.set(total);
    },
  });
poolGauge('gateway_db_pool_size', 'Connections the database pool may open (PGlite: 1, its single in-process connection)', 'size');
poolGauge('gateway_db_pool_in_use', 'Connections lent out right now', 'inUse');
poolGauge('gateway_db_pool_waiting', 'Queries waiting for a free connection', 'waiting');

/** Reports a database's connections while it is open; the returned function stops. */
export function watchPool(usage: () => PoolUsage): () => void {
  pools.add(usage);
  return () => pools.delete(usage);
}

/** Tasker as each gateway of this process last found it (one in production), read when scraped. */
const taskerStatuses = new Set<() => TaskerReachabilityStatus>();
new Gauge({
  name: 'gateway_tasker_reachability',
  help: 'Tasker as the gateway last found it (its probe or an agent call): 1 for the current status, 0 for the others',
  labelNames: ['status'] as const,
  registers: [registry],
  collect() {
    const current = [...taskerStatuses].map((status) => status());
    for (const status of TASKER_STATUSES) this.set({ status }, current.filter((seen) => seen === status).length);
  },
});

/** Reports a gateway's view of Tasker while it runs; the returned function stops. */
export function watchTaskerReachability(status: () => TaskerReachabilityStatus): () => void {
  taskerStatuses.add(status);
  return () => taskerStatuses.delete(status);
}

let processMetrics = false;
/** Node's own metrics (CPU, memory, event loop lag, handles), started once, when metrics are served. */
export function startProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: registry });
}

const outcomeOf = (status: number) => (status < 400 ? 'ok' : status < 500 ? 'refused' : 'failed');

export function observeRequest(observation: RequestObservation, status: number, seconds: number): void {
  requestDuration.observe({ surface: observation.surface, operation: observation.operation ?? 'none', outcome: outcomeOf(status) }, seconds);
}

export function observeTaskerCall(operation: string, status: number | null, seconds: number): void {
  taskerDuration.observe({ operation, status_class: status === null ? 'none' : `${Math.floor(status / 100)}xx` }, seconds);
}

export function countTaskerRetry(operation: string, code: string): void {
  taskerRetries.inc({ operation, code });
}

export function countRateLimitHit(tier: string): void {
  rateLimitHits.inc({ tier });
}

export function countRateLimitFallback(store: string): void {
  rateLimitFallbacks.inc({ store });
}

export function observeAuditWrite(seconds: number): void {
  auditWriteDuration.observe(seconds);
}

/** The label is the authenticator's own refusal code (CredentialRefusalCode), a closed set. */
export function countAuthRefusal(code: CredentialRefusalCode): void {
  authRefusals.inc({ reason: code });
}
