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
