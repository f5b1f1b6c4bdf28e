import { z } from 'zod';
import { parseInput } from '../../errors/zod.js';
import { type IssueChanges, type NewIssue, PRIORITIES } from '../../tasker/contract.js';
import type { CallContext, GatewayDeps } from '../context.js';
import { noteTasker } from './agent-call.js';
import { DescriptionSchema, IdListSchema, IsoDateSchema, KeyField, TaskerIdSchema, TitleSchema } from './inputs.js';
import { type IssueView, toIssueView } from './views.js';
import * as checks from './write-checks.js';
import { writeToIssue, writeToProject } from './write-frame.js';

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
  const ask = (projectId: string): NewIssue => ({
    project_id: projectId,
    title: input.title,
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.priority !== undefined ? { priority: input.priority } : {}),
    ...(input.stateId !== undefined ? { state_id: input.stateId } : {}),
    ...(input.labelIds !== undefined ? { label_ids: input.labelIds } : {}),
    ...(input.assigneeIds !== undefined ? { assignee_ids: input.assigneeIds } : {}),
    ...(input.startDate !== undefined ? { start_date: input.startDate } : {}),
    ...(input.targetDate !== undefined ? { target_date: input.targetDate } : {}),
  });
  const spec = {
    tool: 'createIssue',
    projectRef: input.projectId,
    scopes: [
      'issues:write' as const,
      ...(input.labelIds !== undefined ? ['labels:write' as const] : []),
      ...(input.assigneeIds !== undefined ? ['assignees:write' as const] : []),
    ] as const,
    idempotencyKey,
    input,
    describe: (view: IssueView) => ({ issueId: view.id }),
  };
  return writeToProject(deps, ctx, spec, async (call, key, projectId) => {
    const asked = ask(projectId);
    const issue = noteTasker(call, await deps.tasker.createIssue(call.caller, key, asked));
    checks.checkCreated(issue, asked);
    return toIssueView(issue);
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
