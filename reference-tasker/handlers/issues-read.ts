import { decodeCursor, decodeKeyset, encodeCursor, encodeKeyset } from '../cursor.js';
import { ApiError, notFound } from '../errors.js';
import { ListIssuesQuery, SearchBody } from '../schemas.js';
import { findIssueIds, findIssueIdsByKey, loadIssue, loadIssues, searchIssueIds } from '../store/issues.js';
import { listMemberProjects } from '../store/projects.js';
import type { SqlExecutor } from '../storage/sql.js';
import { requireMemberProject, requireReadableIssue } from './access.js';
import { parseWith, queryObject } from './parse.js';
import { checkLabelIds, checkMemberIds, checkStateId } from './references.js';
import { pathParam, type ReadRoute } from './route.js';

const DEFAULT_LIMIT = 50;

export const listIssues: ReadRoute = {
  kind: 'read',
  method: 'GET',
  path: '/issues',
  takesBody: false,
  async handle(request, db) {
    const query = parseWith(ListIssuesQuery, queryObject(request.query), 'query');
    const beforeSequenceId = query.cursor === undefined ? null : decodeCursor(query.cursor);
    const project = await requireMemberProject(db, query.project_id, request.actor.ownerUserId);
    // A filter naming something the project does not have is a client mistake, reported as
    // such rather than answered with an empty page that looks like "no issues".
    if (query.state_id !== undefined) await checkStateId(db, project.id, query.state_id);
    if (query.label_id !== undefined) await checkLabelIds(db, project.id, [query.label_id], 'label_id');
    if (query.assignee_id !== undefined) await checkMemberIds(db, project.id, [query.assignee_id], 'assignee_id');

    const limit = query.limit ?? DEFAULT_LIMIT;
    // One extra row tells whether there is a next page without a second query.
    const ids = await findIssueIds(db, {
      projectId: project.id,
      stateId: query.state_id ?? null,
      labelId: query.label_id ?? null,
      assigneeId: query.assignee_id ?? null,
      parentId: query.parent_id ?? null,
      search: query.search ?? null,
      includeArchived: query.include_archived ?? false,
      includeDrafts: query.include_drafts ?? false,
      beforeSequenceId,
      limit: limit + 1,
    });
    const issues = await loadIssues(db, ids.slice(0, limit));
    const last = issues.at(-1);
    const nextCursor = ids.length > limit && last !== undefined ? encodeCursor(last.sequence_id) : null;
    return { status: 200, body: { issues, next_cursor: nextCursor } };
  },
};

const KEY_PATTERN = /^([A-Za-z0-9]{1,12})-([1-9][0-9]{0,9})$/;

/** An issue named by id, or by key (`DEMO-12`, identifier in any case) among the owner's projects. */
export async function issueIdOf(db: SqlExecutor, ref: string, ownerUserId: string): Promise<string> {
  const key = KEY_PATTERN.exec(ref);
  if (key === null) return ref;
  const ids = await findIssueIdsByKey(db, key[1]!, Number(key[2]), ownerUserId);
  const [first] = ids;
  if (first === undefined) throw notFound('issue not found');
  if (ids.length > 1) throw new ApiError('AMBIGUOUS_ISSUE_KEY', 'several of the owner’s projects (in different workspaces) have an issue with this key; use its id');
  return first;
}

export const getIssue: ReadRoute = {
  kind: 'read',
  method: 'GET',
  path: '/issues/:issueId',
  takesBody: false,
  async handle(request, db) {
    const issueId = await issueIdOf(db, pathParam(request, 'issueId'), request.actor.ownerUserId);
    await requireReadableIssue(db, issueId, request.actor.ownerUserId);
    const issue = await loadIssue(db, issueId);
    if (issue === null) throw notFound('issue not found');
    return { status: 200, body: { issue } };
  },
};

/**
 * POST /issues/search: a read (the filters travel in the body). Projects the owner is not a member
 * of are skipped, not refused, so one revoked membership does not fail the whole search.
 */
export const searchIssues: ReadRoute = {
  kind: 'read',
  method: 'POST',
  path: '/issues/search',
  takesBody: true,
  async handle(request, db) {
    const body = parseWith(SearchBody, request.body, 'request body');
    const orderBy = body.order_by ?? '-updated_at';
    const after = body.cursor === undefined ? null : decodeKeyset(body.cursor, orderBy);
    const memberOf = new Set((await listMemberProjects(db, request.actor.ownerUserId)).map((project) => project.id));
    const projectIds = [...new Set(body.project_ids)].filter((projectId) => memberOf.has(projectId));
    const limit = body.limit ?? DEFAULT_LIMIT;
    const rows =
      projectIds.length === 0
        ? []
        : await searchIssueIds(db, {
            projectIds,
            text: body.text ?? null,
            stateGroups: body.state_groups ?? null,
            priorities: body.priorities ?? null,
            labelIds: body.label_ids ?? null,
            assigneeIds: body.assignee_ids ?? null,
            parentId: body.parent_id ?? null,
            updatedSince: body.updated_since ?? null,
            includeArchived: body.include_archived ?? false,
            includeDrafts: body.include_drafts ?? false,
            orderBy,
            after,
            limit: limit + 1,
          });
    const page = rows.slice(0, limit);
    const issues = await loadIssues(db, page.map((row) => row.id));
    const last = page.at(-1);
    const nextCursor = rows.length > limit && last !== undefined ? encodeKeyset(orderBy, last.sortKey, last.id) : null;
    return { status: 200, body: { issues, next_cursor: nextCursor } };
  },
};
