import type { SqlExecutor } from '../storage/sql.js';

/**
 * Records an accepted nonce until `expiresAt`. Returns false when the nonce is already on
 * record and not yet expired, i.e. the request is a replay. One statement, so two concurrent
 * requests with the same nonce cannot both win.
 */
export async function rememberNonce(db: SqlExecutor, nonce: string, now: Date, expiresAt: Date): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO reference_tasker.seen_nonces (nonce, expires_at) VALUES ($1, $2::timestamptz)
     ON CONFLICT (nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at
      WHERE reference_tasker.seen_nonces.expires_at <= $3::timestamptz
     RETURNING nonce`,
    [nonce, expiresAt.toISOString(), now.toISOString()],
  );
  return rows.length > 0;
}

export async function purgeExpiredNonces(db: SqlExecutor, now: Date): Promise<void> {
  await db.query('DELETE FROM reference_tasker.seen_nonces WHERE expires_at <= $1::timestamptz', [now.toISOString()]);
}
