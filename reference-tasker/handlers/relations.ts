import { ApiError, notFound, validationFailed } from '../errors.js';
import { RelationBody } from '../schemas.js';
import type { SqlExecutor } from '../storage/sql.js';
import { issueProjectId } from '../store/issues.js';
import { deletePair, findPair, insertPair, listRelations, samePair, toStored } from '../store/relations.js';
import { findProject } from '../store/projects.js';
import { requireReadableIssue, requireWritableIssue } from './access.js';
import { issueIdOf } from './issues-read.js';
import { parseWith } from './parse.js';
import { pathParam, type ReadRoute, type WriteRoute } from './route.js';

export const listIssueRelations: ReadRoute = {
  kind: 'read',
  method: 'GET',
  path: '/issues/:issueId/relations',
  takesBody: false,
  async handle(request, db) {
    const issueId = await issueIdOf(db, pathParam(request, 'issueId'), request.actor.ownerUserId);
    await requireReadableIssue(db, issueId, request.actor.ownerUserId);
    const relations = await listRelations(db, issueId);
    // Only issues the owner may see are named.
    const visible = [];
    for (const relation of relations) {
      if ((await findProject(db, relation.issue.project_id, request.actor.ownerUserId)).project !== null) visible.push(relation);
    }
    return { status: 200, body: { relations: visible } };
  },
};

/** The other issue must exist, be visible to the owner, sit in the same workspace, and not be the issue itself. */
async function relatedIssue(db: SqlExecutor, issueId: string, relatedId: string, ownerUserId: string, workspaceId: string): Promise<string> {
  if (relatedId === issueId) throw validationFailed('an issue cannot be related to itself', { field: 'related_issue_id' });
  const projectId = await issueProjectId(db, relatedId);
  const project = projectId === null ? null : (await findProject(db, projectId, ownerUserId)).project;
  if (project === null) throw validationFailed('related_issue_id names no issue the owner can see', { field: 'related_issue_id' });
  if (project.workspace.id !== workspaceId) {
    throw validationFailed('related_issue_id is in another workspace', { field: 'related_issue_id' });
  }
  return relatedId;
}

export const addIssueRelation: WriteRoute = {
  kind: 'write',
  method: 'POST',
  path: '/issues/:issueId/relations',
  async handle(request, db) {
    const issueId = pathParam(request, 'issueId');
    const body = parseWith(RelationBody, request.body, 'request body');
    const project = await requireWritableIssue(db, issueId, body.project_id, request.actor.ownerUserId);
    const related = await relatedIssue(db, issueId, body.related_issue_id, request.actor.ownerUserId, project.workspace.id);
    const wanted = toStored(issueId, body.relation_type, related);
    const existing = await findPair(db, issueId, related);
    // Plane keeps one relation per pair: the same one again changes nothing; another is a conflict.
    if (existing !== null && !samePair(existing, wanted)) {
      throw new ApiError('RELATION_EXISTS', 'the two issues are already related in another way; remove that relation first');
    }
    if (existing === null) await insertPair(db, wanted, request.now);
    return {
      status: 200,
      body: { relations: await listRelations(db, issueId) },
      activity: { action: 'issue.relation_added', projectId: body.project_id, issueId },
      history: existing === null ? [{ verb: 'added', field: body.relation_type, old_value: null, new_value: related }] : [],
    };
  },
};

export const removeIssueRelation: WriteRoute = {
  kind: 'write',
  method: 'POST',
  path: '/issues/:issueId/relations/remove',
  async handle(request, db) {
    const issueId = pathParam(request, 'issueId');
    const body = parseWith(RelationBody, request.body, 'request body');
    await requireWritableIssue(db, issueId, body.project_id, request.actor.ownerUserId);
    const existing = await findPair(db, issueId, body.related_issue_id);
    if (existing === null || !samePair(existing, toStored(issueId, body.relation_type, body.related_issue_id))) {
      throw notFound('no such relation on this issue');
    }
    await deletePair(db, existing);
    return {
      status: 200,
      body: { relations: await listRelations(db, issueId) },
      activity: { action: 'issue.relation_removed', projectId: body.project_id, issueId },
      history: [{ verb: 'removed', field: body.relation_type, old_value: body.related_issue_id, new_value: null }],
    };
  },
};
