import { z } from 'zod';
import { parseInput } from '../../errors/zod.js';
import type { CallContext, GatewayDeps } from '../context.js';
import { noteTasker } from './agent-call.js';
import { KeyField, TaskerIdSchema } from './inputs.js';
import { type CommentView, type IssueView, toCommentView, toIssueView } from './views.js';
import * as checks from './write-checks.js';
import { writeToIssue } from './write-frame.js';

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
