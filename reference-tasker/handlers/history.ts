import { decodePosition, encodePosition } from '../cursor.js';
import { ActivityQuery } from '../schemas.js';
import { listHistory } from '../store/history.js';
import { requireReadableIssue } from './access.js';
import { issueIdOf } from './issues-read.js';
import { parseWith, queryObject } from './parse.js';
import { pathParam, type ReadRoute } from './route.js';

/** An issue's history, oldest first, optionally only since a time: "what happened since I looked". */
export const listIssueActivity: ReadRoute = {
  kind: 'read',
  method: 'GET',
  path: '/issues/:issueId/activity',
  takesBody: false,
  async handle(request, db) {
    const query = parseWith(ActivityQuery, queryObject(request.query), 'query');
    const after = query.cursor === undefined ? null : decodePosition(query.cursor);
    const issueId = await issueIdOf(db, pathParam(request, 'issueId'), request.actor.ownerUserId);
    await requireReadableIssue(db, issueId, request.actor.ownerUserId);
    const limit = query.limit ?? 50;
    const rows = await listHistory(db, issueId, { afterSeq: after, since: query.since ?? null, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      status: 200,
      body: { activity: page.map((row) => row.entry), next_cursor: rows.length > limit && last ? encodePosition(last.seq) : null },
    };
  },
};
