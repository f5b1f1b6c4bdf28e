import { randomUUID } from 'node:crypto';
import type { ActivityEntry, Issue } from '../contract.js';
import type { SqlExecutor } from '../storage/sql.js';
import { utcTimestamp } from './format.js';

/**
 * An issue's history, as Plane's IssueActivity keeps it: one row per changed field (or per item
 * added to or removed from a set), with the person who acted and the agent that acted for them.
 */
export interface HistoryChange {
  verb: ActivityEntry['verb'];
  field: string | null;
  old_value: string | null;
  new_value: string | null;
}

const SCALAR_FIELDS = ['title', 'description_html', 'priority', 'state_id', 'parent_id', 'cycle_id', 'start_date', 'target_date'] as const;
const SET_FIELDS = ['label_ids', 'assignee_ids', 'module_ids'] as const;

/** What changed between two versions of an issue (before is null for a new issue). */
export function diffIssue(before: Issue | null, after: Issue): HistoryChange[] {
  if (before === null) return [{ verb: 'created', field: null, old_value: null, new_value: after.key }];
  const changes: HistoryChange[] = [];
  for (const field of SCALAR_FIELDS) {
    const [was, now] = [before[field], after[field]];
    if (was !== now) changes.push({ verb: 'updated', field, old_value: was, new_value: now });
  }
  for (const field of SET_FIELDS) {
    const [was, now] = [new Set(before[field]), new Set(after[field])];
    for (const id of now) if (!was.has(id)) changes.push({ verb: 'added', field, old_value: null, new_value: id });
    for (const id of was) if (!now.has(id)) changes.push({ verb: 'removed', field, old_value: id, new_value: null });
  }
  return changes;
}

export async function recordHistory(
  db: SqlExecutor,
  issueId: string,
  changes: readonly HistoryChange[],
  actor: { userId: string; agentId: string },
  at: Date,
): Promise<void> {
  for (const change of changes) {
    await db.query(
      `INSERT INTO reference_tasker.issue_activity (id, issue_id, verb, field, old_value, new_value, agent_id, user_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::timestamptz)`,
      [randomUUID(), issueId, change.verb, change.field, change.old_value, change.new_value, actor.agentId, actor.userId, at.toISOString()],
    );
  }
}

/** One page of an issue's history, oldest first, after the entry numbered `afterSeq`. */
export async function listHistory(
  db: SqlExecutor,
  issueId: string,
  options: { afterSeq: number | null; since: string | null; limit: number },
): Promise<{ entry: ActivityEntry; seq: number }[]> {
  const rows = await db.query<{
    seq: number;
    id: string;
    issue_id: string;
    verb: ActivityEntry['verb'];
    field: string | null;
    old_value: string | null;
    new_value: string | null;
    agent_id: string | null;
    user_id: string;
    display_name: string;
    created_at: string;
  }>(
    `SELECT a.seq, a.id, a.issue_id, a.verb, a.field, a.old_value, a.new_value, a.agent_id, a.user_id, u.display_name,
            ${utcTimestamp('a.created_at')} AS created_at
       FROM reference_tasker.issue_activity a
       JOIN reference_tasker.users u ON u.id = a.user_id
      WHERE a.issue_id = $1
        AND ($2::integer IS NULL OR a.seq > $2)
        AND ($3::timestamptz IS NULL OR a.created_at >= $3::timestamptz)
      ORDER BY a.seq
      LIMIT $4`,
    [issueId, options.afterSeq, options.since, options.limit],
  );
  return rows.map((row) => ({
    seq: row.seq,
    entry: {
      id: row.id,
      issue_id: row.issue_id,
      verb: row.verb,
      field: row.field,
      old_value: row.old_value,
      new_value: row.new_value,
      actor: { user_id: row.user_id, display_name: row.display_name, agent_id: row.agent_id },
      created_at: row.created_at,
    },
  }));
}
