import { z } from 'zod';
import { parseInput } from '../../errors/zod.js';
import type { CallContext, GatewayDeps } from '../context.js';
import { noteTasker } from './agent-call.js';
import { IdListSchema, KeyField, TaskerIdSchema } from './inputs.js';
import { type IssueView, toIssueView } from './views.js';
import * as checks from './write-checks.js';
import { writeToIssue } from './write-frame.js';

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
