import type { Executor } from '../database.js';
import type { AgentRow, AgentStatus } from '../tables.js';

export async function insertAgent(
  db: Executor,
  agent: { ownerUserId: string; ownerEmail: string; displayName: string },
): Promise<AgentRow> {
  return db
    .insertInto('agents')
    .values({ owner_user_id: agent.ownerUserId, owner_email: agent.ownerEmail, display_name: agent.displayName })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findAgent(db: Executor, agentId: string): Promise<AgentRow | undefined> {
  return db.selectFrom('agents').selectAll().where('id', '=', agentId).executeTakeFirst();
}

/** Row lock for lifecycle changes, so a concurrent disable and token creation cannot interleave. */
export async function findAgentForUpdate(db: Executor, agentId: string): Promise<AgentRow | undefined> {
  return db.selectFrom('agents').selectAll().where('id', '=', agentId).forUpdate().executeTakeFirst();
}

export interface AgentListFilter {
  ownerUserId?: string;
  limit: number;
  /** Keyset cursor: rows strictly after (created_at, id). */
  after?: { createdAt: Date; id: string };
}

export async function listAgents(db: Executor, filter: AgentListFilter): Promise<AgentRow[]> {
  let query = db.selectFrom('agents').selectAll();
  if (filter.ownerUserId !== undefined) query = query.where('owner_user_id', '=', filter.ownerUserId);
  if (filter.after) {
    const { createdAt, id } = filter.after;
    query = query.where((eb) =>
      eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]),
    );
  }
  return query.orderBy('created_at').orderBy('id').limit(filter.limit).execute();
}

export async function updateAgent(
  db: Executor,
  agentId: string,
  changes: { displayName?: string; status?: AgentStatus },
): Promise<AgentRow> {
  return db
    .updateTable('agents')
    .set({
      ...(changes.displayName !== undefined ? { display_name: changes.displayName } : {}),
      ...(changes.status !== undefined ? { status: changes.status } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', agentId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteAgent(db: Executor, agentId: string): Promise<void> {
  await db.deleteFrom('agents').where('id', '=', agentId).execute();
}
