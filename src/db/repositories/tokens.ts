import { sql } from 'kysely';
import type { Executor } from '../database.js';
import type { AgentRow, NewToken, TokenRow } from '../tables.js';

export async function insertToken(db: Executor, token: NewToken): Promise<TokenRow> {
  return db.insertInto('agent_tokens').values(token).returningAll().executeTakeFirstOrThrow();
}

export async function listTokens(db: Executor, agentId: string): Promise<TokenRow[]> {
  return db
    .selectFrom('agent_tokens')
    .selectAll()
    .where('agent_id', '=', agentId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
}

/**
 * The newest `limit` tokens of each of several agents, in one query: a list of agents shows their
 * tokens without a query per agent, and no agent's list is unbounded.
 */
export async function listNewestTokensOfAgents(db: Executor, agentIds: readonly string[], limit: number): Promise<TokenRow[]> {
  if (agentIds.length === 0) return [];
  const ranked = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('agent_tokens')
        .selectAll()
        .select(sql<number>`row_number() over (partition by agent_id order by created_at desc, id)`.as('position'))
        .where('agent_id', 'in', agentIds)
        .as('ranked'),
    )
    .selectAll()
    .where('position', '<=', limit)
    .orderBy('agent_id')
    .orderBy('position')
    .execute();
  return ranked.map(({ position: _position, ...token }) => token);
}

export async function findToken(db: Executor, tokenId: string): Promise<TokenRow | undefined> {
  return db.selectFrom('agent_tokens').selectAll().where('id', '=', tokenId).executeTakeFirst();
}

export interface TokenWithAgent {
  token: TokenRow;
  agent: AgentRow;
}

/** The one lookup every agent request makes: by hash, with its agent, in one round trip. */
export async function findTokenByHash(db: Executor, tokenHash: string): Promise<TokenWithAgent | undefined> {
  const row = await db
    .selectFrom('agent_tokens as t')
    .innerJoin('agents as a', 'a.id', 't.agent_id')
    .selectAll('t')
    .select([
      'a.owner_user_id as agent_owner_user_id',
      'a.owner_email as agent_owner_email',
      'a.display_name as agent_display_name',
      'a.status as agent_status',
      'a.created_at as agent_created_at',
      'a.updated_at as agent_updated_at',
    ])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const {
    agent_owner_user_id,
    agent_owner_email,
    agent_display_name,
    agent_status,
    agent_created_at,
    agent_updated_at,
    ...token
  } = row;
  return {
    token,
    agent: {
      id: token.agent_id,
      owner_user_id: agent_owner_user_id,
      owner_email: agent_owner_email,
      display_name: agent_display_name,
      status: agent_status,
      created_at: agent_created_at,
      updated_at: agent_updated_at,
    },
  };
}

export async function revokeToken(db: Executor, tokenId: string, at: Date): Promise<TokenRow | undefined> {
  return db
    .updateTable('agent_tokens')
    .set({ revoked_at: at })
    .where('id', '=', tokenId)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Records many tokens' last use in one statement. A row moves only forward, and only when its stored
 * value is at least `minIntervalMs` older, so several instances noting the same token do not each
 * write it.
 */
export async function recordTokenUses(db: Executor, uses: readonly { tokenId: string; at: Date }[], minIntervalMs: number): Promise<void> {
  if (uses.length === 0) return;
  const rows = sql.join(uses.map((use) => sql`(${use.tokenId}::uuid, ${use.at}::timestamptz)`));
  await sql`
    update agent_tokens as t set last_used_at = u.at
    from (values ${rows}) as u(id, at)
    where t.id = u.id and (t.last_used_at is null or t.last_used_at <= u.at - ${minIntervalMs / 1000}::float8 * interval '1 second')
  `.execute(db);
}
