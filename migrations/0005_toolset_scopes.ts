import { type Kysely, sql } from 'kysely';

/**
 * Three scopes for the capabilities that need their own (src/auth/scopes.ts): relations between
 * issues, links on issues, and planning (cycles and modules). The scope columns' check constraints
 * (Postgres named them <table>_<column>_check in 0001 and 0003) are replaced with the longer list.
 */
const TABLES = [
  { table: 'agent_grants', column: 'scopes', check: (list: string) => `cardinality(scopes) > 0 and scopes <@ ${list}` },
  { table: 'agent_tokens', column: 'scopes', check: (list: string) => `scopes <@ ${list}` },
  { table: 'pairing_codes', column: 'scopes', check: (list: string) => `scopes <@ ${list}` },
  { table: 'oauth_authorization_requests', column: 'scopes', check: (list: string) => `scopes <@ ${list}` },
  { table: 'oauth_authorization_requests', column: 'granted_scopes', check: (list: string) => `granted_scopes <@ ${list}` },
  { table: 'oauth_refresh_tokens', column: 'scopes', check: (list: string) => `scopes <@ ${list}` },
] as const;

const list = (scopes: readonly string[]) => `array[${scopes.map((scope) => `'${scope}'`).join(',')}]::text[]`;

const BEFORE = ['projects:read', 'issues:read', 'issues:write', 'comments:write', 'labels:write', 'assignees:write'];
const AFTER = [...BEFORE, 'relations:write', 'links:write', 'planning:write'];

async function replaceChecks(db: Kysely<unknown>, scopes: readonly string[]): Promise<void> {
  for (const { table, column, check } of TABLES) {
    const name = `${table}_${column}_check`;
    await sql.raw(`alter table ${table} drop constraint if exists ${name}`).execute(db);
    await sql.raw(`alter table ${table} add constraint ${name} check (${check(list(scopes))})`).execute(db);
  }
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await replaceChecks(db, AFTER);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await replaceChecks(db, BEFORE);
}
