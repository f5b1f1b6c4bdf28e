import { randomUUID } from 'node:crypto';
import type { Scope } from '../../auth/scopes.js';
import { forbidden } from '../../errors/gateway-error.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { runIdempotent } from '../../idempotency/idempotency.js';
import { noteAnswerIdempotencyKey } from '../../idempotency/answer-key.js';
import { idempotencyKeyHash } from '../../idempotency/key-hash.js';
import { findSecretsIn } from '../../secrets/scan.js';
import type { TaskerIssue, TaskerProject } from '../../tasker/contract.js';
import { TaskerCallError } from '../../tasker/tasker-error.js';
import type { CallContext, GatewayDeps } from '../context.js';
import { type AgentCall, noteTasker, requireProjectScope, runAgentCall } from './agent-call.js';
import { locateIssue } from './issue-access.js';
import { grantedProject } from './project-access.js';
import type { WriteResult } from './write-result.js';

/**
 * The one frame every agent write passes through, inside the call frame (agent-call.ts): the
 * grant check on the project the write lands in, the owner's role there (Plane's guests do not
 * write), the write's own checks, then either a dry run (nothing sent, no key spent, audited as a
 * dry run) or the write, once, under an idempotency key. Issue-addressed writes use
 * `writeToIssue`, project-addressed ones `writeToProject`; both end in `idempotentWrite`, so a
 * rule that must hold for every write belongs here.
 */
export interface WriteSpec {
  tool: string;
  idempotencyKey: string | undefined;
  dryRun: boolean;
  /** What the idempotency key is bound to: the same key with another input is refused. */
  input: Record<string, unknown>;
  /** Facts for the audit event, recorded even when the answer is a replay. */
  details?: Record<string, unknown>;
}

/** Where a write lands, as the frame found it: the project, and the issue before the write (null for a create). */
export interface WriteTarget<Current extends TaskerIssue | null = TaskerIssue | null> {
  project: TaskerProject;
  current: Current;
}

export interface WriteSteps<Current extends TaskerIssue | null> {
  /** Checks that need Tasker's current state; they run for dry runs and real writes alike. */
  check?: (call: AgentCall, target: WriteTarget<Current>) => Promise<void>;
  /** What the write would do, computed without writing. */
  plan: (call: AgentCall, target: WriteTarget<Current>) => Promise<WriteResult>;
  write: (call: AgentCall, taskerKey: string, target: WriteTarget<Current>) => Promise<WriteResult>;
}

/**
 * Agent-written text never carries a credential to Tasker (or into the idempotency store): any
 * string of the write's input that holds one (src/secrets/rules.ts) refuses the whole write with
 * SECRET_DETECTED, naming the kind, the field and the position, never the value.
 */
function refuseSecrets(call: AgentCall, input: Record<string, unknown>): void {
  const findings = findSecretsIn(input);
  if (findings.length === 0) return;
  const where = findings.map((finding) => `${finding.kind} in ${finding.field} at characters ${finding.start}–${finding.end}`);
  call.record.details.secretsFound = findings;
  throw new GatewayError(
    'SECRET_DETECTED',
    `the input holds what looks like a credential (${where.join('; ')}); remove it and send the text again — the gateway does not pass credentials on to Tasker`,
    { details: { findings } },
  );
}

/** The key is agent-written text too: a credential must not become a stored key either. */
const withKey = (spec: Pick<WriteSpec, 'input' | 'idempotencyKey'>) => ({ ...spec.input, ...(spec.idempotencyKey === undefined ? {} : { idempotencyKey: spec.idempotencyKey }) });

/**
 * Runs a write under the agent's idempotency key, or one the gateway makes when the agent gives
 * none: every write can be retried without writing twice, and the answer names the key
 * (`extensions.idempotencyKey`). The key goes to Tasker as `<operation>:<key>`, so Tasker
 * deduplicates a retry whose first attempt it applied but never answered.
 */
async function idempotentWrite<T>(
  deps: GatewayDeps,
  call: AgentCall,
  ctx: CallContext,
  operation: string,
  agentKey: string | undefined,
  input: unknown,
  write: (taskerKey: string) => Promise<T>,
): Promise<T> {
  const key = agentKey ?? randomUUID();
  noteAnswerIdempotencyKey(ctx, key);
  // The audit names the key by its stored hash (the key itself is agent-written text).
  call.record.details.idempotencyKeyHash = idempotencyKeyHash(call.principal.agentId, key);
  if (agentKey === undefined) call.record.details.idempotencyKeyMadeByGateway = true;
  try {
    const run = await runIdempotent(
      deps.db,
      deps.now,
      { agentId: call.principal.agentId, key, operation, input },
      // Tasker's own idempotency is scoped per agent too; namespacing by operation keeps one agent
      // key from ever meaning two different Tasker writes.
      () => write(`${operation}:${key}`),
    );
    call.record.details.replayed = run.replayed;
    return run.result;
  } catch (error) {
    if (error instanceof TaskerCallError && error.outcomeUnknown) throw outcomeUnknown(error, key);
    throw error;
  }
}

/**
 * Tasker may have applied the write: saying "failed" could make the agent write again, and saying
 * "done" could be false. The agent hears exactly that, with the key that makes a retry safe (the
 * key is in `details` only, so the audit's reason never holds it).
 */
function outcomeUnknown(cause: TaskerCallError, key: string): TaskerCallError {
  return new TaskerCallError(
    'WRITE_OUTCOME_UNKNOWN',
    `the write reached Tasker but no answer came back (${cause.code}: ${cause.message}), so whether it was applied is unknown; ` +
      'call the tool again with the same input and the idempotencyKey in details (it was applied at most once and a retry never applies it twice)',
    cause.taskerStatus,
    cause.latencyMs,
    { idempotencyKey: key, cause: cause.code },
    true,
  );
}

/** Plane's guests read but never write; the gateway says so before Tasker has to. */
async function writableProject(deps: GatewayDeps, call: AgentCall, projectId: string): Promise<TaskerProject> {
  const project = noteTasker(call, await deps.tasker.getProject(call.caller, projectId));
  if (project.owner_role === 'guest') {
    throw forbidden(
      `the agent's owner is a guest in project ${project.identifier}; in Tasker guests can read but not write, so this agent cannot write there`,
      { projectId, reason: 'GUEST_OWNER' },
    );
  }
  return project;
}

/**
 * After the grant check: a dry run checks and plans; a write first looks for a stored answer under
 * its key (a replay needs nothing from Tasker), and only a first run checks the owner's role and
 * the write's own rules, then writes.
 */
async function perform<Current extends TaskerIssue | null>(
  deps: GatewayDeps,
  call: AgentCall,
  ctx: CallContext,
  spec: WriteSpec,
  steps: WriteSteps<Current>,
  locate: { projectId: string; current: Current },
): Promise<WriteResult> {
  // Before any text leaves for Tasker, dry run or not.
  refuseSecrets(call, withKey(spec));
  Object.assign(call.record.details, spec.details);
  const prepare = async (): Promise<WriteTarget<Current>> => {
    const target = { project: await writableProject(deps, call, locate.projectId), current: locate.current };
    await steps.check?.(call, target);
    return target;
  };
  if (spec.dryRun) {
    call.record.details.dryRun = true;
    return steps.plan(call, await prepare());
  }
  const result = await idempotentWrite(deps, call, ctx, spec.tool, spec.idempotencyKey, spec.input, async (key) => {
    const target = await prepare();
    const written = await steps.write(call, key, target);
    // Each write checks its fields; whether Tasker answered about the issue written to holds for all.
    if (target.current !== null && written.issue !== null && written.issue.id !== target.current.id) {
      throw new GatewayError('TASKER_WRITE_NOT_APPLIED', `Tasker answered a write to ${target.current.key} with another issue; nothing is confirmed, check the issue before retrying`, {
        details: { mismatched: ['id'] },
      });
    }
    return written;
  });
  if (result.issue !== null) call.record.details.issueId = result.issue.id;
  return result;
}

/** An issue-addressed write: the scope is checked on the issue's own project. */
export async function writeToIssue(
  deps: GatewayDeps,
  ctx: CallContext,
  spec: WriteSpec & { scope: Scope; issueRef: string },
  steps: WriteSteps<TaskerIssue>,
): Promise<WriteResult> {
  return runAgentCall(deps, ctx, spec.tool, async (call) => {
    const current = await locateIssue(deps, call, spec.issueRef, spec.scope);
    const input = { issueId: current.id, ...spec.input };
    return perform(deps, call, ctx, { ...spec, input }, steps, { projectId: current.project_id, current });
  });
}

/**
 * A project-addressed write (creating an issue): the project is named by id or identifier, and
 * every scope in `scopes` must hold on that very project before anything is sent.
 */
export async function writeToProject(
  deps: GatewayDeps,
  ctx: CallContext,
  spec: WriteSpec & { scopes: readonly [Scope, ...Scope[]]; projectRef: string },
  steps: WriteSteps<null>,
): Promise<WriteResult> {
  return runAgentCall(deps, ctx, spec.tool, async (call) => {
    const [first, ...more] = spec.scopes;
    const projectId = await grantedProject(deps, call, spec.projectRef, first);
    for (const scope of more) requireProjectScope(call, projectId, scope);
    return perform(deps, call, ctx, spec, steps, { projectId, current: null });
  });
}
