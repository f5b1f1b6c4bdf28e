import type { IssueRef, Relation, RelationType, StateGroup } from '../contract.js';
import type { SqlExecutor } from '../storage/sql.js';

/**
 * Plane keeps one row per related pair: `blocked_by` (issue is blocked by related_issue),
 * `relates_to` and `duplicate` (both symmetric). The contract's four types are views of those:
 * A blocks B is B blocked_by A; duplicate_of is Plane's symmetric duplicate.
 */
type PlaneType = 'blocked_by' | 'relates_to' | 'duplicate';

export interface StoredPair {
  issueId: string;
  relatedIssueId: string;
  type: PlaneType;
}

/** The row that stores "issue <type> related". */
export function toStored(issueId: string, type: RelationType, relatedIssueId: string): StoredPair {
  switch (type) {
    case 'blocked_by':
      return { issueId, relatedIssueId, type: 'blocked_by' };
    case 'blocks':
      return { issueId: relatedIssueId, relatedIssueId: issueId, type: 'blocked_by' };
    case 'relates_to':
      return { issueId, relatedIssueId, type: 'relates_to' };
    case 'duplicate_of':
      return { issueId, relatedIssueId, type: 'duplicate' };
  }
}

/** The stored row between two issues, whichever way round it was written. */
export async function findPair(db: SqlExecutor, a: string, b: string): Promise<StoredPair | null> {
  const rows = await db.query<{ issue_id: string; related_issue_id: string; relation_type: PlaneType }>(
    `SELECT issue_id, related_issue_id, relation_type FROM reference_tasker.issue_relations
      WHERE (issue_id = $1 AND related_issue_id = $2) OR (issue_id = $2 AND related_issue_id = $1)`,
    [a, b],
  );
  const row = rows[0];
  return row === undefined ? null : { issueId: row.issue_id, relatedIssueId: row.related_issue_id, type: row.relation_type };
}

export function samePair(x: StoredPair, y: StoredPair): boolean {
  if (x.type !== y.type) return false;
  if (x.issueId === y.issueId && x.relatedIssueId === y.relatedIssueId) return true;
  // Symmetric types are the same relation either way round.
  return x.type !== 'blocked_by' && x.issueId === y.relatedIssueId && x.relatedIssueId === y.issueId;
}

export async function insertPair(db: SqlExecutor, pair: StoredPair, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO reference_tasker.issue_relations (issue_id, related_issue_id, relation_type, created_at)
     VALUES ($1, $2, $3, $4::timestamptz)`,
    [pair.issueId, pair.relatedIssueId, pair.type, at.toISOString()],
  );
}

export async function deletePair(db: SqlExecutor, pair: StoredPair): Promise<void> {
  await db.query(
    `DELETE FROM reference_tasker.issue_relations
      WHERE (issue_id = $1 AND related_issue_id = $2) OR (issue_id = $2 AND related_issue_id = $1)`,
    [pair.issueId, pair.relatedIssueId],
  );
}

/** Every relation of an issue, seen from that issue, with the other issue's identity. */
export async function listRelations(db: SqlExecutor, issueId: string): Promise<Relation[]> {
  const rows = await db.query<{
    relation_type: PlaneType;
    outgoing: boolean;
    id: string;
    identifier: string;
    sequence_id: number;
    project_id: string;
    title: string;
    state_group: StateGroup | null;
  }>(
    `SELECT r.relation_type, r.issue_id = $1 AS outgoing,
            o.id, p.identifier, o.sequence_id, o.project_id, o.title, s.state_group
       FROM reference_tasker.issue_relations r
       JOIN reference_tasker.issues o ON o.id = CASE WHEN r.issue_id = $1 THEN r.related_issue_id ELSE r.issue_id END
       JOIN reference_tasker.projects p ON p.id = o.project_id
       LEFT JOIN reference_tasker.states s ON s.id = o.state_id
      WHERE r.issue_id = $1 OR r.related_issue_id = $1
      ORDER BY r.created_at, o.id`,
    [issueId],
  );
  return rows.map((row) => {
    const issue: IssueRef = {
      id: row.id,
      key: `${row.identifier}-${row.sequence_id}`,
      project_id: row.project_id,
      title: row.title,
      state_group: row.state_group,
    };
    const relationType: RelationType =
      row.relation_type === 'blocked_by'
        ? row.outgoing
          ? 'blocked_by'
          : 'blocks'
        : row.relation_type === 'duplicate'
          ? 'duplicate_of'
          : 'relates_to';
    return { relation_type: relationType, issue };
  });
}
