import { badInput, GatewayError } from '../../errors/gateway-error.js';
import type { TaskerIssue } from '../../tasker/contract.js';
import type { GatewayDeps } from '../context.js';
import { type AgentCall, noteTasker } from './agent-call.js';

/**
 * Checks a write makes against Tasker's current state before it is sent (and for a dry run,
 * instead of sending it), so an agent hears a clear reason early. Tasker checks the same again.
 */

/** Assignees must be project members and not guests (Plane assigns only members with role ≥ member). */
export async function checkAssigneesMayBeAssigned(deps: GatewayDeps, call: AgentCall, projectId: string, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  const { members } = noteTasker(call, await deps.tasker.projectContext(call.caller, projectId));
  const roles = new Map(members.map((member) => [member.user_id, member.role]));
  const strangers = userIds.filter((id) => !roles.has(id));
  if (strangers.length > 0) {
    throw badInput(`not members of this project: ${strangers.join(', ')}; get_project_context lists the members`, { field: 'assigneeIds', unknown: strangers });
  }
  const guests = userIds.filter((id) => roles.get(id) === 'guest');
  if (guests.length > 0) {
    throw badInput(`guests cannot be assignees in Tasker: ${guests.join(', ')}`, { field: 'assigneeIds', guests });
  }
}

export async function checkStateInProject(deps: GatewayDeps, call: AgentCall, projectId: string, stateId: string): Promise<void> {
  const { states } = noteTasker(call, await deps.tasker.projectContext(call.caller, projectId));
  if (!states.some((state) => state.id === stateId)) {
    throw badInput(`stateId ${stateId} is not a state of this project; get_project_context lists them`, { field: 'stateId' });
  }
}

export async function checkLabelsInProject(deps: GatewayDeps, call: AgentCall, projectId: string, labelIds: readonly string[]): Promise<void> {
  if (labelIds.length === 0) return;
  const { labels } = noteTasker(call, await deps.tasker.projectContext(call.caller, projectId));
  const known = new Set(labels.map((label) => label.id));
  const unknown = labelIds.filter((id) => !known.has(id));
  if (unknown.length > 0) throw badInput(`not labels of this project: ${unknown.join(', ')}`, { field: 'labelIds', unknown });
}

/** At most this many parents are followed looking for a loop; Plane's trees are far shallower. */
const MAX_DEPTH = 50;

/**
 * A parent (by id or key) must be in the issue's own project, as Plane requires, and must not be
 * the issue itself or one of its sub-issues.
 */
export async function checkParent(deps: GatewayDeps, call: AgentCall, projectId: string, parentRef: string, issueId: string | null): Promise<TaskerIssue> {
  let parent: TaskerIssue;
  try {
    parent = noteTasker(call, await deps.tasker.getIssue(call.caller, parentRef));
  } catch (error) {
    if (error instanceof GatewayError && (error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN')) {
      throw badInput(`parent ${parentRef} is not an issue of this project`, { field: 'parentId' });
    }
    throw error;
  }
  if (parent.project_id !== projectId) throw badInput(`parent ${parentRef} is not an issue of this project`, { field: 'parentId' });
  let cursor: TaskerIssue | null = parent;
  for (let depth = 0; cursor !== null && issueId !== null && depth < MAX_DEPTH; depth += 1) {
    if (cursor.id === issueId) throw badInput(`parent ${parentRef} is the issue itself or one of its sub-issues`, { field: 'parentId' });
    cursor = cursor.parent_id === null ? null : noteTasker(call, await deps.tasker.getIssue(call.caller, cursor.parent_id));
  }
  return parent;
}
