import { type Kysely, sql } from 'kysely';

/**
 * Repeated identical refusals (a revoked token hammering, a flood of 429s) are one event with a
 * counter instead of one row each (src/audit/repeated-refusals.ts):
 * - `repeat_key` names the refusal and its window (`credential:token:<id>:token_revoked@<start>`);
 *   unique where set, so every replica on the database counts on the same row with one upsert;
 * - `occurrences` counts the calls the event stands for (1 for every other event);
 * - `last_occurred_at` is when the last of them came (null while there was one).
 * A fifth outcome, `rate_limited`, records calls refused by a rate limit (429).
 * Adding a column with a constant default rewrites nothing in PostgreSQL 11+, so this is quick on a
 * large table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table audit_events add column occurrences integer not null default 1 check (occurrences >= 1)`.execute(db);
  await sql`alter table audit_events add column last_occurred_at timestamptz(3)`.execute(db);
  await sql`alter table audit_events add column repeat_key text`.execute(db);
  await sql`create unique index audit_events_repeat_key_idx on audit_events (repeat_key) where repeat_key is not null`.execute(db);
  await sql`alter table audit_events drop constraint if exists audit_events_outcome_check`.execute(db);
  await sql`alter table audit_events add constraint audit_events_outcome_check check (outcome in ('succeeded', 'denied', 'failed', 'unknown', 'rate_limited'))`.execute(db);
}

/** Going down files rate-limited calls as denied, the closest older value, and forgets the counts. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`update audit_events set outcome = 'denied' where outcome = 'rate_limited'`.execute(db);
  await sql`alter table audit_events drop constraint if exists audit_events_outcome_check`.execute(db);
  await sql`alter table audit_events add constraint audit_events_outcome_check check (outcome in ('succeeded', 'denied', 'failed', 'unknown'))`.execute(db);
  await sql`drop index audit_events_repeat_key_idx`.execute(db);
  await sql`alter table audit_events drop column repeat_key`.execute(db);
  await sql`alter table audit_events drop column last_occurred_at`.execute(db);
  await sql`alter table audit_events drop column occurrences`.execute(db);
}
