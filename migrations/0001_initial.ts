import { type Kysely, sql } from 'kysely';

/**
 * The gateway's own state. Secrets never reach a table: tokens and pairing codes are stored as
 * SHA-256 hashes only. Audit events keep plain agent ids (no foreign key) so that deleting an agent
 * never erases what it did. Timestamps keep millisecond precision (timestamptz(3)) so they
 * round-trip through JavaScript Dates exactly, which keyset cursors rely on.
 */
const SCOPE_LIST = sql.raw(
  `array['projects:read','issues:read','issues:write','comments:write','labels:write','assignees:write']::text[]`,
);

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('agents')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('owner_user_id', 'text', (c) => c.notNull().check(sql`length(owner_user_id) between 1 and 200`))
    .addColumn('owner_email', 'text', (c) => c.notNull().check(sql`length(owner_email) between 3 and 320`))
    .addColumn('display_name', 'text', (c) => c.notNull().check(sql`length(display_name) between 1 and 120`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active', 'disabled')`))
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('agents_owner_idx').on('agents').columns(['owner_user_id', 'created_at']).execute();

  await db.schema
    .createTable('agent_grants')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('agent_id', 'uuid', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('tasker_project_id', 'text', (c) =>
      c.notNull().check(sql`length(tasker_project_id) between 1 and 200`),
    )
    .addColumn('scopes', sql`text[]`, (c) =>
      c.notNull().check(sql`cardinality(scopes) > 0 and scopes <@ ${SCOPE_LIST}`),
    )
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('agent_grants_agent_project_key', ['agent_id', 'tasker_project_id'])
    .execute();

  await db.schema
    .createTable('agent_tokens')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('agent_id', 'uuid', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 120`))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique().check(sql`token_hash ~ '^[0-9a-f]{64}$'`))
    .addColumn('display_prefix', 'text', (c) => c.notNull())
    .addColumn('last_characters', 'text', (c) => c.notNull())
    // null: the token follows its agent's grants, whatever they become; a list narrows it.
    .addColumn('scopes', sql`text[]`, (c) => c.check(sql`scopes <@ ${SCOPE_LIST}`))
    .addColumn('created_by_user_id', 'text')
    .addColumn('created_via', 'text', (c) => c.notNull().check(sql`created_via in ('launcher', 'pairing')`))
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('revoked_at', sql`timestamptz(3)`)
    .addColumn('last_used_at', sql`timestamptz(3)`)
    .addCheckConstraint('agent_tokens_expiry_after_creation', sql`expires_at > created_at`)
    .execute();
  await db.schema.createIndex('agent_tokens_agent_idx').on('agent_tokens').columns(['agent_id', 'created_at']).execute();

  await db.schema
    .createTable('pairing_codes')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('agent_id', 'uuid', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    // The first half of the code finds the pending pairing; the whole code's hash proves it.
    .addColumn('selector', 'text', (c) => c.notNull().check(sql`selector ~ '^[BCDFGHJKLMNPQRSTVWXZ]{4}$'`))
    .addColumn('code_hash', 'text', (c) => c.notNull().unique().check(sql`code_hash ~ '^[0-9a-f]{64}$'`))
    .addColumn('token_name', 'text', (c) => c.notNull().check(sql`length(token_name) between 1 and 120`))
    .addColumn('scopes', sql`text[]`, (c) => c.check(sql`scopes <@ ${SCOPE_LIST}`))
    .addColumn('token_ttl_days', 'integer', (c) => c.notNull().check(sql`token_ttl_days > 0`))
    .addColumn('created_by_user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0).check(sql`failed_attempts >= 0`))
    .addColumn('used_at', sql`timestamptz(3)`)
    .addColumn('locked_at', sql`timestamptz(3)`)
    .addColumn('token_id', 'uuid', (c) => c.references('agent_tokens.id').onDelete('set null'))
    .addCheckConstraint('pairing_codes_expiry_after_creation', sql`expires_at > created_at`)
    .execute();
  // At most one open code per selector, so a selector names one pending pairing.
  await db.schema
    .createIndex('pairing_codes_open_selector_key')
    .on('pairing_codes')
    .column('selector')
    .unique()
    .where(sql.ref('used_at'), 'is', null)
    .where(sql.ref('locked_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('occurred_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) =>
      c.notNull().check(sql`actor_kind in ('launcher', 'agent', 'anonymous', 'system')`),
    )
    .addColumn('actor_id', 'text')
    .addColumn('agent_id', 'uuid')
    .addColumn('owner_user_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('succeeded', 'denied', 'failed')`))
    .addColumn('reason', 'text')
    .addColumn('tasker_status', 'integer')
    .addColumn('latency_ms', 'integer')
    .addColumn('client_address', 'text')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema.createIndex('audit_events_agent_idx').on('audit_events').columns(['agent_id', 'occurred_at']).execute();
  await db.schema
    .createIndex('audit_events_owner_idx')
    .on('audit_events')
    .columns(['owner_user_id', 'occurred_at'])
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('agent_id', 'uuid', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull().check(sql`length(key) between 1 and 255`))
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull().check(sql`request_hash ~ '^[0-9a-f]{64}$'`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('in_progress', 'completed')`))
    .addColumn('response', 'jsonb')
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pkey', ['agent_id', 'key'])
    .addCheckConstraint(
      'idempotency_keys_completed_has_response',
      sql`(status = 'completed') = (response is not null)`,
    )
    .execute();
  await db.schema.createIndex('idempotency_keys_expiry_idx').on('idempotency_keys').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['idempotency_keys', 'audit_events', 'pairing_codes', 'agent_tokens', 'agent_grants', 'agents']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
