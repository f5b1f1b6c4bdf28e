import type { Label, Member, MemberRole, Project, State, StateGroup } from '../contract.js';
import type { SqlExecutor } from '../storage/sql.js';

interface ProjectRow {
  id: string;
  identifier: string;
  name: string;
  description: string | null;
  workspace_id: string;
  workspace_slug: string;
  workspace_name: string;
  owner_role: MemberRole | null;
  default_state_id: string | null;
  default_assignee_id: string | null;
}

/**
 * A project as the user `$1` sees it. The default state follows Plane: the state marked default,
 * else the first non-triage state by sequence.
 */
const PROJECT_SELECT = `
  SELECT p.id, p.identifier, p.name, p.description,
         w.id AS workspace_id, w.slug AS workspace_slug, w.name AS workspace_name,
         m.role AS owner_role, p.default_assignee_id,
         (SELECT s.id FROM reference_tasker.states s
           WHERE s.project_id = p.id AND s.state_group <> 'triage'
           ORDER BY s.is_default DESC, s.sequence, s.id LIMIT 1) AS default_state_id
    FROM reference_tasker.projects p
    JOIN reference_tasker.workspaces w ON w.id = p.workspace_id`;

/** A project row with the viewer's membership, or null when the viewer is not a member. */
export interface ProjectView {
  project: Project | null;
  exists: boolean;
}

function toProject(row: ProjectRow & { owner_role: MemberRole }): Project {
  return {
    id: row.id,
    identifier: row.identifier,
    name: row.name,
    description: row.description,
    workspace: { id: row.workspace_id, slug: row.workspace_slug, name: row.workspace_name },
    owner_role: row.owner_role,
    default_state_id: row.default_state_id,
    default_assignee_id: row.default_assignee_id,
  };
}

/** The project as `userId` sees it: `exists` false for no such project, `project` null when not a member. */
export async function findProject(db: SqlExecutor, projectId: string, userId: string): Promise<ProjectView> {
  const rows = await db.query<ProjectRow>(
    `${PROJECT_SELECT}
      LEFT JOIN reference_tasker.project_members m ON m.project_id = p.id AND m.user_id = $1
     WHERE p.id = $2`,
    [userId, projectId],
  );
  const row = rows[0];
  if (row === undefined) return { project: null, exists: false };
  const role = row.owner_role;
  return { project: role === null ? null : toProject({ ...row, owner_role: role }), exists: true };
}

/** Every project the user is a member of, ordered by identifier. */
export async function listMemberProjects(db: SqlExecutor, userId: string): Promise<Project[]> {
  const rows = await db.query<ProjectRow & { owner_role: MemberRole }>(
    `${PROJECT_SELECT}
      JOIN reference_tasker.project_members m ON m.project_id = p.id AND m.user_id = $1
     ORDER BY p.identifier, p.id`,
    [userId],
  );
  return rows.map(toProject);
}

export async function memberRole(db: SqlExecutor, projectId: string, userId: string): Promise<MemberRole | null> {
  const rows = await db.query<{ role: MemberRole }>(
    'SELECT role FROM reference_tasker.project_members WHERE project_id = $1 AND user_id = $2',
    [projectId, userId],
  );
  return rows[0]?.role ?? null;
}

export async function listStates(db: SqlExecutor, projectId: string): Promise<State[]> {
  const rows = await db.query<{ id: string; name: string; state_group: StateGroup; color: string; sequence: number; is_default: boolean }>(
    `SELECT id, name, state_group, color, sequence, is_default FROM reference_tasker.states
      WHERE project_id = $1 ORDER BY sequence, id`,
    [projectId],
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    group: row.state_group,
    color: row.color,
    sequence: row.sequence,
    is_default: row.is_default,
  }));
}

// Ordered by lower(name) in the "C" collation so that the order does not depend on the
// database's locale (PGlite and a server Postgres rarely share one).
export async function listLabels(db: SqlExecutor, projectId: string): Promise<Label[]> {
  return db.query<Label>(
    `SELECT id, name, color FROM reference_tasker.labels
      WHERE project_id = $1 ORDER BY lower(name) COLLATE "C", name COLLATE "C", id`,
    [projectId],
  );
}

export async function listMembers(db: SqlExecutor, projectId: string): Promise<Member[]> {
  return db.query<Member>(
    `SELECT u.id AS user_id, u.email, u.display_name, m.role
       FROM reference_tasker.project_members m
       JOIN reference_tasker.users u ON u.id = m.user_id
      WHERE m.project_id = $1
      ORDER BY lower(u.display_name) COLLATE "C", u.display_name COLLATE "C", u.id`,
    [projectId],
  );
}

/** The ids among `stateIds` that are states of the project. */
export async function existingStateIds(db: SqlExecutor, projectId: string, stateIds: readonly string[]): Promise<Set<string>> {
  const rows = await db.query<{ id: string }>(
    'SELECT id FROM reference_tasker.states WHERE project_id = $1 AND id = ANY($2::text[])',
    [projectId, stateIds],
  );
  return new Set(rows.map((row) => row.id));
}

export async function existingLabelIds(db: SqlExecutor, projectId: string, labelIds: readonly string[]): Promise<Set<string>> {
  const rows = await db.query<{ id: string }>(
    'SELECT id FROM reference_tasker.labels WHERE project_id = $1 AND id = ANY($2::text[])',
    [projectId, labelIds],
  );
  return new Set(rows.map((row) => row.id));
}

/** The roles of those among `userIds` who are members of the project. */
export async function memberRoles(db: SqlExecutor, projectId: string, userIds: readonly string[]): Promise<Map<string, MemberRole>> {
  const rows = await db.query<{ user_id: string; role: MemberRole }>(
    'SELECT user_id, role FROM reference_tasker.project_members WHERE project_id = $1 AND user_id = ANY($2::text[])',
    [projectId, userIds],
  );
  return new Map(rows.map((row) => [row.user_id, row.role]));
}

/** Takes the next per-project issue number; the row lock serializes concurrent creates. */
export async function takeIssueSequence(db: SqlExecutor, projectId: string): Promise<number> {
  const rows = await db.query<{ issue_sequence: number }>(
    `UPDATE reference_tasker.projects SET issue_sequence = issue_sequence + 1
      WHERE id = $1 RETURNING issue_sequence`,
    [projectId],
  );
  const row = rows[0];
  if (row === undefined) throw new Error(`project ${projectId} vanished while creating an issue`);
  return row.issue_sequence;
}
