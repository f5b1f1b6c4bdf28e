import { type Kysely, sql } from 'kysely';

/**
 * A fourth audit outcome, `unknown`: a write that reached Tasker (or may have) without an answer
 * saying whether it was applied. Recording it as `failed` told people it had not happened when it
 * often had. The check constraint PostgreSQL named in 0001 is replaced with the longer list.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table audit_events drop constraint if exists audit_events_outcome_check`.execute(db);
  await sql`alter table audit_events add constraint audit_events_outcome_check check (outcome in ('succeeded', 'denied', 'failed', 'unknown'))`.execute(db);
}

/** Going down files the unknown outcomes as failed, the closest older value. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`update audit_events set outcome = 'failed' where outcome = 'unknown'`.execute(db);
  await sql`alter table audit_events drop constraint if exists audit_events_outcome_check`.execute(db);
  await sql`alter table audit_events add constraint audit_events_outcome_check check (outcome in ('succeeded', 'denied', 'failed'))`.execute(db);
}
