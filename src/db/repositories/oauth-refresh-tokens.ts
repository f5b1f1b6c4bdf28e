import type { Executor } from '../database.js';
import type { NewOAuthRefreshToken, OAuthRefreshTokenRow } from '../tables.js';

export async function insertRefreshToken(db: Executor, token: NewOAuthRefreshToken): Promise<OAuthRefreshTokenRow> {
  return db.insertInto('oauth_refresh_tokens').values(token).returningAll().executeTakeFirstOrThrow();
}

export async function findRefreshTokenForUpdate(db: Executor, tokenHash: string): Promise<OAuthRefreshTokenRow | undefined> {
  return db.selectFrom('oauth_refresh_tokens').selectAll().where('token_hash', '=', tokenHash).forUpdate().executeTakeFirst();
}

export async function markRefreshTokenUsed(db: Executor, id: string, usedAt: Date): Promise<void> {
  await db.updateTable('oauth_refresh_tokens').set({ used_at: usedAt }).where('id', '=', id).execute();
}

/** Ends a whole token family: its refresh tokens and the access tokens issued with them. */
export async function revokeFamily(db: Executor, familyId: string, at: Date): Promise<void> {
  await db.updateTable('oauth_refresh_tokens').set({ revoked_at: at }).where('family_id', '=', familyId).where('revoked_at', 'is', null).execute();
  await db.updateTable('agent_tokens').set({ revoked_at: at }).where('oauth_family_id', '=', familyId).where('revoked_at', 'is', null).execute();
}

export interface FamilySummary {
  family_id: string;
  agent_id: string;
  client_id: string;
  client_name: string;
  resource: string;
  scopes: string[];
  connected_at: Date;
  last_refreshed_at: Date;
  revoked_at: Date | null;
}

/** One entry per OAuth connection (token family) of an agent, newest first. */
export async function listFamilies(db: Executor, agentId: string): Promise<FamilySummary[]> {
  const rows = await db
    .selectFrom('oauth_refresh_tokens')
    .selectAll()
    .where('agent_id', '=', agentId)
    .orderBy('created_at', 'desc')
    .limit(1000)
    .execute();
  const families = new Map<string, FamilySummary>();
  for (const row of rows) {
    const known = families.get(row.family_id);
    if (!known) {
      // Rows come newest first: the first one seen carries the family's current scopes.
      families.set(row.family_id, {
        family_id: row.family_id,
        agent_id: row.agent_id,
        client_id: row.client_id,
        client_name: row.client_name,
        resource: row.resource,
        scopes: row.scopes,
        connected_at: row.created_at,
        last_refreshed_at: row.created_at,
        revoked_at: row.revoked_at,
      });
    } else {
      known.connected_at = row.created_at;
      if (row.revoked_at && (!known.revoked_at || row.revoked_at > known.revoked_at)) known.revoked_at = row.revoked_at;
    }
  }
  return [...families.values()].sort((a, b) => b.connected_at.getTime() - a.connected_at.getTime());
}

export async function findFamilyAgent(db: Executor, familyId: string): Promise<{ agent_id: string; client_name: string } | undefined> {
  return db.selectFrom('oauth_refresh_tokens').select(['agent_id', 'client_name']).where('family_id', '=', familyId).limit(1).executeTakeFirst();
}
