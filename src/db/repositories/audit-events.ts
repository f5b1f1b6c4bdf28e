import { type SelectQueryBuilder, sql } from 'kysely';
import type { Executor } from '../database.js';
import type { AuditEventRow, Database, NewAuditEvent } from '../tables.js';

export async function insertAuditEvent(db: Executor, event: NewAuditEvent): Promise<void> {
  await db.insertInto('audit_events').values(event).execute();
}

/**
 * Writes a repeatable event, or counts one more occurrence on the event already written under the
 * same key: one statement, atomic on PostgreSQL under any number of replicas (the key is unique
 * where set, migration 0009), so concurrent repeats never write a second row or lose a count.
 */
export async function insertOrRepeatAuditEvent(db: Executor, event: NewAuditEvent & { repeat_key: string }): Promise<void> {
  await db
    .insertInto('audit_events')
    .values(event)
    .onConflict((conflict) =>
      conflict
        .column('repeat_key')
        .where('repeat_key', 'is not', null)
        .doUpdateSet({ occurrences: sql<number>`audit_events.occurrences + 1`, last_occurred_at: sql<Date>`clock_timestamp()` }),
    )
    .execute();
}

/** A position in the log: the (occurred_at, id) of a row; lists continue strictly past it. */
export interface AuditPosition {
  occurredAt: Date;
  id: string;
}

export interface AuditEventFilter {
  agentId?: string;
  /** Restricts to events about agents this user owns (or that this user performed). */
  visibleToUserId?: string;
  limit: number;
  /** Keyset cursor, newest first: rows strictly before (occurred_at, id). */
  before?: AuditPosition;
}

type AuditQuery = SelectQueryBuilder<Database, 'audit_events', AuditEventRow>;

/**
 * One page, newest first, as a scan of the index that ends in (occurred_at, id) (migration 0004):
 * the row comparison `(occurred_at, id) < (…)` is what lets the planner start the scan at the
 * cursor instead of filtering every newer row, so a deep page costs what the first one does.
 */
function newestFirst(query: AuditQuery, filter: Pick<AuditEventFilter, 'before' | 'limit'>): AuditQuery {
  const { before } = filter;
  const positioned = before
    ? query.where((eb) => eb(eb.refTuple('occurred_at', 'id'), '<', eb.tuple(before.occurredAt, before.id)))
    : query;
  return positioned.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(filter.limit);
}

const byAgent = (agentId: string | undefined) => (query: AuditQuery) =>
  agentId === undefined ? query : query.where('agent_id', '=', agentId);

export async function listAuditEvents(db: Executor, filter: AuditEventFilter): Promise<AuditEventRow[]> {
  const base = () => db.selectFrom('audit_events').selectAll().$call(byAgent(filter.agentId));
  const userId = filter.visibleToUserId;
  if (userId === undefined) return newestFirst(base(), filter).execute();
  // "Owner is me OR a Launcher action of mine" as one query has no index to walk in time order
  // (it became a scan of the whole table). Two index scans, each at most a page long, merged:
  // the second leaves out what the first already returns, so no row comes twice.
  const owned = newestFirst(base().where('owner_user_id', '=', userId), filter);
  const mine = newestFirst(
    base()
      .where('actor_kind', '=', 'launcher')
      .where('actor_id', '=', userId)
      .where((eb) => eb.or([eb('owner_user_id', 'is', null), eb('owner_user_id', '!=', userId)])),
    filter,
  );
  // Each branch keeps its own ORDER BY and LIMIT, so each is wrapped as a subquery of its own.
  const merged = db.selectFrom(owned.as('owned')).selectAll().unionAll(db.selectFrom(mine.as('mine')).selectAll());
  return db
    .selectFrom(merged.as('visible'))
    .selectAll()
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit)
    .execute();
}

/** For the export: oldest first within [since, until), strictly after `after`. */
export async function listAuditEventsSince(
  db: Executor,
  range: { since: Date; until?: Date | undefined; after?: AuditPosition | undefined; limit: number },
): Promise<AuditEventRow[]> {
  const { after } = range;
  let query = db.selectFrom('audit_events').selectAll().where('occurred_at', '>=', range.since);
  if (range.until !== undefined) query = query.where('occurred_at', '<', range.until);
  if (after) query = query.where((eb) => eb(eb.refTuple('occurred_at', 'id'), '>', eb.tuple(after.occurredAt, after.id)));
  return query.orderBy('occurred_at', 'asc').orderBy('id', 'asc').limit(range.limit).execute();
}

/**
 * Deletes at most `batchSize` of the oldest events older than `cutoff`, in one short statement
 * (the time index finds them), and says how many went. The retention prune calls it in a loop so
 * no single statement holds locks or the embedded database's thread for long.
 */
export async function deleteAuditEventsBefore(db: Executor, cutoff: Date, batchSize: number): Promise<number> {
  const result = await db
    .deleteFrom('audit_events')
    .where('id', 'in', (eb) =>
      eb.selectFrom('audit_events').select('id').where('occurred_at', '<', cutoff).orderBy('occurred_at').limit(batchSize),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
