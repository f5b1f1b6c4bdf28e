import type { TaskerObserver } from '../tasker/client.js';

/**
 * Whether Tasker answers, as the gateway's calls found it: its agents' calls and its own probe
 * (tasker-probe.ts, every TASKER_PROBE_INTERVAL_SECONDS). /readyz reports it beside the database,
 * but it never decides readiness: an upstream blip must not take every replica out of the load balancer.
 */
export const TASKER_STATUSES = [
  /** No call and no probe answered since the gateway started. */
  'unknown',
  /** The last call got an answer (success, or a refusal about the call itself). */
  'reachable',
  /** The last call got no answer in time after its retries, or only 5xx. */
  'unreachable',
  /** Tasker answers but refuses the gateway's signature: an operator must fix the signing secret or clocks. */
  'rejected',
  'unconfigured',
] as const;
export type TaskerReachabilityStatus = (typeof TASKER_STATUSES)[number];

export interface TaskerReachabilityReport {
  status: TaskerReachabilityStatus;
  lastSuccessAt: string | null;
  lastError: { code: string; status: number | null; at: string } | null;
}

const UNREACHABLE = new Set(['TASKER_UNAVAILABLE', 'TASKER_TIMEOUT']);

export interface TaskerReachability extends TaskerObserver {
  report(): TaskerReachabilityReport;
}

export function createTaskerReachability(now: () => Date): TaskerReachability {
  let status: TaskerReachabilityStatus = 'unknown';
  let lastSuccessAt: Date | null = null;
  let lastError: { code: string; status: number | null; at: Date } | null = null;
  return {
    retrying: () => {},
    finished: (call) => {
      if (UNREACHABLE.has(call.outcome)) status = 'unreachable';
      else if (call.outcome === 'TASKER_REJECTED') status = 'rejected';
      else status = 'reachable';
      // A refusal about the call itself (not found, forbidden, bad input) is Tasker working as it should.
      const healthy = call.outcome === 'ok' || (call.status !== null && call.status < 500 && status === 'reachable' && call.outcome !== 'TASKER_BAD_RESPONSE');
      if (healthy) lastSuccessAt = now();
      else lastError = { code: call.outcome, status: call.status, at: now() };
    },
    report: () => ({
      status,
      lastSuccessAt: lastSuccessAt?.toISOString() ?? null,
      lastError: lastError ? { code: lastError.code, status: lastError.status, at: lastError.at.toISOString() } : null,
    }),
  };
}

/** For a gateway without TASKER_URL: nothing to reach. */
export const unconfiguredReachability = (): TaskerReachabilityReport => ({ status: 'unconfigured', lastSuccessAt: null, lastError: null });
