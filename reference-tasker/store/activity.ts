import type { ActivityAction } from '../contract.js';
import type { SqlExecutor } from '../storage/sql.js';
import { utcTimestamp } from './format.js';

/** One audited write: what was done, to which issue, by which agent on behalf of which owner. */
export interface ActivityRow {
  action: ActivityAction;
  issueId: string;
  projectId: string;
  agentId: string;
  ownerUserId: string;
  requestId: string;
  idempotencyKey: string;
  /** RFC 3339 UTC. */
  occurredAt: string;
}

export async function recordActivity(db: SqlExecutor, row: Omit<ActivityRow, 'occurredAt'> & { at: Date }): Promise<void> {
  await db.query(
    `INSERT INTO reference_tasker.activity_log
       (action, issue_id, project_id, agent_id, owner_user_id, request_id, idempotency_key, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz)`,
    [row.action, row.issueId, row.projectId, row.agentId, row.ownerUserId, row.requestId, row.idempotencyKey, row.at.toISOString()],
  );
}

/** The whole log, oldest first. */
export async function listActivity(db: SqlExecutor): Promise<ActivityRow[]> {
  const rows = await db.query<{
    action: ActivityAction;
    issue_id: string;
    project_id: string;
    agent_id: string;
    owner_user_id: string;
    request_id: string;
    idempotency_key: string;
    occurred_at: string;
  }>(
    `SELECT action, issue_id, project_id, agent_id, owner_user_id, request_id, idempotency_key,
            ${utcTimestamp('occurred_at')} AS occurred_at
       FROM reference_tasker.activity_log ORDER BY seq`,
  );
  return rows.map((row) => ({
    action: row.action,
    issueId: row.issue_id,
    projectId: row.project_id,
    agentId: row.agent_id,
    ownerUserId: row.owner_user_id,
    requestId: row.request_id,
    idempotencyKey: row.idempotency_key,
    occurredAt: row.occurred_at,
  }));
}
