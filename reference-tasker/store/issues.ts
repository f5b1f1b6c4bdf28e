import type { Issue, IssuePriority, StateGroup } from '../contract.js';
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
  state_id: string | null;
  state_group: StateGroup | null;
  parent_id: string | null;
  cycle_id: string | null;
  start_date: string | null;
  target_date: string | null;
  archived_at: string | null;
  is_draft: boolean;
  created_by_user_id: string;
  created_by_name: string;
  created_by_agent_id: string | null;
  created_at: string;
  updated_at: string;
}

/** Plane keeps `<p></p>` for an empty description; v1 rows stored plain text or null. */
export const EMPTY_HTML = '<p></p>';

/**
 * Issues by id, in the order of `issueIds`; ids that do not exist are left out. One statement:
 * labels, assignees and modules come as sorted arrays beside each row, so every issue read costs
 * one round trip (the embedded database spends most of a call's CPU per statement, not per row).
 */
export async function loadIssues(db: SqlExecutor, issueIds: readonly string[]): Promise<Issue[]> {
  if (issueIds.length === 0) return [];
  const rows = await db.query<IssueRow & { label_ids: string[]; assignee_ids: string[]; module_ids: string[] }>(
    `SELECT i.id, i.project_id, i.sequence_id, p.identifier, i.title, i.description, i.priority, i.state_id,
            s.state_group, i.parent_id, i.cycle_id, i.is_draft,
            ${isoDate('i.start_date')} AS start_date, ${isoDate('i.target_date')} AS target_date,
            CASE WHEN i.archived_at IS NULL THEN NULL ELSE ${utcTimestamp('i.archived_at')} END AS archived_at,
            i.created_by_user_id, u.display_name AS created_by_name, i.created_by_agent_id,
            ${utcTimestamp('i.created_at')} AS created_at, ${utcTimestamp('i.updated_at')} AS updated_at,
            ARRAY(SELECT l.label_id FROM reference_tasker.issue_labels l WHERE l.issue_id = i.id ORDER BY l.label_id) AS label_ids,
            ARRAY(SELECT a.user_id FROM reference_tasker.issue_assignees a WHERE a.issue_id = i.id ORDER BY a.user_id) AS assignee_ids,
            ARRAY(SELECT m.module_id FROM reference_tasker.module_issues m WHERE m.issue_id = i.id ORDER BY m.module_id) AS module_ids
       FROM reference_tasker.issues i
       JOIN reference_tasker.projects p ON p.id = i.project_id
       JOIN reference_tasker.users u ON u.id = i.created_by_user_id
       LEFT JOIN reference_tasker.states s ON s.id = i.state_id
      WHERE i.id = ANY($1::text[])`,
    [issueIds],
  );
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
      description_html: toHtml(row.description),
      priority: row.priority,
      state_id: row.state_id,
      state_group: row.state_group,
      parent_id: row.parent_id,
      label_ids: row.label_ids,
      assignee_ids: row.assignee_ids,
      cycle_id: row.cycle_id,
      module_ids: row.module_ids,
      start_date: row.start_date,
      target_date: row.target_date,
      archived_at: row.archived_at,
      is_draft: row.is_draft,
      created_by: { user_id: row.created_by_user_id, display_name: row.created_by_name, agent_id: row.created_by_agent_id },
      created_at: row.created_at,
      updated_at: row.updated_at,
    };
    return [issue];
  });
}

/** A v1 row held plain text; v2 holds HTML. Plain text is shown as one escaped paragraph. */
function toHtml(stored: string | null): string {
  if (stored === null || stored === '') return EMPTY_HTML;
  if (stored.trimStart().startsWith('<')) return stored;
  return `<p>${stored.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')}</p>`;
}

export async function loadIssue(db: SqlExecutor, issueId: string): Promise<Issue | null> {
  const [issue] = await loadIssues(db, [issueId]);
  return issue ?? null;
}

/** The issue `KEY-12` among the projects `userId` is a member of: its id, none, or several (other workspaces). */
export async function findIssueIdsByKey(db: SqlExecutor, identifier: string, sequenceId: number, userId: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT i.id FROM reference_tasker.issues i
       JOIN reference_tasker.projects p ON p.id = i.project_id
       JOIN reference_tasker.project_members m ON m.project_id = p.id AND m.user_id = $3
      WHERE upper(p.identifier) = upper($1) AND i.sequence_id = $2
      ORDER BY i.id LIMIT 2`,
    [identifier, sequenceId, userId],
  );
  return rows.map((row) => row.id);
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
  parentId: string | null;
  search: string | null;
  includeArchived: boolean;
  includeDrafts: boolean;
  /** Only issues numbered below this one (the cursor position). */
  beforeSequenceId: number | null;
  limit: number;
}

/**
 * Ids of the matching issues, newest (highest sequence_id) first. Like Plane's issue manager, a
 * list leaves out triage (intake) issues, archived issues and drafts unless asked.
 */
export async function findIssueIds(db: SqlExecutor, filter: IssueFilter): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT i.id FROM reference_tasker.issues i
       LEFT JOIN reference_tasker.states st ON st.id = i.state_id
      WHERE i.project_id = $1
        AND ($2::text IS NULL OR i.state_id = $2)
        AND ($2::text IS NOT NULL OR st.state_group IS DISTINCT FROM 'triage')
        AND ($3::text IS NULL OR EXISTS (
              SELECT 1 FROM reference_tasker.issue_labels l WHERE l.issue_id = i.id AND l.label_id = $3))
        AND ($4::text IS NULL OR EXISTS (
              SELECT 1 FROM reference_tasker.issue_assignees a WHERE a.issue_id = i.id AND a.user_id = $4))
        AND ($5::text IS NULL
             OR strpos(lower(i.title), lower($5)) > 0
             OR strpos(lower(coalesce(i.description, '')), lower($5)) > 0)
        AND ($6::integer IS NULL OR i.sequence_id < $6)
        AND ($8::text IS NULL OR i.parent_id = $8)
        AND ($9::boolean OR i.archived_at IS NULL)
        AND ($10::boolean OR NOT i.is_draft)
      ORDER BY i.sequence_id DESC
      LIMIT $7`,
    [
      filter.projectId,
      filter.stateId,
      filter.labelId,
      filter.assigneeId,
      filter.search,
      filter.beforeSequenceId,
      filter.limit,
      filter.parentId,
      filter.includeArchived,
      filter.includeDrafts,
    ],
  );
  return rows.map((row) => row.id);
}

export const SEARCH_ORDERS = ['-updated_at', 'updated_at', '-created_at', 'created_at', 'priority', '-priority'] as const;
export type SearchOrder = (typeof SEARCH_ORDERS)[number];

export interface SearchFilter {
  projectIds: readonly string[];
  text: string | null;
  stateGroups: readonly StateGroup[] | null;
  priorities: readonly IssuePriority[] | null;
  labelIds: readonly string[] | null;
  assigneeIds: readonly string[] | null;
  parentId: string | null;
  updatedSince: string | null;
  includeArchived: boolean;
  includeDrafts: boolean;
  orderBy: SearchOrder;
  /** Keyset position: the sort value and id of the last issue returned. */
  after: { value: string; id: string } | null;
  limit: number;
}

/** Sort keys as text that orders correctly: timestamps as fixed-width UTC, priority as its rank. */
const SORT_KEY: Record<SearchOrder, string> = {
  '-updated_at': `${utcTimestamp('i.updated_at')}`,
  updated_at: `${utcTimestamp('i.updated_at')}`,
  '-created_at': `${utcTimestamp('i.created_at')}`,
  created_at: `${utcTimestamp('i.created_at')}`,
  priority: `(CASE i.priority WHEN 'urgent' THEN '0' WHEN 'high' THEN '1' WHEN 'medium' THEN '2' WHEN 'low' THEN '3' ELSE '4' END)`,
  '-priority': `(CASE i.priority WHEN 'urgent' THEN '0' WHEN 'high' THEN '1' WHEN 'medium' THEN '2' WHEN 'low' THEN '3' ELSE '4' END)`,
};
const DESCENDING: ReadonlySet<SearchOrder> = new Set(['-updated_at', '-created_at', '-priority']);

/**
 * Search across several projects: text in the key, title or description; filters combine with
 * AND, values inside one filter with OR. Triage issues only when `triage` is among the state
 * groups asked for. Ties on the sort key are broken by id, so paging never repeats or skips.
 */
export async function searchIssueIds(db: SqlExecutor, filter: SearchFilter): Promise<{ id: string; sortKey: string }[]> {
  const key = SORT_KEY[filter.orderBy];
  const descending = DESCENDING.has(filter.orderBy);
  const direction = descending ? 'DESC' : 'ASC';
  const rows = await db.query<{ id: string; sort_key: string }>(
    `SELECT i.id, ${key} AS sort_key
       FROM reference_tasker.issues i
       JOIN reference_tasker.projects p ON p.id = i.project_id
       LEFT JOIN reference_tasker.states st ON st.id = i.state_id
      WHERE i.project_id = ANY($1::text[])
        AND ($2::text IS NULL
             OR upper(p.identifier || '-' || i.sequence_id) = upper($2)
             OR strpos(lower(i.title), lower($2)) > 0
             OR strpos(lower(coalesce(i.description, '')), lower($2)) > 0)
        AND (CASE WHEN $3::text[] IS NULL THEN st.state_group IS DISTINCT FROM 'triage'
                  ELSE st.state_group = ANY($3::text[]) END)
        AND ($4::text[] IS NULL OR i.priority = ANY($4::text[]))
        AND ($5::text[] IS NULL OR EXISTS (
              SELECT 1 FROM reference_tasker.issue_labels l WHERE l.issue_id = i.id AND l.label_id = ANY($5::text[])))
        AND ($6::text[] IS NULL OR EXISTS (
              SELECT 1 FROM reference_tasker.issue_assignees a WHERE a.issue_id = i.id AND a.user_id = ANY($6::text[])))
        AND ($7::text IS NULL OR i.parent_id = $7)
        AND ($8::timestamptz IS NULL OR i.updated_at >= $8::timestamptz)
        AND ($9::boolean OR i.archived_at IS NULL)
        AND ($10::boolean OR NOT i.is_draft)
        AND ($11::text IS NULL OR (${key}, i.id) ${descending ? '<' : '>'} ($11::text, $12::text))
      ORDER BY ${key} ${direction}, i.id ${direction}
      LIMIT $13`,
    [
      filter.projectIds,
      filter.text,
      filter.stateGroups,
      filter.priorities,
      filter.labelIds,
      filter.assigneeIds,
      filter.parentId,
      filter.updatedSince,
      filter.includeArchived,
      filter.includeDrafts,
      filter.after?.value ?? null,
      filter.after?.id ?? null,
      filter.limit,
    ],
  );
  return rows.map((row) => ({ id: row.id, sortKey: row.sort_key }));
}

export interface NewIssue {
  id: string;
  projectId: string;
  sequenceId: number;
  title: string;
  /** HTML. */
  description: string;
  priority: IssuePriority;
  stateId: string | null;
  parentId: string | null;
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
        created_by_agent_id, created_by_user_id, created_at, updated_at, parent_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::date, $9::date, $10, $11, $12::timestamptz, $12::timestamptz, $13)`,
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
      issue.parentId,
    ],
  );
}

/** The columns a PATCH may change, keyed by their contract field names. */
export interface IssueFieldChanges {
  title?: string;
  /** HTML, already combined with the stored text for an append or prepend. */
  description_html?: string;
  priority?: IssuePriority;
  start_date?: string | null;
  target_date?: string | null;
  parent_id?: string | null;
}

const CHANGEABLE_COLUMNS: Readonly<Record<keyof IssueFieldChanges, string>> = {
  title: 'title',
  description_html: 'description',
  priority: 'priority',
  start_date: 'start_date',
  target_date: 'target_date',
  parent_id: 'parent_id',
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

export async function setIssueState(db: SqlExecutor, issueId: string, stateId: string | null, at: Date): Promise<void> {
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

export async function setIssueCycle(db: SqlExecutor, issueId: string, cycleId: string | null, at: Date): Promise<void> {
  await db.query('UPDATE reference_tasker.issues SET cycle_id = $2, updated_at = $3::timestamptz WHERE id = $1', [
    issueId,
    cycleId,
    at.toISOString(),
  ]);
}

export async function changeIssueModules(db: SqlExecutor, issueId: string, add: readonly string[], remove: readonly string[]): Promise<void> {
  await db.query('DELETE FROM reference_tasker.module_issues WHERE issue_id = $1 AND module_id = ANY($2::text[])', [issueId, remove]);
  await db.query(
    'INSERT INTO reference_tasker.module_issues (module_id, issue_id) SELECT unnest($2::text[]), $1 ON CONFLICT DO NOTHING',
    [issueId, add],
  );
}

/** The ancestors of an issue, nearest first (bounded, so a broken chain cannot loop forever). */
export async function ancestorIds(db: SqlExecutor, issueId: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `WITH RECURSIVE up(id, parent_id, depth) AS (
       SELECT id, parent_id, 0 FROM reference_tasker.issues WHERE id = $1
       UNION ALL
       SELECT i.id, i.parent_id, up.depth + 1 FROM reference_tasker.issues i JOIN up ON i.id = up.parent_id WHERE up.depth < 1000
     )
     SELECT id FROM up WHERE depth > 0 ORDER BY depth`,
    [issueId],
  );
  return rows.map((row) => row.id);
}
