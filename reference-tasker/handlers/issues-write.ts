import { randomUUID } from 'node:crypto';
import type { Issue } from '../contract.js';
import { CreateIssueBody, MoveIssueBody, SetAssigneesBody, SetLabelsBody, UpdateIssueBody } from '../schemas.js';
import type { SqlExecutor } from '../storage/sql.js';
import {
  insertIssue,
  loadIssue,
  replaceIssueAssignees,
  replaceIssueLabels,
  setIssueState,
  touchIssue,
  updateIssue,
} from '../store/issues.js';
import { takeIssueSequence } from '../store/projects.js';
import { requireMemberProject, requireWritableIssue } from './access.js';
import { parseWith } from './parse.js';
import { checkAssigneeIds, checkLabelIds, checkStateId, stateIdOrDefault } from './references.js';
import { pathParam, type WriteRoute } from './route.js';

/** Reads back what was written, so every answer shows the issue as it now is. */
export async function reloadIssue(db: SqlExecutor, issueId: string): Promise<Issue> {
  const issue = await loadIssue(db, issueId);
  if (issue === null) throw new Error(`issue ${issueId} vanished inside its own transaction`);
  return issue;
}

export const createIssue: WriteRoute = {
  kind: 'write',
  method: 'POST',
  path: '/issues',
  async handle(request, db) {
    const body = parseWith(CreateIssueBody, request.body, 'request body');
    const project = await requireMemberProject(db, body.project_id, request.actor.ownerUserId);
    const stateId = await stateIdOrDefault(db, project.id, body.state_id);
    const labelIds = await checkLabelIds(db, project.id, body.label_ids ?? []);
    const assigneeIds = await checkAssigneeIds(db, project.id, body.assignee_ids ?? []);

    const issueId = randomUUID();
    await insertIssue(db, {
      id: issueId,
      projectId: project.id,
      sequenceId: await takeIssueSequence(db, project.id),
      title: body.title,
      description: body.description ?? null,
      priority: body.priority ?? 'none',
      stateId,
      startDate: body.start_date ?? null,
      targetDate: body.target_date ?? null,
      createdByAgentId: request.actor.agentId,
      createdByUserId: request.actor.ownerUserId,
      at: request.now,
    });
    await replaceIssueLabels(db, issueId, labelIds);
    await replaceIssueAssignees(db, issueId, assigneeIds);
    return {
      status: 201,
      body: { issue: await reloadIssue(db, issueId) },
      activity: { action: 'issue.created', projectId: project.id, issueId },
    };
  },
};

export const updateIssueFields: WriteRoute = {
  kind: 'write',
  method: 'PATCH',
  path: '/issues/:issueId',
  async handle(request, db) {
    const issueId = pathParam(request, 'issueId');
    const { project_id: projectId, ...changes } = parseWith(UpdateIssueBody, request.body, 'request body');
    await requireWritableIssue(db, issueId, projectId, request.actor.ownerUserId);
    await updateIssue(db, issueId, changes, request.now);
    return {
      status: 200,
      body: { issue: await reloadIssue(db, issueId) },
      activity: { action: 'issue.updated', projectId, issueId },
    };
  },
};

export const moveIssue: WriteRoute = {
  kind: 'write',
  method: 'POST',
  path: '/issues/:issueId/move',
  async handle(request, db) {
    const issueId = pathParam(request, 'issueId');
    const body = parseWith(MoveIssueBody, request.body, 'request body');
    await requireWritableIssue(db, issueId, body.project_id, request.actor.ownerUserId);
    await setIssueState(db, issueId, await checkStateId(db, body.project_id, body.state_id), request.now);
    return {
      status: 200,
      body: { issue: await reloadIssue(db, issueId) },
      activity: { action: 'issue.moved', projectId: body.project_id, issueId },
    };
  },
};

export const setIssueLabels: WriteRoute = {
  kind: 'write',
  method: 'PUT',
  path: '/issues/:issueId/labels',
  async handle(request, db) {
    const issueId = pathParam(request, 'issueId');
    const body = parseWith(SetLabelsBody, request.body, 'request body');
    await requireWritableIssue(db, issueId, body.project_id, request.actor.ownerUserId);
    await replaceIssueLabels(db, issueId, await checkLabelIds(db, body.project_id, body.label_ids));
    await touchIssue(db, issueId, request.now);
    return {
      status: 200,
      body: { issue: await reloadIssue(db, issueId) },
      activity: { action: 'issue.labels_set', projectId: body.project_id, issueId },
    };
  },
};

export const setIssueAssignees: WriteRoute = {
  kind: 'write',
  method: 'PUT',
  path: '/issues/:issueId/assignees',
  async handle(request, db) {
    const issueId = pathParam(request, 'issueId');
    const body = parseWith(SetAssigneesBody, request.body, 'request body');
    await requireWritableIssue(db, issueId, body.project_id, request.actor.ownerUserId);
    await replaceIssueAssignees(db, issueId, await checkAssigneeIds(db, body.project_id, body.assignee_ids));
    await touchIssue(db, issueId, request.now);
    return {
      status: 200,
      body: { issue: await reloadIssue(db, issueId) },
      activity: { action: 'issue.assignees_set', projectId: body.project_id, issueId },
    };
  },
};
