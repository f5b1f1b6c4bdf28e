import type { ConformanceContext } from './context.js';

/** One named contract rule; `run` throws (a ConformanceFailure, ideally) when the adapter breaks it. */
export interface ConformanceCheck {
  name: string;
  run(ctx: ConformanceContext): Promise<void>;
}
