import type { Project } from '../contract.js';
import { validationFailed } from '../errors.js';
import type { SqlExecutor } from '../storage/sql.js';
import { existingLabelIds, existingStateIds, memberRoles } from '../store/projects.js';

/** Ids are sets: a repeated id means the same thing as a single one. */
function distinct(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

function requireAll(field: string, wanted: readonly string[], found: Set<string>, what: string): void {
  const unknown = wanted.filter((id) => !found.has(id));
  if (unknown.length > 0) {
    throw validationFailed(`${field} names ${what} that the project does not have: ${unknown.join(', ')}`, { field, unknown });
  }
}

export async function checkStateId(db: SqlExecutor, projectId: string, stateId: string, field = 'state_id'): Promise<string> {
  requireAll(field, [stateId], await existingStateIds(db, projectId, [stateId]), 'a state');
  return stateId;
}

/** Plane's default: the project's default state (never triage); an issue may also have none. */
export async function stateIdOrDefault(db: SqlExecutor, project: Project, stateId: string | undefined): Promise<string | null> {
  if (stateId !== undefined) return checkStateId(db, project.id, stateId);
  return project.default_state_id;
}

export async function checkLabelIds(
  db: SqlExecutor,
  projectId: string,
  labelIds: readonly string[],
  field = 'label_ids',
): Promise<string[]> {
  const wanted = distinct(labelIds);
  if (wanted.length > 0) requireAll(field, wanted, await existingLabelIds(db, projectId, wanted), 'labels');
  return wanted;
}

/** Membership only (list filters): the ids must be members of the project. */
export async function checkMemberIds(db: SqlExecutor, projectId: string, userIds: readonly string[], field: string): Promise<string[]> {
  const wanted = distinct(userIds);
  if (wanted.length > 0) requireAll(field, wanted, new Set((await memberRoles(db, projectId, wanted)).keys()), 'members');
  return wanted;
}

/**
 * Assignees must be members of the project (by platform user id), and not guests: Plane assigns
 * only members with role ≥ member.
 */
export async function checkAssigneeIds(
  db: SqlExecutor,
  projectId: string,
  userIds: readonly string[],
  field = 'assignee_ids',
): Promise<string[]> {
  const wanted = distinct(userIds);
  if (wanted.length === 0) return wanted;
  const roles = await memberRoles(db, projectId, wanted);
  requireAll(field, wanted, new Set(roles.keys()), 'members');
  const guests = wanted.filter((id) => roles.get(id) === 'guest');
  if (guests.length > 0) {
    throw validationFailed(`${field} names guests, who cannot be assignees: ${guests.join(', ')}`, { field, guests });
  }
  return wanted;
}
