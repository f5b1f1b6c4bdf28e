import type { Scope } from '../../auth/scopes.js';
import type { Executor } from '../database.js';
import type { NewOAuthRequest, OAuthRequestRow } from '../tables.js';

export async function insertRequest(db: Executor, request: NewOAuthRequest): Promise<OAuthRequestRow> {
  return db.insertInto('oauth_authorization_requests').values(request).returningAll().executeTakeFirstOrThrow();
}

/** By the handle the browser carries; locked when a decision follows. */
export async function findRequestByHandle(db: Executor, handleHash: string, lock = false): Promise<OAuthRequestRow | undefined> {
  const query = db.selectFrom('oauth_authorization_requests').selectAll().where('handle_hash', '=', handleHash);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

export async function decideRequest(
  db: Executor,
  id: string,
  decision: { status: 'approved' | 'denied'; decidedByUserId: string; decidedAt: Date; agentId?: string; grantedScopes?: Scope[] },
): Promise<void> {
  await db
    .updateTable('oauth_authorization_requests')
    .set({
      status: decision.status,
      decided_by_user_id: decision.decidedByUserId,
      decided_at: decision.decidedAt,
      agent_id: decision.agentId ?? null,
      granted_scopes: decision.grantedScopes ?? null,
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

/** Pending requests nobody decided in time: kept out of the table once they can no longer be used. */
export async function deleteExpiredRequests(db: Executor, before: Date): Promise<number> {
  const result = await db.deleteFrom('oauth_authorization_requests').where('expires_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
