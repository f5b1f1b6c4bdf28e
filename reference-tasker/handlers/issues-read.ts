import { encodeCursor, decodeCursor } from '../cursor.js';
import { notFound } from '../errors.js';
import { ListIssuesQuery } from '../schemas.js';
import { findIssueIds, loadIssue, loadIssues } from '../store/issues.js';
import { requireMemberProject, requireReadableIssue } from './access.js';
import { parseWith, queryObject } from './parse.js';
import { checkAssigneeIds, checkLabelIds, checkStateId } from './references.js';
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
    if (query.assignee_id !== undefined) await checkAssigneeIds(db, project.id, [query.assignee_id], 'assignee_id');

    const limit = query.limit ?? DEFAULT_LIMIT;
    // One extra row tells whether there is a next page without a second query.
    const ids = await findIssueIds(db, {
      projectId: project.id,
      stateId: query.state_id ?? null,
      labelId: query.label_id ?? null,
      assigneeId: query.assignee_id ?? null,
      search: query.search ?? null,
      beforeSequenceId,
      limit: limit + 1,
    });
    const issues = await loadIssues(db, ids.slice(0, limit));
    const last = issues.at(-1);
    const nextCursor = ids.length > limit && last !== undefined ? encodeCursor(last.sequence_id) : null;
    return { status: 200, body: { issues, next_cursor: nextCursor } };
  },
};

export const getIssue: ReadRoute = {
  kind: 'read',
  method: 'GET',
  path: '/issues/:issueId',
  takesBody: false,
  async handle(request, db) {
    const issueId = pathParam(request, 'issueId');
    await requireReadableIssue(db, issueId, request.actor.ownerUserId);
    const issue = await loadIssue(db, issueId);
    if (issue === null) throw notFound('issue not found');
    return { status: 200, body: { issue } };
  },
};
