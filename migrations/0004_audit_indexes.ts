import { type Kysely, sql } from 'kysely';

/**
 * Indexes that keep the Launcher's audit log queries (src/db/repositories/audit-events.ts) flat as
 * the table grows to millions of rows. Every list is newest first by (occurred_at, id), and each
 * filter has an index that ends in exactly that order, so a page is a short index scan:
 * - everything (admins): (occurred_at, id);
 * - one agent: (agent_id, occurred_at, id), replacing 0001's (agent_id, occurred_at);
 * - a user's view, "owner is me OR a Launcher action of mine", read as two index scans joined by
 *   UNION ALL: (owner_user_id, occurred_at, id), replacing 0001's (owner_user_id, occurred_at), and
 *   (actor_id, occurred_at, id) over Launcher actions only.
 * The same indexes serve the retention prune and the export, which walk occurred_at.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('audit_events_time_idx').on('audit_events').columns(['occurred_at', 'id']).execute();
  await db.schema.createIndex('audit_events_agent_time_idx').on('audit_events').columns(['agent_id', 'occurred_at', 'id']).execute();
  await db.schema.createIndex('audit_events_owner_time_idx').on('audit_events').columns(['owner_user_id', 'occurred_at', 'id']).execute();
  await db.schema
    .createIndex('audit_events_launcher_actor_time_idx')
    .on('audit_events')
    .columns(['actor_id', 'occurred_at', 'id'])
    .where(sql.ref('actor_kind'), '=', 'launcher')
    .execute();
  await db.schema.dropIndex('audit_events_agent_idx').execute();
  await db.schema.dropIndex('audit_events_owner_idx').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('audit_events_agent_idx').on('audit_events').columns(['agent_id', 'occurred_at']).execute();
  await db.schema.createIndex('audit_events_owner_idx').on('audit_events').columns(['owner_user_id', 'occurred_at']).execute();
  for (const name of ['audit_events_time_idx', 'audit_events_agent_time_idx', 'audit_events_owner_time_idx', 'audit_events_launcher_actor_time_idx']) {
    await db.schema.dropIndex(name).execute();
  }
}
