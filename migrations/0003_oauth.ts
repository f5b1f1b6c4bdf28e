import { type Kysely, sql } from 'kysely';

/**
 * OAuth sign-in for remote MCP clients. The gateway is the authorization server for agent tokens:
 * a pending authorization request waits for the person's consent in the Launcher, an approved one
 * yields a single-use authorization code, and the code a token family: ordinary agent tokens
 * (agent_tokens, created_via 'oauth', bound to the resource they were issued for) renewed by
 * rotating refresh tokens. Codes and refresh tokens are stored as SHA-256 hashes only.
 * Dynamically registered clients (the deprecated fallback, off by default) are the only clients
 * stored here: metadata-document clients are fetched and cached, pre-registered ones configured.
 */
const SCOPE_LIST = sql.raw(
  `array['projects:read','issues:read','issues:write','comments:write','labels:write','assignees:write']::text[]`,
);
const HASH = sql`~ '^[0-9a-f]{64}$'`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table agent_tokens drop constraint agent_tokens_created_via_check`.execute(db);
  await sql`alter table agent_tokens add constraint agent_tokens_created_via_check check (created_via in ('launcher', 'pairing', 'oauth'))`.execute(db);
  await db.schema
    .alterTable('agent_tokens')
    // The RFC 8707 resource an OAuth access token was issued for; it is refused anywhere else.
    .addColumn('resource', 'text', (c) => c.check(sql`length(resource) between 1 and 2000`))
    .execute();

  await db.schema
    .createTable('oauth_clients')
    .addColumn('client_id', 'text', (c) => c.primaryKey().check(sql`length(client_id) between 1 and 200`))
    .addColumn('client_name', 'text', (c) => c.check(sql`length(client_name) between 1 and 200`))
    .addColumn('redirect_uris', sql`text[]`, (c) => c.notNull().check(sql`cardinality(redirect_uris) between 1 and 10`))
    .addColumn('client_uri', 'text')
    .addColumn('logo_uri', 'text')
    .addColumn('client_address', 'text')
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('oauth_authorization_requests')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // The handle the browser carries to the consent screen; only its hash is kept.
    .addColumn('handle_hash', 'text', (c) => c.notNull().unique().check(sql`handle_hash ${HASH}`))
    .addColumn('client_id', 'text', (c) => c.notNull().check(sql`length(client_id) between 1 and 2000`))
    .addColumn('client_name', 'text', (c) => c.notNull().check(sql`length(client_name) between 1 and 200`))
    .addColumn('client_uri', 'text')
    .addColumn('logo_uri', 'text')
    .addColumn('redirect_uri', 'text', (c) => c.notNull().check(sql`length(redirect_uri) between 1 and 2000`))
    .addColumn('state', 'text', (c) => c.check(sql`length(state) <= 2000`))
    .addColumn('code_challenge', 'text', (c) => c.notNull().check(sql`code_challenge ~ '^[A-Za-z0-9_-]{43}$'`))
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('scopes', sql`text[]`, (c) => c.notNull().check(sql`scopes <@ ${SCOPE_LIST}`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending', 'approved', 'denied')`))
    .addColumn('decided_by_user_id', 'text')
    .addColumn('agent_id', 'uuid', (c) => c.references('agents.id').onDelete('cascade'))
    .addColumn('granted_scopes', sql`text[]`, (c) => c.check(sql`granted_scopes <@ ${SCOPE_LIST}`))
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('decided_at', sql`timestamptz(3)`)
    .execute();

  await db.schema
    .createTable('oauth_authorization_codes')
    .addColumn('code_hash', 'text', (c) => c.primaryKey().check(sql`code_hash ${HASH}`))
    .addColumn('request_id', 'uuid', (c) => c.notNull().unique().references('oauth_authorization_requests.id').onDelete('cascade'))
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('used_at', sql`timestamptz(3)`)
    // The token family the code was exchanged for: revoked if the code is ever presented again.
    .addColumn('family_id', 'uuid')
    .execute();

  await db.schema
    .createTable('oauth_refresh_tokens')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique().check(sql`token_hash ${HASH}`))
    // Every refresh token and access token descending from one authorization shares a family.
    .addColumn('family_id', 'uuid', (c) => c.notNull())
    .addColumn('agent_id', 'uuid', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_name', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('scopes', sql`text[]`, (c) => c.notNull().check(sql`scopes <@ ${SCOPE_LIST}`))
    .addColumn('access_token_id', 'uuid', (c) => c.notNull().references('agent_tokens.id').onDelete('cascade'))
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('used_at', sql`timestamptz(3)`)
    .addColumn('revoked_at', sql`timestamptz(3)`)
    .execute();
  await db.schema.createIndex('oauth_refresh_tokens_family_idx').on('oauth_refresh_tokens').columns(['family_id']).execute();
  await db.schema.createIndex('oauth_refresh_tokens_agent_idx').on('oauth_refresh_tokens').columns(['agent_id', 'created_at']).execute();

  await db.schema
    .alterTable('agent_tokens')
    .addColumn('oauth_family_id', 'uuid')
    .execute();
  await db.schema.createIndex('agent_tokens_oauth_family_idx').on('agent_tokens').columns(['oauth_family_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('oauth_refresh_tokens').execute();
  await db.schema.dropTable('oauth_authorization_codes').execute();
  await db.schema.dropTable('oauth_authorization_requests').execute();
  await db.schema.dropTable('oauth_clients').execute();
  await db.schema.alterTable('agent_tokens').dropColumn('oauth_family_id').dropColumn('resource').execute();
  await sql`alter table agent_tokens drop constraint agent_tokens_created_via_check`.execute(db);
  await sql`alter table agent_tokens add constraint agent_tokens_created_via_check check (created_via in ('launcher', 'pairing'))`.execute(db);
}
