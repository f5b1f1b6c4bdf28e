import { z } from 'zod';
import { parseInput } from '../../errors/zod.js';
import type { CallContext, GatewayDeps } from '../context.js';
import { DEFAULT_PAGE_SIZE, type Page, PageSizeSchema } from '../pagination.js';
import { noteTasker, runAgentCall } from './agent-call.js';
import { TaskerIdSchema } from './inputs.js';
import { locateIssue } from './issue-access.js';
import { type ActivityView, toActivityView } from './views.js';

export const IssueActivityInputSchema = z.strictObject({
  issueId: TaskerIdSchema,
  since: z.iso.datetime({ offset: true, message: 'since must be an RFC 3339 timestamp' }).optional(),
  first: PageSizeSchema.default(DEFAULT_PAGE_SIZE),
  after: z.string().min(1).max(500).optional(),
});

/** An issue's history, oldest first: who changed what, when; `since` answers "what happened since I looked". */
export async function issueActivity(deps: GatewayDeps, ctx: CallContext, rawInput: z.input<typeof IssueActivityInputSchema>): Promise<Page<ActivityView>> {
  const input = parseInput(IssueActivityInputSchema, rawInput);
  return runAgentCall(deps, ctx, 'issueActivity', async (call) => {
    const issue = await locateIssue(deps, call, input.issueId, 'issues:read');
    const page = noteTasker(
      call,
      await deps.tasker.listActivity(call.caller, issue.id, {
        limit: input.first,
        ...(input.after ? { cursor: input.after } : {}),
        ...(input.since ? { since: input.since } : {}),
      }),
    );
    const nodes = page.activity.filter((entry) => entry.issue_id === issue.id).slice(0, input.first);
    return { nodes: nodes.map(toActivityView), pageInfo: { hasNextPage: page.next_cursor !== null, endCursor: page.next_cursor } };
  });
}
