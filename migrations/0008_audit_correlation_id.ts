import { type Kysely, sql } from 'kysely';

/**
 * The caller's X-Request-Id, kept beside the event's own request id and never in its place: a
 * caller may send any id (another caller's, one already in the log), so it correlates with the
 * caller's logs and proves nothing. Null when the caller sent none or an unusable one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table audit_events add column correlation_id text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table audit_events drop column correlation_id`.execute(db);
}
