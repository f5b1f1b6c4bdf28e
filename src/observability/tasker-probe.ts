import type { Logger } from '../logging/logger.js';
import type { TaskerClient, TaskerObserver } from '../tasker/client.js';

/**
 * Asks Tasker, on a timer, whether it answers, so that /readyz, the metrics and the log know
 * Tasker's state before the first agent call and while no agent calls. Each probe is one signed,
 * cheap read (TaskerClient.probe) whose outcome goes to the same observers as an agent's call:
 * reachability (readiness, metrics) and the log, which speaks only when the state changes.
 *
 * The first probe runs at once; the next ones every `intervalMs` give or take 20 %, so replicas
 * started together do not probe Tasker in step. The timer never keeps the process alive, and
 * `stop` (at shutdown) cancels the probe in flight without reporting it.
 */
export interface TaskerProbeOptions {
  tasker: Pick<TaskerClient, 'probe'>;
  observer: TaskerObserver;
  intervalMs: number;
  logger: Logger;
  /** [0, 1); the jitter's source. */
  random?: () => number;
}

export interface TaskerProbe {
  stop(): Promise<void>;
}

const JITTER = 0.2;

export function startTaskerProbe(options: TaskerProbeOptions): TaskerProbe {
  const random = options.random ?? Math.random;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  const probeOnce = async () => {
    try {
      const observation = await options.tasker.probe(abort.signal);
      // A probe cut by the shutdown says nothing about Tasker.
      if (!abort.signal.aborted) options.observer.finished(observation);
    } catch (error) {
      // The client's probe does not throw; an observer that did must not end the timer.
      options.logger.error('Tasker probe: unexpected error', { error: error instanceof Error ? error.message : String(error) });
    }
  };
  const schedule = () => {
    if (abort.signal.aborted) return;
    const waitMs = options.intervalMs * (1 - JITTER + 2 * JITTER * random());
    timer = setTimeout(run, waitMs);
    timer.unref();
  };
  function run() {
    inFlight = probeOnce().finally(() => {
      inFlight = undefined;
      schedule();
    });
  }
  run();

  return {
    stop: async () => {
      abort.abort();
      clearTimeout(timer);
      await inFlight;
    },
  };
}
