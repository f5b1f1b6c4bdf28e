import type { SqlExecutor } from '../storage/sql.js';

export interface IdempotencyScope {
  agentId: string;
  key: string;
}

export type ClaimOutcome =
  /** The caller owns the key now and must complete or release it. */
  | { kind: 'claimed'; claimToken: string }
  | { kind: 'completed'; responseStatus: number; responseBody: string }
  | { kind: 'in_progress' }
  | { kind: 'reused' };

interface KeyRow {
  request_digest: string;
  status: 'in_progress' | 'completed';
  response_status: number | null;
  response_body: string | null;
}

/**
 * Claims (agent id, key) for a request, or tells why it cannot. An expired row, whether a
 * finished answer older than the retention or an abandoned claim, counts as absent.
 */
export async function claimKey(
  db: SqlExecutor,
  scope: IdempotencyScope,
  request: { digest: string; claimToken: string; now: Date; leaseUntil: Date },
): Promise<ClaimOutcome> {
  // Two rounds: if the row we lost to is deleted (its request failed) before we read it,
  // the key is free again and the second insert can take it.
  for (let round = 0; round < 2; round += 1) {
    const claimed = await db.query(
      `INSERT INTO reference_tasker.idempotency_keys (agent_id, key, request_digest, claim_token, status, expires_at)
       VALUES ($1, $2, $3, $4, 'in_progress', $5::timestamptz)
       ON CONFLICT (agent_id, key) DO UPDATE
          SET request_digest = EXCLUDED.request_digest, claim_token = EXCLUDED.claim_token, status = 'in_progress',
              response_status = NULL, response_body = NULL, expires_at = EXCLUDED.expires_at
        WHERE reference_tasker.idempotency_keys.expires_at <= $6::timestamptz
       RETURNING agent_id`,
      [scope.agentId, scope.key, request.digest, request.claimToken, request.leaseUntil.toISOString(), request.now.toISOString()],
    );
    if (claimed.length > 0) return { kind: 'claimed', claimToken: request.claimToken };

    const rows = await db.query<KeyRow>(
      `SELECT request_digest, status, response_status, response_body FROM reference_tasker.idempotency_keys
        WHERE agent_id = $1 AND key = $2`,
      [scope.agentId, scope.key],
    );
    const row = rows[0];
    if (row === undefined) continue;
    if (row.request_digest !== request.digest) return { kind: 'reused' };
    if (row.status === 'in_progress' || row.response_status === null || row.response_body === null) return { kind: 'in_progress' };
    return { kind: 'completed', responseStatus: row.response_status, responseBody: row.response_body };
  }
  return { kind: 'in_progress' };
}

/** Stores the answer; run it in the write's own transaction so that both commit or neither. */
export async function completeKey(
  db: SqlExecutor,
  scope: IdempotencyScope,
  claimToken: string,
  response: { status: number; body: string; expiresAt: Date },
): Promise<void> {
  const rows = await db.query(
    `UPDATE reference_tasker.idempotency_keys
        SET status = 'completed', response_status = $4, response_body = $5, expires_at = $6::timestamptz
      WHERE agent_id = $1 AND key = $2 AND claim_token = $3 AND status = 'in_progress'
     RETURNING agent_id`,
    [scope.agentId, scope.key, claimToken, response.status, response.body, response.expiresAt.toISOString()],
  );
  // Losing the claim means the lease ran out and someone else took the key; the write must
  // not commit, or it would be applied twice.
  if (rows.length === 0) throw new Error('idempotency claim was lost before the write completed');
}

/** Gives the key back after a failed request, so that the client may use it again. */
export async function releaseKey(db: SqlExecutor, scope: IdempotencyScope, claimToken: string): Promise<void> {
  await db.query(
    `DELETE FROM reference_tasker.idempotency_keys
      WHERE agent_id = $1 AND key = $2 AND claim_token = $3 AND status = 'in_progress'`,
    [scope.agentId, scope.key, claimToken],
  );
}

export async function purgeExpiredKeys(db: SqlExecutor, now: Date): Promise<void> {
  await db.query('DELETE FROM reference_tasker.idempotency_keys WHERE expires_at <= $1::timestamptz', [now.toISOString()]);
}
