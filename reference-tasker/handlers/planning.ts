import { ApiError, validationFailed } from '../errors.js';
import { ChangeModulesBody, SetCycleBody } from '../schemas.js';
import { changeIssueModules, setIssueCycle } from '../store/issues.js';
import { findCycle, listCycles, listModules } from '../store/planning.js';
import { requireMemberProject, requireWritableIssue } from './access.js';
import { reloadIssue } from './issues-write.js';
import { parseWith } from './parse.js';
import { pathParam, type ReadRoute, type WriteRoute } from './route.js';

const today = (now: Date) => now.toISOString().slice(0, 10);

export const listProjectCycles: ReadRoute = {
  kind: 'read',
  method: 'GET',
  path: '/projects/:projectId/cycles',
  takesBody: false,
  async handle(request, db) {
    const project = await requireMemberProject(db, pathParam(request, 'projectId'), request.actor.ownerUserId);
    return { status: 200, body: { cycles: await listCycles(db, project.id, today(request.now)) } };
  },
};

export const listProjectModules: ReadRoute = {
  kind: 'read',
  method: 'GET',
  path: '/projects/:projectId/modules',
  takesBody: false,
  async handle(request, db) {
    const project = await requireMemberProject(db, pathParam(request, 'projectId'), request.actor.ownerUserId);
    return { status: 200, body: { modules: await listModules(db, project.id) } };
  },
};

/**
 * Plane keeps an issue in at most one cycle: setting one moves it there, null takes it out. A
 * completed cycle takes no new issues.
 */
export const setIssueCycleRoute: WriteRoute = {
  kind: 'write',
  method: 'PUT',
  path: '/issues/:issueId/cycle',
  async handle(request, db) {
    const issueId = pathParam(request, 'issueId');
    const body = parseWith(SetCycleBody, request.body, 'request body');
    await requireWritableIssue(db, issueId, body.project_id, request.actor.ownerUserId);
    if (body.cycle_id !== null) {
      const cycle = await findCycle(db, body.project_id, body.cycle_id, today(request.now));
      if (cycle === null) throw validationFailed('cycle_id names a cycle that the project does not have', { field: 'cycle_id' });
      if (cycle.status === 'completed') throw new ApiError('CYCLE_COMPLETED', 'the cycle has already been completed, so no new issues can be added');
    }
    await setIssueCycle(db, issueId, body.cycle_id, request.now);
    return {
      status: 200,
      body: { issue: await reloadIssue(db, issueId) },
      activity: { action: 'issue.cycle_set', projectId: body.project_id, issueId },
    };
  },
};

export const changeIssueModulesRoute: WriteRoute = {
  kind: 'write',
  method: 'PATCH',
  path: '/issues/:issueId/modules',
  async handle(request, db) {
    const issueId = pathParam(request, 'issueId');
    const body = parseWith(ChangeModulesBody, request.body, 'request body');
    await requireWritableIssue(db, issueId, body.project_id, request.actor.ownerUserId);
    const known = new Set((await listModules(db, body.project_id)).map((module) => module.id));
    const unknown = [...body.add_module_ids, ...body.remove_module_ids].filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw validationFailed(`module ids that the project does not have: ${unknown.join(', ')}`, { field: 'add_module_ids', unknown });
    }
    await changeIssueModules(db, issueId, body.add_module_ids, body.remove_module_ids.filter((id) => !body.add_module_ids.includes(id)));
    await reloadIssue(db, issueId);
    await db.query('UPDATE reference_tasker.issues SET updated_at = $2::timestamptz WHERE id = $1', [issueId, request.now.toISOString()]);
    return {
      status: 200,
      body: { issue: await reloadIssue(db, issueId) },
      activity: { action: 'issue.modules_changed', projectId: body.project_id, issueId },
    };
  },
};
