import { createHash, randomUUID } from 'node:crypto';
import type { Issue } from '../contract.js';
import { ApiError, validationFailed } from '../errors.js';
import {
  ChangeAssigneesBody,
  ChangeLabelsBody,
  CreateIssueBody,
  MoveIssueBody,
  SetAssigneesBody,
  SetLabelsBody,
  UpdateIssueBody,
} from '../schemas.js';
import type { SqlExecutor } from '../storage/sql.js';
import {
  ancestorIds,
  EMPTY_HTML,
  insertIssue,
  issueProjectId,
  loadIssue,
  replaceIssueAssignees,
  replaceIssueLabels,
  setIssueState,
  touchIssue,
  updateIssue,
} from '../store/issues.js';
import { memberRoles, takeIssueSequence } from '../store/projects.js';
import { requireMemberProject, requireWritableIssue, requireWriter } from './access.js';
import { parseWith } from './parse.js';
import { checkAssigneeIds, checkLabelIds, checkStateId, stateIdOrDefault } from './references.js';
import { pathParam, type WriteRoute } from './route.js';

/** Reads back what was written, so every answer shows the issue as it now is. */
export async function reloadIssue(db: SqlExecutor, issueId: string): Promise<Issue> {
  const issue = await loadIssue(db, issueId);
  if (issue === null) throw new Error(`issue ${issueId} vanished inside its own transaction`);
  return issue;
}

/** Plane keeps a parent in the issue's own project, and a parent chain never loops. */
async function checkParent(db: SqlExecutor, projectId: string, parentId: string, issueId: string | null): Promise<string> {
  if ((await issueProjectId(db, parentId)) !== projectId) {
    throw validationFailed('parent_id names an issue that is not in this project', { field: 'parent_id' });
  }
  if (issueId !== null && (parentId === issueId || (await ancestorIds(db, parentId)).includes(issueId))) {
    throw validationFailed('parent_id would make the issue its own ancestor', { field: 'parent_id' });
  }
  return parentId;
}

export const createIssue: WriteRoute = {
  kind: 'write',
  method: 'POST',
  path: '/issues',
  async handle(request, db) {
    const body = parseWith(CreateIssueBody, request.body, 'request body');
    const project = requireWriter(await requireMemberProject(db, body.project_id, request.actor.ownerUserId));
    const stateId = await stateIdOrDefault(db, project, body.state_id);
    const labelIds = await checkLabelIds(db, project.id, body.label_ids ?? []);
    let assigneeIds = await checkAssigneeIds(db, project.id, body.assignee_ids ?? []);
    // Plane: with no assignees given, the project's default assignee, if it may be one.
    if (body.assignee_ids === undefined && project.default_assignee_id !== null) {
      const roles = await memberRoles(db, project.id, [project.default_assignee_id]);
      const role = roles.get(project.default_assignee_id);
      if (role !== undefined && role !== 'guest') assigneeIds = [project.default_assignee_id];
    }
    const parentId = body.parent_id === undefined ? null : await checkParent(db, project.id, body.parent_id, null);

    const issueId = randomUUID();
    await insertIssue(db, {
      id: issueId,
      projectId: project.id,
      sequenceId: await takeIssueSequence(db, project.id),
      title: body.title,
      description: body.description_html ?? EMPTY_HTML,
      priority: body.priority ?? 'none',
      stateId,
      parentId,
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

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export const updateIssueFields: WriteRoute = {
  kind: 'write',
  method: 'PATCH',
  path: '/issues/:issueId',
  async handle(request, db) {
    const issueId = pathParam(request, 'issueId');
    const body = parseWith(UpdateIssueBody, request.body, 'request body');
    const { project_id: projectId } = body;
    await requireWritableIssue(db, issueId, projectId, request.actor.ownerUserId);
    const current = await reloadIssue(db, issueId);
    // Plane checks the dates against the stored ones for a field the PATCH leaves out.
    const start = body.start_date === undefined ? current.start_date : body.start_date;
    const target = body.target_date === undefined ? current.target_date : body.target_date;
    if (start !== null && target !== null && start > target) {
      throw validationFailed('start_date cannot be after target_date', { field: 'start_date' });
    }
    if (body.if_description_sha256 !== undefined && sha256(current.description_html) !== body.if_description_sha256) {
      throw new ApiError('DESCRIPTION_CHANGED', 'the description changed since it was read; read it again');
    }
    const stored = current.description_html === EMPTY_HTML ? '' : current.description_html;
    const description =
      body.description_html ??
      (body.description_append_html === undefined ? undefined : `${stored}${body.description_append_html}`) ??
      (body.description_prepend_html === undefined ? undefined : `${body.description_prepend_html}${stored}`);
    const parentId = body.parent_id === undefined || body.parent_id === null ? body.parent_id : await checkParent(db, projectId, body.parent_id, issueId);
    await updateIssue(
      db,
      issueId,
      {
        ...(body.title === undefined ? {} : { title: body.title }),
        ...(description === undefined ? {} : { description_html: description === '' ? EMPTY_HTML : description }),
        ...(body.priority === undefined ? {} : { priority: body.priority }),
        ...(body.start_date === undefined ? {} : { start_date: body.start_date }),
        ...(body.target_date === undefined ? {} : { target_date: body.target_date }),
        ...(parentId === undefined ? {} : { parent_id: parentId }),
      },
      request.now,
    );
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

/** PATCH adds and removes some labels, leaving the others alone: two editors do not undo each other. */
export const changeIssueLabels: WriteRoute = {
  kind: 'write',
  method: 'PATCH',
  path: '/issues/:issueId/labels',
  async handle(request, db) {
    const issueId = pathParam(request, 'issueId');
    const body = parseWith(ChangeLabelsBody, request.body, 'request body');
    await requireWritableIssue(db, issueId, body.project_id, request.actor.ownerUserId);
    const add = await checkLabelIds(db, body.project_id, body.add_label_ids, 'add_label_ids');
    const remove = new Set(body.remove_label_ids);
    const current = (await reloadIssue(db, issueId)).label_ids;
    await replaceIssueLabels(db, issueId, [...new Set([...current, ...add])].filter((id) => !remove.has(id) || add.includes(id)));
    await touchIssue(db, issueId, request.now);
    return {
      status: 200,
      body: { issue: await reloadIssue(db, issueId) },
      activity: { action: 'issue.labels_changed', projectId: body.project_id, issueId },
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

export const changeIssueAssignees: WriteRoute = {
  kind: 'write',
  method: 'PATCH',
  path: '/issues/:issueId/assignees',
  async handle(request, db) {
    const issueId = pathParam(request, 'issueId');
    const body = parseWith(ChangeAssigneesBody, request.body, 'request body');
    await requireWritableIssue(db, issueId, body.project_id, request.actor.ownerUserId);
    const add = await checkAssigneeIds(db, body.project_id, body.add_assignee_ids, 'add_assignee_ids');
    const remove = new Set(body.remove_assignee_ids);
    const current = (await reloadIssue(db, issueId)).assignee_ids;
    await replaceIssueAssignees(db, issueId, [...new Set([...current, ...add])].filter((id) => !remove.has(id) || add.includes(id)));
    await touchIssue(db, issueId, request.now);
    return {
      status: 200,
      body: { issue: await reloadIssue(db, issueId) },
      activity: { action: 'issue.assignees_changed', projectId: body.project_id, issueId },
    };
  },
};
