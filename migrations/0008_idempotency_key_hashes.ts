import { type Kysely, sql } from 'kysely';

/**
 * Idempotency keys are agent-written text, so they are not kept as written: each row holds the
 * SHA-256 of the key scoped to its agent (src/idempotency/key-hash.ts computes the same value),
 * and the key itself is dropped. Existing rows are converted in place, so a retry within their
 * 24 hours still replays the stored answer. The key column's length check goes with the column;
 * the hash has its own.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table idempotency_keys add column key_hash text`.execute(db);
  // Keys are printable ASCII (the gateway refuses anything else), so UTF-8 is the bytes the agent sent.
  await sql`
    update idempotency_keys
    set key_hash = encode(sha256(convert_to('idempotency-key' || chr(10) || agent_id::text || chr(10) || key, 'UTF8')), 'hex')
  `.execute(db);
  await sql`alter table idempotency_keys drop constraint idempotency_keys_pkey`.execute(db);
  await sql`alter table idempotency_keys drop column key`.execute(db);
  await sql`alter table idempotency_keys alter column key_hash set not null`.execute(db);
  await sql`alter table idempotency_keys add constraint idempotency_keys_key_hash_check check (key_hash ~ '^[0-9a-f]{64}$')`.execute(db);
  await sql`alter table idempotency_keys add constraint idempotency_keys_pkey primary key (agent_id, key_hash)`.execute(db);
}

/** The keys cannot come back from their hashes: going down forgets them (a retry then runs again, under Tasker's own deduplication). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from idempotency_keys`.execute(db);
  await sql`alter table idempotency_keys drop constraint idempotency_keys_pkey`.execute(db);
  await sql`alter table idempotency_keys drop column key_hash`.execute(db);
  await sql`alter table idempotency_keys add column key text not null check (length(key) between 1 and 255)`.execute(db);
  await sql`alter table idempotency_keys add constraint idempotency_keys_pkey primary key (agent_id, key)`.execute(db);
}
