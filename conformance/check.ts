import type { ConformanceContext, ConformanceOptions } from './context.js';

/** One named contract rule; `run` throws (a ConformanceFailure, ideally) when the adapter breaks it. */
export interface ConformanceCheck {
  name: string;
  /** Why the check cannot run with these options (it needs something the run was not given); undefined: it runs. */
  skipReason?(options: ConformanceOptions): string | undefined;
  run(ctx: ConformanceContext): Promise<void>;
}
