import { randomUUID } from 'node:crypto';
import { CommentBody } from '../schemas.js';
import { insertComment } from '../store/comments.js';
import { requireWritableIssue } from './access.js';
import { reloadIssue } from './issues-write.js';
import { parseWith } from './parse.js';
import { pathParam, type WriteRoute } from './route.js';

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
      body: body.body,
      agentId: request.actor.agentId,
      ownerUserId: request.actor.ownerUserId,
      at: request.now,
    });
    return {
      status: 201,
      body: { issue: await reloadIssue(db, issueId), comment },
      activity: { action: 'issue.commented', projectId: body.project_id, issueId },
    };
  },
};
