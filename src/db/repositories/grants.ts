import { sql } from 'kysely';
import type { Scope } from '../../auth/scopes.js';
import type { Executor } from '../database.js';
import type { GrantRow } from '../tables.js';

export async function listGrants(db: Executor, agentId: string): Promise<GrantRow[]> {
  return db
    .selectFrom('agent_grants')
    .selectAll()
    .where('agent_id', '=', agentId)
    .orderBy('tasker_project_id')
    .execute();
}

/** The first `limit` grants (by project id) of each of several agents, in one query. */
export async function listGrantsOfAgents(db: Executor, agentIds: readonly string[], limit: number): Promise<GrantRow[]> {
  if (agentIds.length === 0) return [];
  const ranked = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('agent_grants')
        .selectAll()
        .select(sql<number>`row_number() over (partition by agent_id order by tasker_project_id)`.as('position'))
        .where('agent_id', 'in', agentIds)
        .as('ranked'),
    )
    .selectAll()
    .where('position', '<=', limit)
    .orderBy('agent_id')
    .orderBy('position')
    .execute();
  return ranked.map(({ position: _position, ...grant }) => grant);
}

export async function upsertGrant(
  db: Executor,
  grant: { agentId: string; taskerProjectId: string; scopes: Scope[] },
): Promise<{ row: GrantRow; previousScopes: Scope[] | null }> {
  const previous = await db
    .selectFrom('agent_grants')
    .select('scopes')
    .where('agent_id', '=', grant.agentId)
    .where('tasker_project_id', '=', grant.taskerProjectId)
    .executeTakeFirst();
  const row = await db
    .insertInto('agent_grants')
    .values({ agent_id: grant.agentId, tasker_project_id: grant.taskerProjectId, scopes: grant.scopes })
    .onConflict((oc) =>
      oc.columns(['agent_id', 'tasker_project_id']).doUpdateSet({ scopes: grant.scopes, updated_at: new Date() }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row, previousScopes: previous?.scopes ?? null };
}

export async function deleteGrant(db: Executor, agentId: string, taskerProjectId: string): Promise<GrantRow | undefined> {
  return db
    .deleteFrom('agent_grants')
    .where('agent_id', '=', agentId)
    .where('tasker_project_id', '=', taskerProjectId)
    .returningAll()
    .executeTakeFirst();
}
