import type { ConformanceCheck } from './check.js';
import { authChecks } from './checks/auth.js';
import { idempotencyChecks } from './checks/idempotency.js';
import { issueReadChecks } from './checks/issues-read.js';
import { issueWriteChecks } from './checks/issues-write.js';
import { projectChecks } from './checks/projects.js';
import { routingChecks } from './checks/routing.js';
import { toolsetChecks } from './checks/toolset.js';

export type { ConformanceCheck } from './check.js';
export { createConformanceContext, type ConformanceContext, type ConformanceOptions } from './context.js';

/**
 * The contract conformance suite, in run order. Every check uses only data it creates itself
 * and the projects its options name, so it can run against any adapter, the real Tasker included.
 */
export const checks: readonly ConformanceCheck[] = [
  ...authChecks,
  ...routingChecks,
  ...projectChecks,
  ...issueReadChecks,
  ...issueWriteChecks,
  ...idempotencyChecks,
  ...toolsetChecks,
];
