import { validationFailed } from '../errors.js';
import type { SqlExecutor } from '../storage/sql.js';
import { defaultStateId, existingLabelIds, existingMemberIds, existingStateIds } from '../store/projects.js';

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

export async function stateIdOrDefault(db: SqlExecutor, projectId: string, stateId: string | undefined): Promise<string> {
  if (stateId !== undefined) return checkStateId(db, projectId, stateId);
  const fallback = await defaultStateId(db, projectId);
  if (fallback === null) throw validationFailed('the project has no states, so state_id cannot default', { field: 'state_id' });
  return fallback;
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

/** Assignees must be members of the project (by platform user id). */
export async function checkAssigneeIds(
  db: SqlExecutor,
  projectId: string,
  userIds: readonly string[],
  field = 'assignee_ids',
): Promise<string[]> {
  const wanted = distinct(userIds);
  if (wanted.length > 0) requireAll(field, wanted, await existingMemberIds(db, projectId, wanted), 'members');
  return wanted;
}
