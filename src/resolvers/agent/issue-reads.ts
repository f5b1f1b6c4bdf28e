import { z } from 'zod';
import { parseInput } from '../../errors/zod.js';
import type { CallContext, GatewayDeps } from '../context.js';
import { DEFAULT_PAGE_SIZE, type Page, PageSizeSchema } from '../pagination.js';
import { noteTasker, runAgentCall } from './agent-call.js';
import { TaskerIdSchema } from './inputs.js';
import { locateIssue } from './issue-access.js';
import { grantedProject } from './project-access.js';
import { type IssueView, toIssueView } from './views.js';

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
    const projectId = await grantedProject(deps, call, input.projectId, 'issues:read');
    const list = noteTasker(
      call,
      await deps.tasker.listIssues(call.caller, {
        projectId,
        limit: input.first,
        ...(input.stateId ? { stateId: input.stateId } : {}),
        ...(input.labelId ? { labelId: input.labelId } : {}),
        ...(input.assigneeId ? { assigneeId: input.assigneeId } : {}),
        ...(input.search ? { search: input.search } : {}),
        ...(input.after ? { cursor: input.after } : {}),
      }),
    );
    // Tasker answers in its own project's terms; an issue from elsewhere would be a contract breach.
    const nodes = list.issues.filter((issue) => issue.project_id === projectId).slice(0, input.first);
    return { nodes: nodes.map(toIssueView), pageInfo: { hasNextPage: list.next_cursor !== null, endCursor: list.next_cursor } };
  });
}

export async function getIssue(deps: GatewayDeps, ctx: CallContext, issueId: string): Promise<IssueView> {
  const id = parseInput(TaskerIdSchema, issueId);
  return runAgentCall(deps, ctx, 'issue', async (call) => toIssueView(await locateIssue(deps, call, id, 'issues:read')));
}
