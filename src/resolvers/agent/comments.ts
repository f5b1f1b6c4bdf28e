import { z } from 'zod';
import { parseInput } from '../../errors/zod.js';
import { markdownToHtml } from '../../rich-text/index.js';
import type { CallContext, GatewayDeps } from '../context.js';
import { DEFAULT_PAGE_SIZE, type Page, PageSizeSchema } from '../pagination.js';
import { noteTasker, runAgentCall } from './agent-call.js';
import { DryRunField, KeyField, TaskerIdSchema } from './inputs.js';
import { locateIssue } from './issue-access.js';
import { type CommentView, readableText, toCommentView, toIssueView } from './views.js';
import * as checks from './write-checks.js';
import { writeToIssue } from './write-frame.js';
import { dryRun, written } from './write-result.js';

export const ListCommentsInputSchema = z.strictObject({
  issueId: TaskerIdSchema,
  first: PageSizeSchema.default(DEFAULT_PAGE_SIZE),
  after: z.string().min(1).max(500).optional(),
});

/** An issue's discussion, oldest first, each comment saying whether a person or an agent (for whom) wrote it. */
export async function listComments(deps: GatewayDeps, ctx: CallContext, rawInput: z.input<typeof ListCommentsInputSchema>): Promise<Page<CommentView>> {
  const input = parseInput(ListCommentsInputSchema, rawInput);
  return runAgentCall(deps, ctx, 'issueComments', async (call) => {
    const issue = await locateIssue(deps, call, input.issueId, 'issues:read');
    const page = noteTasker(
      call,
      await deps.tasker.listComments(call.caller, issue.id, { limit: input.first, ...(input.after ? { cursor: input.after } : {}) }),
    );
    // A comment of another issue would be a contract breach; it is dropped, not shown.
    const nodes = page.comments.filter((comment) => comment.issue_id === issue.id).slice(0, input.first);
    return { nodes: nodes.map(toCommentView), pageInfo: { hasNextPage: page.next_cursor !== null, endCursor: page.next_cursor } };
  });
}

export const AddCommentInputSchema = z.strictObject({
  issueId: TaskerIdSchema,
  body: z.string().trim().min(1, { message: 'body must not be empty' }).max(20_000),
  ...KeyField,
  ...DryRunField,
});

export async function addComment(deps: GatewayDeps, ctx: CallContext, rawInput: z.input<typeof AddCommentInputSchema>) {
  const { idempotencyKey, dryRun: isDryRun = false, issueId, body } = parseInput(AddCommentInputSchema, rawInput);
  const html = markdownToHtml(body);
  const spec = { tool: 'addComment', scope: 'comments:write' as const, issueRef: issueId, idempotencyKey, dryRun: isDryRun, input: { body } };
  return writeToIssue(deps, ctx, spec, {
    plan: async () => dryRun([{ field: 'comment', before: null, after: readableText(html).markdown }]),
    write: async (call, key, { current }) => {
      const result = noteTasker(call, await deps.tasker.addComment(call.caller, key, current.id, current.project_id, html));
      checks.checkCommented(result.comment, current.id, html);
      const comment = toCommentView(result.comment);
      return written([{ field: 'comment', before: null, after: comment.body }], { comment, issue: toIssueView(result.issue) });
    },
  });
}
