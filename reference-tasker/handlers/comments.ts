import { randomUUID } from 'node:crypto';
import { decodePosition, encodePosition } from '../cursor.js';
import { CommentBody, PageQuery } from '../schemas.js';
import { insertComment, listComments } from '../store/comments.js';
import { requireReadableIssue, requireWritableIssue } from './access.js';
import { issueIdOf } from './issues-read.js';
import { reloadIssue } from './issues-write.js';
import { parseWith, queryObject } from './parse.js';
import { pathParam, type ReadRoute, type WriteRoute } from './route.js';

/** An issue's discussion, oldest first, paged. */
export const listIssueComments: ReadRoute = {
  kind: 'read',
  method: 'GET',
  path: '/issues/:issueId/comments',
  takesBody: false,
  async handle(request, db) {
    const query = parseWith(PageQuery, queryObject(request.query), 'query');
    const after = query.cursor === undefined ? 0 : decodePosition(query.cursor);
    const issueId = await issueIdOf(db, pathParam(request, 'issueId'), request.actor.ownerUserId);
    await requireReadableIssue(db, issueId, request.actor.ownerUserId);
    const limit = query.limit ?? 50;
    const rows = await listComments(db, issueId, after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      status: 200,
      body: { comments: page.map((row) => row.comment), next_cursor: rows.length > limit && last ? encodePosition(last.seq) : null },
    };
  },
};

/** The comment is authored by the agent on behalf of its owner; both are kept on it. */
export const addComment: WriteRoute = {
  kind: 'write',
  method: 'POST',
  path: '/issues/:issueId/comments',
  async handle(request, db) {
    const issueId = pathParam(request, 'issueId');
    const body = parseWith(CommentBody, request.body, 'request body');
    await requireWritableIssue(db, issueId, body.project_id, request.actor.ownerUserId);
    const comment = await insertComment(db, {
      id: randomUUID(),
      issueId,
      body: body.comment_html,
      agentId: request.actor.agentId,
      ownerUserId: request.actor.ownerUserId,
      at: request.now,
    });
    return {
      status: 201,
      body: { issue: await reloadIssue(db, issueId), comment },
      activity: { action: 'issue.commented', projectId: body.project_id, issueId },
      history: [{ verb: 'created', field: 'comment', old_value: null, new_value: comment.id }],
    };
  },
};
