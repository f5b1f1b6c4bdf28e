import type { MemberRole, StateGroup } from './contract.js';
import { catalogIds } from './ids.js';
import type { SqlExecutor } from './storage/sql.js';

/**
 * Catalog writes that the contract leaves to Tasker's own UI (workspaces, projects, members,
 * states, labels): used by the seed and by tests that need more than the demo data. Every
 * function is idempotent, so the seed can run on each start.
 */
export interface StateSpec {
  name: string;
  group: StateGroup;
  color: string;
  /** Plane's `State.default`: where a new issue lands when none is named. */
  isDefault?: boolean;
}

export interface LabelSpec {
  name: string;
  color: string;
}

export const DEFAULT_STATES: readonly StateSpec[] = [
  { name: 'Backlog', group: 'backlog', color: '#a3a3a3', isDefault: true },
  { name: 'Todo', group: 'unstarted', color: '#3b82f6' },
  { name: 'In Progress', group: 'started', color: '#f59e0b' },
  { name: 'Done', group: 'completed', color: '#16a34a' },
  { name: 'Cancelled', group: 'cancelled', color: '#dc2626' },
];

export const DEFAULT_LABELS: readonly LabelSpec[] = [
  { name: 'bug', color: '#e5484d' },
  { name: 'feature', color: '#3e63dd' },
  { name: 'docs', color: '#30a46c' },
];

export interface ProjectSpec {
  workspaceId: string;
  identifier: string;
  name: string;
  description?: string | null;
  members: readonly { userId: string; role: MemberRole }[];
  states?: readonly StateSpec[];
  labels?: readonly LabelSpec[];
  defaultAssigneeId?: string | null;
}

export interface EnsuredProject {
  id: string;
  /** State ids by state name. */
  states: Readonly<Record<string, string>>;
  /** Label ids by label name. */
  labels: Readonly<Record<string, string>>;
}

export async function ensureWorkspace(db: SqlExecutor, workspace: { slug: string; name: string }): Promise<string> {
  const id = catalogIds.workspace(workspace.slug);
  await db.query(
    'INSERT INTO reference_tasker.workspaces (id, slug, name) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
    [id, workspace.slug, workspace.name],
  );
  return id;
}

export async function setMembership(db: SqlExecutor, projectId: string, userId: string, role: MemberRole | null): Promise<void> {
  if (role === null) {
    await db.query('DELETE FROM reference_tasker.project_members WHERE project_id = $1 AND user_id = $2', [projectId, userId]);
    return;
  }
  await db.query(
    `INSERT INTO reference_tasker.project_members (project_id, user_id, role) VALUES ($1, $2, $3)
     ON CONFLICT (project_id, user_id) DO UPDATE SET role = EXCLUDED.role`,
    [projectId, userId, role],
  );
}

export async function ensureProject(db: SqlExecutor, spec: ProjectSpec): Promise<EnsuredProject> {
  const id = catalogIds.project(spec.workspaceId, spec.identifier);
  await db.query(
    `INSERT INTO reference_tasker.projects (id, workspace_id, identifier, name, description) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO NOTHING`,
    [id, spec.workspaceId, spec.identifier, spec.name, spec.description ?? null],
  );
  await db.query(
    // Set on every start, so a data folder from before this setting existed gets it too.
    'UPDATE reference_tasker.projects SET default_assignee_id = $2 WHERE id = $1 AND default_assignee_id IS DISTINCT FROM $2',
    [id, spec.defaultAssigneeId ?? null],
  );
  for (const member of spec.members) {
    await db.query(
      `INSERT INTO reference_tasker.project_members (project_id, user_id, role) VALUES ($1, $2, $3)
       ON CONFLICT (project_id, user_id) DO NOTHING`,
      [id, member.userId, member.role],
    );
  }

  const states: Record<string, string> = {};
  for (const [index, state] of (spec.states ?? DEFAULT_STATES).entries()) {
    const stateId = catalogIds.state(id, state.name);
    await db.query(
      `INSERT INTO reference_tasker.states (id, project_id, name, state_group, color, sequence, is_default)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET is_default = EXCLUDED.is_default`,
      [stateId, id, state.name, state.group, state.color, (index + 1) * 1000, state.isDefault ?? false],
    );
    states[state.name] = stateId;
  }

  const labels: Record<string, string> = {};
  for (const label of spec.labels ?? DEFAULT_LABELS) {
    const labelId = catalogIds.label(id, label.name);
    await db.query(
      `INSERT INTO reference_tasker.labels (id, project_id, name, color) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING`,
      [labelId, id, label.name, label.color],
    );
    labels[label.name] = labelId;
  }
  return { id, states, labels };
}
