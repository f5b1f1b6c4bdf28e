import type { ConformanceContext } from '../context.js';
import { expectOk } from '../expect.js';
import { IssueListResponse, IssueResponse, type Issue } from '../schemas.js';

export function queryString(params: Readonly<Record<string, string>>): string {
  return new URLSearchParams(params).toString();
}

export function issuePath(issue: Pick<Issue, 'id'>, suffix = ''): string {
  return `/issues/${encodeURIComponent(issue.id)}${suffix}`;
}

/** One page of GET /issues in the main project, with the given extra parameters. */
export async function listPage(ctx: ConformanceContext, params: Readonly<Record<string, string>>, what: string) {
  const { project } = await ctx.project();
  const response = await ctx.client.call('GET', `/issues?${queryString({ project_id: project.id, ...params })}`);
  return expectOk(response, 200, IssueListResponse, what);
}

/** Ids of the main project's issues matching `search` plus filters, first page only (limit 100). */
export async function searchIds(ctx: ConformanceContext, search: string, filters: Readonly<Record<string, string>> = {}) {
  const page = await listPage(ctx, { search, limit: '100', ...filters }, `list issues matching "${search}"`);
  return page.issues.map((issue) => issue.id);
}

export async function fetchIssue(ctx: ConformanceContext, issue: Pick<Issue, 'id'>, what: string): Promise<Issue> {
  return expectOk(await ctx.client.call('GET', issuePath(issue)), 200, IssueResponse, what).issue;
}
