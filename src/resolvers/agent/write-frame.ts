import { randomUUID } from 'node:crypto';
import type { Scope } from '../../auth/scopes.js';
import { runIdempotent } from '../../idempotency/idempotency.js';
import type { CallContext, GatewayDeps } from '../context.js';
import { type AgentCall, requireProjectScope, runAgentCall } from './agent-call.js';
import { locateIssue } from './issue-access.js';
import { grantedProject } from './project-access.js';

/**
 * The one frame every agent write passes through, inside the call frame (agent-call.ts): the
 * grant check on the project the write lands in, then the write, once, under an idempotency key.
 * Issue-addressed writes use `writeToIssue`, project-addressed ones `writeToProject`; both end in
 * `idempotentWrite`, so a rule that must hold for every write belongs there.
 */
export interface WriteSpec<T> {
  tool: string;
  idempotencyKey: string | undefined;
  /** What the idempotency key is bound to: the same key with another input is refused. */
  input: Record<string, unknown>;
  /** Facts for the audit event, recorded even when the answer is a replay. */
  details?: Record<string, unknown>;
  /** Facts about the answer for the audit event (e.g. the id of what was created), replay or not. */
  describe?: (result: T) => Record<string, unknown>;
}

/**
 * Runs a write under the agent's idempotency key (or a fresh one, so the gateway's own retries
 * stay safe) and forwards that key to Tasker.
 */
async function idempotentWrite<T>(
  deps: GatewayDeps,
  call: AgentCall,
  operation: string,
  agentKey: string | undefined,
  input: unknown,
  write: (taskerKey: string) => Promise<T>,
): Promise<T> {
  if (agentKey === undefined) return write(randomUUID());
  call.record.details.idempotencyKey = agentKey;
  const run = await runIdempotent(
    deps.db,
    deps.now,
    { agentId: call.principal.agentId, key: agentKey, operation, input },
    // Tasker's own idempotency is scoped per agent too; namespacing by operation keeps one agent
    // key from ever meaning two different Tasker writes.
    () => write(`${operation}:${agentKey}`),
  );
  call.record.details.replayed = run.replayed;
  return run.result;
}

/**
 * An issue-addressed write: find the issue's project and check the scope there, then write once
 * under the idempotency key, in the project the check approved.
 */
export async function writeToIssue<T>(
  deps: GatewayDeps,
  ctx: CallContext,
  spec: WriteSpec<T> & { scope: Scope; issueId: string },
  write: (call: AgentCall, taskerKey: string, projectId: string) => Promise<T>,
): Promise<T> {
  return runAgentCall(deps, ctx, spec.tool, async (call) => {
    const current = await locateIssue(deps, call, spec.issueId, spec.scope);
    Object.assign(call.record.details, spec.details);
    const input = { issueId: spec.issueId, ...spec.input };
    const result = await idempotentWrite(deps, call, spec.tool, spec.idempotencyKey, input, (key) => write(call, key, current.project_id));
    Object.assign(call.record.details, spec.describe?.(result));
    return result;
  });
}

/**
 * A project-addressed write (creating an issue): the project is named by id or identifier, and
 * every scope in `scopes` must hold on that very project before anything is sent.
 */
export async function writeToProject<T>(
  deps: GatewayDeps,
  ctx: CallContext,
  spec: WriteSpec<T> & { scopes: readonly [Scope, ...Scope[]]; projectRef: string },
  write: (call: AgentCall, taskerKey: string, projectId: string) => Promise<T>,
): Promise<T> {
  return runAgentCall(deps, ctx, spec.tool, async (call) => {
    const [first, ...more] = spec.scopes;
    const projectId = await grantedProject(deps, call, spec.projectRef, first);
    for (const scope of more) requireProjectScope(call, projectId, scope);
    Object.assign(call.record.details, spec.details);
    const writeOnce = (key: string) => write(call, key, projectId);
    const result = await idempotentWrite(deps, call, spec.tool, spec.idempotencyKey, spec.input, writeOnce);
    Object.assign(call.record.details, spec.describe?.(result));
    return result;
  });
}
