import type { Issue, IssuePriority } from '../contract.js';
import type { SqlExecutor } from '../storage/sql.js';
import { isoDate, utcTimestamp } from './format.js';

interface IssueRow {
  id: string;
  project_id: string;
  sequence_id: number;
  identifier: string;
  title: string;
  description: string | null;
  priority: IssuePriority;
  state_id: string;
  start_date: string | null;
  target_date: string | null;
  created_at: string;
  updated_at: string;
}

/** Issues by id, in the order of `issueIds`; ids that do not exist are left out. */
export async function loadIssues(db: SqlExecutor, issueIds: readonly string[]): Promise<Issue[]> {
  if (issueIds.length === 0) return [];
  const rows = await db.query<IssueRow>(
    `SELECT i.id, i.project_id, i.sequence_id, p.identifier, i.title, i.description, i.priority, i.state_id,
            ${isoDate('i.start_date')} AS start_date, ${isoDate('i.target_date')} AS target_date,
            ${utcTimestamp('i.created_at')} AS created_at, ${utcTimestamp('i.updated_at')} AS updated_at
       FROM reference_tasker.issues i
       JOIN reference_tasker.projects p ON p.id = i.project_id
      WHERE i.id = ANY($1::text[])`,
    [issueIds],
  );
  const labels = await db.query<{ issue_id: string; label_id: string }>(
    'SELECT issue_id, label_id FROM reference_tasker.issue_labels WHERE issue_id = ANY($1::text[]) ORDER BY label_id',
    [issueIds],
  );
  const assignees = await db.query<{ issue_id: string; user_id: string }>(
    'SELECT issue_id, user_id FROM reference_tasker.issue_assignees WHERE issue_id = ANY($1::text[]) ORDER BY user_id',
    [issueIds],
  );
  const labelIds = groupBy(labels, (row) => row.issue_id, (row) => row.label_id);
  const assigneeIds = groupBy(assignees, (row) => row.issue_id, (row) => row.user_id);
  const byId = new Map(rows.map((row) => [row.id, row]));
  return issueIds.flatMap((id) => {
    const row = byId.get(id);
    if (row === undefined) return [];
    const issue: Issue = {
      id: row.id,
      project_id: row.project_id,
      sequence_id: row.sequence_id,
      key: `${row.identifier}-${row.sequence_id}`,
      title: row.title,
      description: row.description,
      priority: row.priority,
      state_id: row.state_id,
      label_ids: labelIds.get(id) ?? [],
      assignee_ids: assigneeIds.get(id) ?? [],
      start_date: row.start_date,
      target_date: row.target_date,
      created_at: row.created_at,
      updated_at: row.updated_at,
    };
    return [issue];
  });
}

export async function loadIssue(db: SqlExecutor, issueId: string): Promise<Issue | null> {
  const [issue] = await loadIssues(db, [issueId]);
  return issue ?? null;
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string, value: (row: T) => string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const row of rows) {
    const list = groups.get(key(row));
    if (list === undefined) groups.set(key(row), [value(row)]);
    else list.push(value(row));
  }
  return groups;
}

/** The project an issue lives in, or null when there is no such issue. */
export async function issueProjectId(db: SqlExecutor, issueId: string): Promise<string | null> {
  const rows = await db.query<{ project_id: string }>('SELECT project_id FROM reference_tasker.issues WHERE id = $1', [issueId]);
  return rows[0]?.project_id ?? null;
}

/**
 * Locks the issue row for the rest of the transaction and tells which project it is in, so
 * that the project check and the write that follows see the same placement.
 */
export async function lockIssueProjectId(db: SqlExecutor, issueId: string): Promise<string | null> {
  const rows = await db.query<{ project_id: string }>(
    'SELECT project_id FROM reference_tasker.issues WHERE id = $1 FOR UPDATE',
    [issueId],
  );
  return rows[0]?.project_id ?? null;
}

export interface IssueFilter {
  projectId: string;
  stateId: string | null;
  labelId: string | null;
  assigneeId: string | null;
  search: string | null;
  /** Only issues numbered below this one (the cursor position). */
  beforeSequenceId: number | null;
  limit: number;
}

/** Ids of the matching issues, newest (highest sequence_id) first. */
export async function findIssueIds(db: SqlExecutor, filter: IssueFilter): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT i.id FROM reference_tasker.issues i
      WHERE i.project_id = $1
        AND ($2::text IS NULL OR i.state_id = $2)
        AND ($3::text IS NULL OR EXISTS (
              SELECT 1 FROM reference_tasker.issue_labels l WHERE l.issue_id = i.id AND l.label_id = $3))
        AND ($4::text IS NULL OR EXISTS (
              SELECT 1 FROM reference_tasker.issue_assignees a WHERE a.issue_id = i.id AND a.user_id = $4))
        AND ($5::text IS NULL
             OR strpos(lower(i.title), lower($5)) > 0
             OR strpos(lower(coalesce(i.description, '')), lower($5)) > 0)
        AND ($6::integer IS NULL OR i.sequence_id < $6)
      ORDER BY i.sequence_id DESC
      LIMIT $7`,
    [filter.projectId, filter.stateId, filter.labelId, filter.assigneeId, filter.search, filter.beforeSequenceId, filter.limit],
  );
  return rows.map((row) => row.id);
}

export interface NewIssue {
  id: string;
  projectId: string;
  sequenceId: number;
  title: string;
  description: string | null;
  priority: IssuePriority;
  stateId: string;
  startDate: string | null;
  targetDate: string | null;
  createdByAgentId: string;
  createdByUserId: string;
  at: Date;
}

export async function insertIssue(db: SqlExecutor, issue: NewIssue): Promise<void> {
  await db.query(
    `INSERT INTO reference_tasker.issues
       (id, project_id, sequence_id, title, description, priority, state_id, start_date, target_date,
        created_by_agent_id, created_by_user_id, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::date, $9::date, $10, $11, $12::timestamptz, $12::timestamptz)`,
    [
      issue.id,
      issue.projectId,
      issue.sequenceId,
      issue.title,
      issue.description,
      issue.priority,
      issue.stateId,
      issue.startDate,
      issue.targetDate,
      issue.createdByAgentId,
      issue.createdByUserId,
      issue.at.toISOString(),
    ],
  );
}

/** The columns a PATCH may change, keyed by their contract field names. */
export interface IssueFieldChanges {
  title?: string;
  description?: string | null;
  priority?: IssuePriority;
  start_date?: string | null;
  target_date?: string | null;
}

const CHANGEABLE_COLUMNS: Readonly<Record<keyof IssueFieldChanges, string>> = {
  title: 'title',
  description: 'description',
  priority: 'priority',
  start_date: 'start_date',
  target_date: 'target_date',
};

/** Applies the given fields and bumps updated_at; absent fields are left alone, null clears. */
export async function updateIssue(db: SqlExecutor, issueId: string, changes: IssueFieldChanges, at: Date): Promise<void> {
  const params: (string | null)[] = [issueId, at.toISOString()];
  const assignments = ['updated_at = $2::timestamptz'];
  for (const field of Object.keys(CHANGEABLE_COLUMNS) as (keyof IssueFieldChanges)[]) {
    const value = changes[field];
    if (value === undefined) continue;
    params.push(value);
    assignments.push(`${CHANGEABLE_COLUMNS[field]} = $${params.length}`);
  }
  await db.query(`UPDATE reference_tasker.issues SET ${assignments.join(', ')} WHERE id = $1`, params);
}

export async function setIssueState(db: SqlExecutor, issueId: string, stateId: string, at: Date): Promise<void> {
  await db.query('UPDATE reference_tasker.issues SET state_id = $2, updated_at = $3::timestamptz WHERE id = $1', [
    issueId,
    stateId,
    at.toISOString(),
  ]);
}

export async function replaceIssueLabels(db: SqlExecutor, issueId: string, labelIds: readonly string[]): Promise<void> {
  await db.query('DELETE FROM reference_tasker.issue_labels WHERE issue_id = $1', [issueId]);
  await db.query(
    'INSERT INTO reference_tasker.issue_labels (issue_id, label_id) SELECT $1, unnest($2::text[])',
    [issueId, labelIds],
  );
}

export async function replaceIssueAssignees(db: SqlExecutor, issueId: string, userIds: readonly string[]): Promise<void> {
  await db.query('DELETE FROM reference_tasker.issue_assignees WHERE issue_id = $1', [issueId]);
  await db.query(
    'INSERT INTO reference_tasker.issue_assignees (issue_id, user_id) SELECT $1, unnest($2::text[])',
    [issueId, userIds],
  );
}

export async function touchIssue(db: SqlExecutor, issueId: string, at: Date): Promise<void> {
  await db.query('UPDATE reference_tasker.issues SET updated_at = $2::timestamptz WHERE id = $1', [issueId, at.toISOString()]);
}
