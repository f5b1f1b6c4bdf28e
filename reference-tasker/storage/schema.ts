import type { Sql } from './sql.js';

/**
 * The reference server's tables, all in their own Postgres schema so that it can share a
 * database with the gateway. Ids are text: the contract only promises strings, and user ids
 * come from the platform (e.g. "local-user"), not from Tasker.
 */
const STATEMENTS: readonly string[] = [
  `CREATE SCHEMA IF NOT EXISTS reference_tasker`,
  `CREATE TABLE IF NOT EXISTS reference_tasker.users (
     id text PRIMARY KEY,
     email text NOT NULL UNIQUE,
     display_name text NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS reference_tasker.workspaces (
     id text PRIMARY KEY,
     slug text NOT NULL UNIQUE,
     name text NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS reference_tasker.projects (
     id text PRIMARY KEY,
     workspace_id text NOT NULL REFERENCES reference_tasker.workspaces (id),
     identifier text NOT NULL,
     name text NOT NULL,
     description text,
     issue_sequence integer NOT NULL DEFAULT 0,
     UNIQUE (workspace_id, identifier)
   )`,
  `CREATE TABLE IF NOT EXISTS reference_tasker.project_members (
     project_id text NOT NULL REFERENCES reference_tasker.projects (id),
     user_id text NOT NULL REFERENCES reference_tasker.users (id),
     role text NOT NULL CHECK (role IN ('admin', 'member', 'guest')),
     PRIMARY KEY (project_id, user_id)
   )`,
  `CREATE TABLE IF NOT EXISTS reference_tasker.states (
     id text PRIMARY KEY,
     project_id text NOT NULL REFERENCES reference_tasker.projects (id),
     name text NOT NULL,
     state_group text NOT NULL CHECK (state_group IN ('backlog', 'unstarted', 'started', 'completed', 'cancelled')),
     color text NOT NULL,
     sequence integer NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS reference_tasker.labels (
     id text PRIMARY KEY,
     project_id text NOT NULL REFERENCES reference_tasker.projects (id),
     name text NOT NULL,
     color text NOT NULL,
     UNIQUE (project_id, name)
   )`,
  `CREATE TABLE IF NOT EXISTS reference_tasker.issues (
     id text PRIMARY KEY,
     project_id text NOT NULL REFERENCES reference_tasker.projects (id),
     sequence_id integer NOT NULL,
     title text NOT NULL,
     description text,
     priority text NOT NULL CHECK (priority IN ('urgent', 'high', 'medium', 'low', 'none')),
     state_id text NOT NULL REFERENCES reference_tasker.states (id),
     start_date date,
     target_date date,
     created_by_agent_id text,
     created_by_user_id text NOT NULL REFERENCES reference_tasker.users (id),
     created_at timestamptz NOT NULL,
     updated_at timestamptz NOT NULL,
     UNIQUE (project_id, sequence_id)
   )`,
  `CREATE TABLE IF NOT EXISTS reference_tasker.issue_labels (
     issue_id text NOT NULL REFERENCES reference_tasker.issues (id),
     label_id text NOT NULL REFERENCES reference_tasker.labels (id),
     PRIMARY KEY (issue_id, label_id)
   )`,
  `CREATE TABLE IF NOT EXISTS reference_tasker.issue_assignees (
     issue_id text NOT NULL REFERENCES reference_tasker.issues (id),
     user_id text NOT NULL REFERENCES reference_tasker.users (id),
     PRIMARY KEY (issue_id, user_id)
   )`,
  `CREATE TABLE IF NOT EXISTS reference_tasker.comments (
     id text PRIMARY KEY,
     issue_id text NOT NULL REFERENCES reference_tasker.issues (id),
     body text NOT NULL,
     agent_id text NOT NULL,
     owner_user_id text NOT NULL REFERENCES reference_tasker.users (id),
     created_at timestamptz NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS reference_tasker.activity_log (
     seq integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     action text NOT NULL,
     issue_id text NOT NULL,
     project_id text NOT NULL,
     agent_id text NOT NULL,
     owner_user_id text NOT NULL,
     request_id text NOT NULL,
     idempotency_key text NOT NULL,
     occurred_at timestamptz NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS reference_tasker.idempotency_keys (
     agent_id text NOT NULL,
     key text NOT NULL,
     request_digest text NOT NULL,
     claim_token text NOT NULL,
     status text NOT NULL CHECK (status IN ('in_progress', 'completed')),
     response_status integer,
     response_body text,
     expires_at timestamptz NOT NULL,
     PRIMARY KEY (agent_id, key)
   )`,
  `CREATE TABLE IF NOT EXISTS reference_tasker.seen_nonces (
     nonce text PRIMARY KEY,
     expires_at timestamptz NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS issues_project_sequence ON reference_tasker.issues (project_id, sequence_id DESC)`,
  `CREATE INDEX IF NOT EXISTS seen_nonces_expiry ON reference_tasker.seen_nonces (expires_at)`,
];

/** Any fixed number; it only has to be the same for every reference server on a database. */
const SCHEMA_LOCK = 7_042_001;

/** Creates whatever is missing. Serialized by an advisory lock so that two servers starting on one database do not race. */
export async function ensureSchema(sql: Sql): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    for (const statement of STATEMENTS) await tx.query(statement);
  });
}
