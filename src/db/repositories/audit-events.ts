import type { Executor } from '../database.js';
import type { AuditEventRow, NewAuditEvent } from '../tables.js';

export async function insertAuditEvent(db: Executor, event: NewAuditEvent): Promise<void> {
  await db.insertInto('audit_events').values(event).execute();
}

export interface AuditEventFilter {
  agentId?: string;
  /** Restricts to events about agents this user owns (or that this user performed). */
  visibleToUserId?: string;
  limit: number;
  /** Keyset cursor, newest first: rows strictly before (occurred_at, id). */
  before?: { occurredAt: Date; id: string };
}

export async function listAuditEvents(db: Executor, filter: AuditEventFilter): Promise<AuditEventRow[]> {
  let query = db.selectFrom('audit_events').selectAll();
  if (filter.agentId !== undefined) query = query.where('agent_id', '=', filter.agentId);
  if (filter.visibleToUserId !== undefined) {
    const userId = filter.visibleToUserId;
    query = query.where((eb) =>
      eb.or([
        eb('owner_user_id', '=', userId),
        eb.and([eb('actor_kind', '=', 'launcher'), eb('actor_id', '=', userId)]),
      ]),
    );
  }
  if (filter.before) {
    const { occurredAt, id } = filter.before;
    query = query.where((eb) =>
      eb.or([eb('occurred_at', '<', occurredAt), eb.and([eb('occurred_at', '=', occurredAt), eb('id', '<', id)])]),
    );
  }
  return query.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
}
