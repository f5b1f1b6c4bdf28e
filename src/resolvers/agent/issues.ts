import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Scope } from '../../auth/scopes.js';
import { forbidden } from '../../errors/gateway-error.js';
import { parseInput } from '../../errors/zod.js';
import { IdempotencyKeySchema, runIdempotent } from '../../idempotency/idempotency.js';
import { type IssueChanges, type NewIssue, PRIORITIES } from '../../tasker/contract.js';
import type { CallContext, GatewayDeps } from '../context.js';
import { DEFAULT_PAGE_SIZE, type Page, PageSizeSchema } from '../pagination.js';
import { type AgentCall, noteTasker, requireProjectScope, runAgentCall } from './agent-call.js';
import { TaskerIdSchema } from './projects.js';
import { type CommentView, type IssueView, toCommentView, toIssueView } from './views.js';
import * as checks from './write-checks.js';

const IsoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'expected a date as YYYY-MM-DD' })
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), {
    message: 'not a real calendar date',
  });
const TitleSchema = z.string().trim().min(1, { message: 'title must not be empty' }).max(255);
const DescriptionSchema = z.string().max(100_000, { message: 'description is at most 100000 characters' });
const IdListSchema = z
  .array(TaskerIdSchema)
  .max(50, { message: 'at most 50 ids' })
  .refine((ids) => new Set(ids).size === ids.length, { message: 'ids must not repeat' });

// ---------- reads ----------

export const ListIssuesInputSchema = z.strictObject({
  projectId: TaskerIdSchema,
  stateId: TaskerIdSchema.optional(),
  labelId: TaskerIdSchema.optional(),
  assigneeId: TaskerIdSchema.optional(),
  search: z.string().trim().min(1).max(200).optional(),
  first: PageSizeSchema.default(DEFAULT_PAGE_SIZE),
  after: z.string().min(1).max(500).optional(),
});

export async function listIssues(
  deps: GatewayDeps,
  ctx: CallContext,
  rawInput: z.input<typeof ListIssuesInputSchema>,
): Promise<Page<IssueView>> {
  const input = parseInput(ListIssuesInputSchema, rawInput);
  return runAgentCall(deps, ctx, 'issues', async (call) => {
    call.record.targetType = 'project';
    call.record.targetId = input.projectId;
    requireProjectScope(call, input.projectId, 'issues:read');
    const list = noteTasker(
      call,
      await deps.tasker.listIssues(call.caller, {
        projectId: input.projectId,
        limit: input.first,
        ...(input.stateId ? { stateId: input.stateId } : {}),
        ...(input.labelId ? { labelId: input.labelId } : {}),
        ...(input.assigneeId ? { assigneeId: input.assigneeId } : {}),
        ...(input.search ? { search: input.search } : {}),
        ...(input.after ? { cursor: input.after } : {}),
      }),
    );
    // Tasker answers in its own project's terms; an issue from elsewhere would be a contract breach.
    const nodes = list.issues.filter((issue) => issue.project_id === input.projectId).slice(0, input.first);
    return { nodes: nodes.map(toIssueView), pageInfo: { hasNextPage: list.next_cursor !== null, endCursor: list.next_cursor } };
  });
}

/**
 * Issue-addressed calls learn the issue's project from Tasker first and are allowed only when the
 * agent holds `scope` on that project, so an issue id can never reach across a grant.
 */
async function locateIssue(deps: GatewayDeps, call: AgentCall, issueId: string, scope: Scope) {
  call.record.targetType = 'issue';
  call.record.targetId = issueId;
  const issue = noteTasker(call, await deps.tasker.getIssue(call.caller, issueId));
  call.record.details.projectId = issue.project_id;
  if (!call.principal.grants.get(issue.project_id)?.has(scope)) {
    throw forbidden(`issue ${issueId} belongs to a project where this agent lacks ${scope}`, { issueId, scope });
  }
  return issue;
}

export async function getIssue(deps: GatewayDeps, ctx: CallContext, issueId: string): Promise<IssueView> {
  const id = parseInput(TaskerIdSchema, issueId);
  return runAgentCall(deps, ctx, 'issue', async (call) => toIssueView(await locateIssue(deps, call, id, 'issues:read')));
}

// ---------- writes ----------

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

const KeyField = { idempotencyKey: IdempotencyKeySchema.optional() };

export const CreateIssueInputSchema = z.strictObject({
  projectId: TaskerIdSchema,
  title: TitleSchema,
  description: DescriptionSchema.nullable().optional(),
  priority: z.enum(PRIORITIES).optional(),
  stateId: TaskerIdSchema.optional(),
  labelIds: IdListSchema.optional(),
  assigneeIds: IdListSchema.optional(),
  startDate: IsoDateSchema.nullable().optional(),
  targetDate: IsoDateSchema.nullable().optional(),
  ...KeyField,
});

export async function createIssue(
  deps: GatewayDeps,
  ctx: CallContext,
  rawInput: z.input<typeof CreateIssueInputSchema>,
): Promise<IssueView> {
  const { idempotencyKey, ...input } = parseInput(CreateIssueInputSchema, rawInput);
  return runAgentCall(deps, ctx, 'createIssue', async (call) => {
    call.record.targetType = 'project';
    call.record.targetId = input.projectId;
    requireProjectScope(call, input.projectId, 'issues:write');
    if (input.labelIds !== undefined) requireProjectScope(call, input.projectId, 'labels:write');
    if (input.assigneeIds !== undefined) requireProjectScope(call, input.projectId, 'assignees:write');
    const asked: NewIssue = {
      project_id: input.projectId,
      title: input.title,
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.priority !== undefined ? { priority: input.priority } : {}),
      ...(input.stateId !== undefined ? { state_id: input.stateId } : {}),
      ...(input.labelIds !== undefined ? { label_ids: input.labelIds } : {}),
      ...(input.assigneeIds !== undefined ? { assignee_ids: input.assigneeIds } : {}),
      ...(input.startDate !== undefined ? { start_date: input.startDate } : {}),
      ...(input.targetDate !== undefined ? { target_date: input.targetDate } : {}),
    };
    const view = await idempotentWrite(deps, call, 'createIssue', idempotencyKey, input, async (key) => {
      const issue = noteTasker(call, await deps.tasker.createIssue(call.caller, key, asked));
      checks.checkCreated(issue, asked);
      return toIssueView(issue);
    });
    call.record.details.issueId = view.id;
    return view;
  });
}

export const UpdateIssueInputSchema = z
  .strictObject({
    issueId: TaskerIdSchema,
    title: TitleSchema.optional(),
    description: DescriptionSchema.nullable().optional(),
    priority: z.enum(PRIORITIES).optional(),
    startDate: IsoDateSchema.nullable().optional(),
    targetDate: IsoDateSchema.nullable().optional(),
    ...KeyField,
  })
  .refine(
    (input) => [input.title, input.description, input.priority, input.startDate, input.targetDate].some((v) => v !== undefined),
    { message: 'name at least one field to change (title, description, priority, startDate, targetDate)' },
  );

/**
 * The frame every issue-addressed write shares: find the issue's project and check the scope
 * there, then write once under the idempotency key, in the project the check approved.
 */
async function writeToIssue<T>(
  deps: GatewayDeps,
  ctx: CallContext,
  spec: {
    tool: string;
    scope: Scope;
    issueId: string;
    idempotencyKey: string | undefined;
    input: Record<string, unknown>;
    /** Facts for the audit event, recorded even when the answer is a replay. */
    details?: Record<string, unknown>;
  },
  write: (call: AgentCall, taskerKey: string, projectId: string) => Promise<T>,
): Promise<T> {
  return runAgentCall(deps, ctx, spec.tool, async (call) => {
    const current = await locateIssue(deps, call, spec.issueId, spec.scope);
    Object.assign(call.record.details, spec.details);
    const input = { issueId: spec.issueId, ...spec.input };
    return idempotentWrite(deps, call, spec.tool, spec.idempotencyKey, input, (key) => write(call, key, current.project_id));
  });
}

export async function updateIssue(
  deps: GatewayDeps,
  ctx: CallContext,
  rawInput: z.input<typeof UpdateIssueInputSchema>,
): Promise<IssueView> {
  const { idempotencyKey, issueId, ...fields } = parseInput(UpdateIssueInputSchema, rawInput);
  const changes: IssueChanges = {
    ...(fields.title !== undefined ? { title: fields.title } : {}),
    ...(fields.description !== undefined ? { description: fields.description } : {}),
    ...(fields.priority !== undefined ? { priority: fields.priority } : {}),
    ...(fields.startDate !== undefined ? { start_date: fields.startDate } : {}),
    ...(fields.targetDate !== undefined ? { target_date: fields.targetDate } : {}),
  };
  const spec = { tool: 'updateIssue', scope: 'issues:write' as const, issueId, idempotencyKey, input: fields };
  return writeToIssue(deps, ctx, spec, async (call, key, projectId) => {
    const issue = noteTasker(call, await deps.tasker.updateIssue(call.caller, key, issueId, projectId, changes));
    checks.checkUpdated(issue, changes);
    return toIssueView(issue);
  });
}

export const MoveIssueInputSchema = z.strictObject({ issueId: TaskerIdSchema, stateId: TaskerIdSchema, ...KeyField });

export async function moveIssue(
  deps: GatewayDeps,
  ctx: CallContext,
  rawInput: z.input<typeof MoveIssueInputSchema>,
): Promise<IssueView> {
  const { idempotencyKey, issueId, stateId } = parseInput(MoveIssueInputSchema, rawInput);
  const spec = { tool: 'moveIssue', scope: 'issues:write' as const, issueId, idempotencyKey, input: { stateId }, details: { stateId } };
  return writeToIssue(deps, ctx, spec, async (call, key, projectId) => {
    const issue = noteTasker(call, await deps.tasker.moveIssue(call.caller, key, issueId, projectId, stateId));
    checks.checkMoved(issue, stateId);
    return toIssueView(issue);
  });
}

export const AddCommentInputSchema = z.strictObject({
  issueId: TaskerIdSchema,
  body: z.string().trim().min(1, { message: 'body must not be empty' }).max(20_000),
  ...KeyField,
});

export interface CommentResultView {
  comment: CommentView;
  issue: IssueView;
}

export async function addComment(
  deps: GatewayDeps,
  ctx: CallContext,
  rawInput: z.input<typeof AddCommentInputSchema>,
): Promise<CommentResultView> {
  const { idempotencyKey, issueId, body } = parseInput(AddCommentInputSchema, rawInput);
  const spec = { tool: 'addComment', scope: 'comments:write' as const, issueId, idempotencyKey, input: { body } };
  return writeToIssue(deps, ctx, spec, async (call, key, projectId) => {
    const result = noteTasker(call, await deps.tasker.addComment(call.caller, key, issueId, projectId, body));
    checks.checkCommented(result.comment, issueId, body);
    return { comment: toCommentView(result.comment), issue: toIssueView(result.issue) };
  });
}

export const SetIssueLabelsInputSchema = z.strictObject({ issueId: TaskerIdSchema, labelIds: IdListSchema, ...KeyField });

export async function setIssueLabels(
  deps: GatewayDeps,
  ctx: CallContext,
  rawInput: z.input<typeof SetIssueLabelsInputSchema>,
): Promise<IssueView> {
  const { idempotencyKey, issueId, labelIds } = parseInput(SetIssueLabelsInputSchema, rawInput);
  const spec = { tool: 'setIssueLabels', scope: 'labels:write' as const, issueId, idempotencyKey, input: { labelIds } };
  return writeToIssue(deps, ctx, spec, async (call, key, projectId) => {
    const issue = noteTasker(call, await deps.tasker.setLabels(call.caller, key, issueId, projectId, labelIds));
    checks.checkLabels(issue, labelIds);
    return toIssueView(issue);
  });
}

export const SetIssueAssigneesInputSchema = z.strictObject({ issueId: TaskerIdSchema, assigneeIds: IdListSchema, ...KeyField });

export async function setIssueAssignees(
  deps: GatewayDeps,
  ctx: CallContext,
  rawInput: z.input<typeof SetIssueAssigneesInputSchema>,
): Promise<IssueView> {
  const { idempotencyKey, issueId, assigneeIds } = parseInput(SetIssueAssigneesInputSchema, rawInput);
  const spec = { tool: 'setIssueAssignees', scope: 'assignees:write' as const, issueId, idempotencyKey, input: { assigneeIds } };
  return writeToIssue(deps, ctx, spec, async (call, key, projectId) => {
    const issue = noteTasker(call, await deps.tasker.setAssignees(call.caller, key, issueId, projectId, assigneeIds));
    checks.checkAssignees(issue, assigneeIds);
    return toIssueView(issue);
  });
}
