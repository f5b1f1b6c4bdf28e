import { randomUUID } from 'node:crypto';
import { ApiError, notFound } from '../errors.js';
import { LinkBody, RemoveLinkBody } from '../schemas.js';
import { deleteLink, insertLink, listLinks } from '../store/links.js';
import { requireReadableIssue, requireWritableIssue } from './access.js';
import { issueIdOf } from './issues-read.js';
import { parseWith } from './parse.js';
import { pathParam, type ReadRoute, type WriteRoute } from './route.js';

export const listIssueLinks: ReadRoute = {
  kind: 'read',
  method: 'GET',
  path: '/issues/:issueId/links',
  takesBody: false,
  async handle(request, db) {
    const issueId = await issueIdOf(db, pathParam(request, 'issueId'), request.actor.ownerUserId);
    await requireReadableIssue(db, issueId, request.actor.ownerUserId);
    return { status: 200, body: { links: await listLinks(db, issueId) } };
  },
};

export const addIssueLink: WriteRoute = {
  kind: 'write',
  method: 'POST',
  path: '/issues/:issueId/links',
  async handle(request, db) {
    const issueId = pathParam(request, 'issueId');
    const body = parseWith(LinkBody, request.body, 'request body');
    await requireWritableIssue(db, issueId, body.project_id, request.actor.ownerUserId);
    // Plane: "URL already exists for this Issue".
    if ((await listLinks(db, issueId)).some((link) => link.url === body.url)) {
      throw new ApiError('LINK_EXISTS', 'this URL is already linked to the issue');
    }
    const id = randomUUID();
    await insertLink(db, {
      id,
      issueId,
      url: body.url,
      title: body.title ?? null,
      agentId: request.actor.agentId,
      userId: request.actor.ownerUserId,
      at: request.now,
    });
    return {
      status: 201,
      body: { links: await listLinks(db, issueId) },
      activity: { action: 'issue.link_added', projectId: body.project_id, issueId },
      history: [{ verb: 'added', field: 'link', old_value: null, new_value: body.url }],
    };
  },
};

export const removeIssueLink: WriteRoute = {
  kind: 'write',
  method: 'POST',
  path: '/issues/:issueId/links/remove',
  async handle(request, db) {
    const issueId = pathParam(request, 'issueId');
    const body = parseWith(RemoveLinkBody, request.body, 'request body');
    await requireWritableIssue(db, issueId, body.project_id, request.actor.ownerUserId);
    const removed = await deleteLink(db, issueId, body.link_id);
    if (removed === null) throw notFound('no such link on this issue');
    return {
      status: 200,
      body: { links: await listLinks(db, issueId) },
      activity: { action: 'issue.link_removed', projectId: body.project_id, issueId },
      history: [{ verb: 'removed', field: 'link', old_value: removed.url, new_value: null }],
    };
  },
};
