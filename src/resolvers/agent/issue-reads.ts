import { z } from 'zod';
import { parseInput } from '../../errors/zod.js';
import type { CallContext, GatewayDeps } from '../context.js';
import { DEFAULT_PAGE_SIZE, type Page, PageSizeSchema } from '../pagination.js';
import { badInput, GatewayError } from '../../errors/gateway-error.js';
import { PRIORITIES, type SearchOrder, STATE_GROUPS } from '../../tasker/contract.js';
import { type AgentCall, noteTasker, runAgentCall } from './agent-call.js';
import { IdListSchema, TaskerIdSchema } from './inputs.js';
import { locateIssue } from './issue-access.js';
import { grantedProject } from './project-access.js';
import { type IssueView, toIssueView } from './views.js';

export const SEARCH_ORDER_NAMES = ['updated', 'updated_asc', 'created', 'created_asc', 'priority', 'priority_asc'] as const;

export const ListIssuesInputSchema = z.strictObject({
  projectId: TaskerIdSchema,
  stateId: TaskerIdSchema.optional(),
  labelId: TaskerIdSchema.optional(),
  assigneeId: TaskerIdSchema.optional(),
  parentId: TaskerIdSchema.optional(),
  search: z.string().trim().min(1).max(200).optional(),
  includeArchived: z.boolean().optional(),
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
    // A parent named by key is looked up (and must be in this project, as sub-issues are in Plane).
    const parentId = input.parentId === undefined ? undefined : await parentInProject(deps, call, input.parentId, projectId);
    const list = noteTasker(
      call,
      await deps.tasker.listIssues(call.caller, {
        projectId,
        limit: input.first,
        ...(input.stateId ? { stateId: input.stateId } : {}),
        ...(input.labelId ? { labelId: input.labelId } : {}),
        ...(input.assigneeId ? { assigneeId: input.assigneeId } : {}),
        ...(parentId ? { parentId } : {}),
        ...(input.includeArchived ? { includeArchived: true } : {}),
        ...(input.search ? { search: input.search } : {}),
        ...(input.after ? { cursor: input.after } : {}),
      }),
    );
    // Tasker answers in its own project's terms; an issue from elsewhere would be a contract breach.
    const nodes = list.issues.filter((issue) => issue.project_id === projectId).slice(0, input.first);
    return { nodes: nodes.map(toIssueView), pageInfo: { hasNextPage: list.next_cursor !== null, endCursor: list.next_cursor } };
  });
}

/** A parent filter named by id or key, found only among the given projects. */
async function parentAmong(deps: GatewayDeps, call: AgentCall, parentRef: string, projectIds: ReadonlySet<string>): Promise<string> {
  try {
    const parent = noteTasker(call, await deps.tasker.getIssue(call.caller, parentRef));
    if (projectIds.has(parent.project_id)) return parent.id;
  } catch (error) {
    if (!(error instanceof GatewayError && (error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN'))) throw error;
  }
  throw badInput(`parent ${parentRef} is not an issue of the projects searched`, { field: 'parentId' });
}

const parentInProject = (deps: GatewayDeps, call: AgentCall, parentRef: string, projectId: string) =>
  parentAmong(deps, call, parentRef, new Set([projectId]));

export const SearchIssuesInputSchema = z.strictObject({
  /** Limit to these granted projects (ids or identifiers); all granted projects when left out. */
  projectIds: z.array(TaskerIdSchema).min(1).max(100).optional(),
  text: z.string().trim().min(1).max(200).optional(),
  stateGroups: z.array(z.enum(STATE_GROUPS)).min(1).max(6).optional(),
  priorities: z.array(z.enum(PRIORITIES)).min(1).max(5).optional(),
  labelIds: IdListSchema.min(1).optional(),
  assigneeIds: IdListSchema.min(1).optional(),
  parentId: TaskerIdSchema.optional(),
  updatedSince: z.iso.datetime({ offset: true, message: 'updatedSince must be an RFC 3339 timestamp' }).optional(),
  includeArchived: z.boolean().optional(),
  orderBy: z.enum(SEARCH_ORDER_NAMES).optional(),
  first: PageSizeSchema.default(DEFAULT_PAGE_SIZE),
  after: z.string().min(1).max(500).optional(),
});

const ORDER: Record<(typeof SEARCH_ORDER_NAMES)[number], SearchOrder> = {
  updated: '-updated_at',
  updated_asc: 'updated_at',
  created: '-created_at',
  created_asc: 'created_at',
  priority: 'priority',
  priority_asc: '-priority',
};

/**
 * Search across every project the agent may read issues in: Tasker is asked about exactly those,
 * and anything it answers from elsewhere is dropped, so a search never reaches past a grant.
 */
export async function searchIssues(deps: GatewayDeps, ctx: CallContext, rawInput: z.input<typeof SearchIssuesInputSchema>): Promise<Page<IssueView>> {
  const input = parseInput(SearchIssuesInputSchema, rawInput);
  return runAgentCall(deps, ctx, 'searchIssues', async (call) => {
    const readable = [...call.principal.grants].filter(([, scopes]) => scopes.has('issues:read')).map(([projectId]) => projectId);
    const projectIds =
      input.projectIds === undefined
        ? readable.sort()
        : await Promise.all(input.projectIds.map((ref) => grantedProject(deps, call, ref, 'issues:read')));
    call.record.details.projectIds = projectIds;
    if (projectIds.length === 0) return { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } };
    const allowed = new Set(projectIds);
    const parent = input.parentId === undefined ? undefined : await parentAmong(deps, call, input.parentId, allowed);
    const list = noteTasker(
      call,
      await deps.tasker.searchIssues(call.caller, {
        project_ids: [...allowed],
        limit: input.first,
        ...(input.text ? { text: input.text } : {}),
        ...(input.stateGroups ? { state_groups: input.stateGroups } : {}),
        ...(input.priorities ? { priorities: input.priorities } : {}),
        ...(input.labelIds ? { label_ids: input.labelIds } : {}),
        ...(input.assigneeIds ? { assignee_ids: input.assigneeIds } : {}),
        ...(parent ? { parent_id: parent } : {}),
        ...(input.updatedSince ? { updated_since: input.updatedSince } : {}),
        ...(input.includeArchived ? { include_archived: true } : {}),
        ...(input.orderBy ? { order_by: ORDER[input.orderBy] } : {}),
        ...(input.after ? { cursor: input.after } : {}),
      }),
    );
    const foreign = list.issues.filter((issue) => !allowed.has(issue.project_id));
    if (foreign.length > 0) call.record.details.droppedForeignIssues = foreign.length;
    const nodes = list.issues.filter((issue) => allowed.has(issue.project_id)).slice(0, input.first);
    return { nodes: nodes.map(toIssueView), pageInfo: { hasNextPage: list.next_cursor !== null, endCursor: list.next_cursor } };
  });
}

export async function getIssue(deps: GatewayDeps, ctx: CallContext, issueId: string): Promise<IssueView> {
  const id = parseInput(TaskerIdSchema, issueId);
  return runAgentCall(deps, ctx, 'issue', async (call) => toIssueView(await locateIssue(deps, call, id, 'issues:read')));
}
