import type { Logger } from '../logging/logger.js';
import type { TaskerCallObservation, TaskerObserver } from '../tasker/client.js';
import { countTaskerRetry, observeTaskerCall } from './metrics.js';

/**
 * What the gateway says about Tasker, so that an outage shows in the log before an agent complains:
 * the moment Tasker stops answering (warn) and the moment it answers again (info), once each,
 * whether an agent's call or the probe (tasker-probe.ts) found it; every agent call that ends
 * unreachable or timed out after its retries (warn); every agent call whose signature Tasker refuses
 * (error: an operator must act, no agent can), and for the probe only the first refusal of a run.
 * A probe in itself is never logged: every 30 s for a week of outage would bury the log.
 */
const UNREACHABLE = new Set(['TASKER_UNAVAILABLE', 'TASKER_TIMEOUT']);

export function createTaskerLogging(logger: Logger): TaskerObserver {
  let down = false;
  let rejected = false;
  return {
    retrying: (call) => logger.debug('Tasker call failed; retrying', call),
    finished: (call: TaskerCallObservation) => {
      const { outcome, operation, requestId, status, attempts } = call;
      const probe = call.probe === true;
      const latencyMs = Math.round(call.latencyMs);
      if (outcome === 'TASKER_REJECTED') {
        if (!probe || !rejected) {
          logger.error('Tasker refused the gateway’s signature (TASKER_REJECTED): check TASKER_SIGNING_SECRET on both sides and the clocks', {
            operation,
            requestId,
            status,
          });
        }
        rejected = true;
      } else if (status !== null && status < 500) rejected = false;
      // A 5xx is Tasker answering badly, not being away; both end the same way for the agent.
      if (UNREACHABLE.has(outcome)) {
        if (!down) logger.warn('Tasker is not answering (or answers 5xx); agent calls fail until it is back', { operation, requestId, code: outcome, status });
        down = true;
        if (!probe) logger.warn('Tasker call failed after its retries', { operation, requestId, code: outcome, status, attempts, latencyMs });
      } else if (down && status !== null && status < 500) {
        down = false;
        logger.info('Tasker answers again', { operation, requestId, status });
      }
    },
  };
}

/** Tasker's side of the metrics: call latency by endpoint and status class, and the retries. */
export const taskerMetrics: TaskerObserver = {
  retrying: (call) => countTaskerRetry(call.operation, call.code),
  finished: (call) => observeTaskerCall(call.operation, call.status, call.latencyMs / 1000),
};

/** Several observers as one (logs, metrics, reachability), each told of every event in order. */
export function allObservers(...observers: TaskerObserver[]): TaskerObserver {
  return {
    retrying: (call) => {
      for (const observer of observers) observer.retrying(call);
    },
    finished: (call) => {
      for (const observer of observers) observer.finished(call);
    },
  };
}
