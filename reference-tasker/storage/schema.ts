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
  // Contract v2 (Plane's model): triage states, default state and assignee, HTML text, sub-issues,
  // archived and draft issues, relations, links, cycles, modules, field-level activity. Written as
  // additions so a data folder from v1 is carried forward on the next start.
  `ALTER TABLE reference_tasker.states DROP CONSTRAINT IF EXISTS states_state_group_check`,
  `ALTER TABLE reference_tasker.states ADD CONSTRAINT states_state_group_check
     CHECK (state_group IN ('backlog', 'unstarted', 'started', 'completed', 'cancelled', 'triage'))`,
  `ALTER TABLE reference_tasker.states ADD COLUMN IF NOT EXISTS is_default boolean NOT NULL DEFAULT false`,
  `ALTER TABLE reference_tasker.projects ADD COLUMN IF NOT EXISTS default_assignee_id text REFERENCES reference_tasker.users (id)`,
  `ALTER TABLE reference_tasker.issues ALTER COLUMN state_id DROP NOT NULL`,
  `ALTER TABLE reference_tasker.issues ADD COLUMN IF NOT EXISTS parent_id text REFERENCES reference_tasker.issues (id)`,
  `ALTER TABLE reference_tasker.issues ADD COLUMN IF NOT EXISTS archived_at timestamptz`,
  `ALTER TABLE reference_tasker.issues ADD COLUMN IF NOT EXISTS is_draft boolean NOT NULL DEFAULT false`,
  `ALTER TABLE reference_tasker.issues ADD COLUMN IF NOT EXISTS cycle_id text`,
  `ALTER TABLE reference_tasker.comments ADD COLUMN IF NOT EXISTS edited_at timestamptz`,
  // A comment a person wrote in Tasker's own UI has no agent.
  `ALTER TABLE reference_tasker.comments ALTER COLUMN agent_id DROP NOT NULL`,
  `CREATE TABLE IF NOT EXISTS reference_tasker.cycles (
     id text PRIMARY KEY,
     project_id text NOT NULL REFERENCES reference_tasker.projects (id),
     name text NOT NULL,
     description text NOT NULL DEFAULT '',
     start_date date,
     end_date date
   )`,
  `CREATE TABLE IF NOT EXISTS reference_tasker.modules (
     id text PRIMARY KEY,
     project_id text NOT NULL REFERENCES reference_tasker.projects (id),
     name text NOT NULL,
     description text NOT NULL DEFAULT '',
     status text NOT NULL CHECK (status IN ('backlog', 'planned', 'in-progress', 'paused', 'completed', 'cancelled')),
     start_date date,
     target_date date,
     lead_id text REFERENCES reference_tasker.users (id),
     UNIQUE (project_id, name)
   )`,
  `CREATE TABLE IF NOT EXISTS reference_tasker.module_issues (
     module_id text NOT NULL REFERENCES reference_tasker.modules (id),
     issue_id text NOT NULL REFERENCES reference_tasker.issues (id),
     PRIMARY KEY (module_id, issue_id)
   )`,
  // Plane stores one row per related pair: blocked_by (issue is blocked by related_issue),
  // relates_to and duplicate (both symmetric).
  `CREATE TABLE IF NOT EXISTS reference_tasker.issue_relations (
     issue_id text NOT NULL REFERENCES reference_tasker.issues (id),
     related_issue_id text NOT NULL REFERENCES reference_tasker.issues (id),
     relation_type text NOT NULL CHECK (relation_type IN ('blocked_by', 'relates_to', 'duplicate')),
     created_at timestamptz NOT NULL,
     PRIMARY KEY (issue_id, related_issue_id)
   )`,
  `CREATE TABLE IF NOT EXISTS reference_tasker.issue_links (
     id text PRIMARY KEY,
     issue_id text NOT NULL REFERENCES reference_tasker.issues (id),
     url text NOT NULL,
     title text,
     agent_id text,
     user_id text NOT NULL REFERENCES reference_tasker.users (id),
     created_at timestamptz NOT NULL,
     UNIQUE (issue_id, url)
   )`,
  `CREATE TABLE IF NOT EXISTS reference_tasker.issue_activity (
     seq integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     id text NOT NULL UNIQUE,
     issue_id text NOT NULL REFERENCES reference_tasker.issues (id),
     verb text NOT NULL,
     field text,
     old_value text,
     new_value text,
     agent_id text,
     user_id text NOT NULL REFERENCES reference_tasker.users (id),
     created_at timestamptz NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS issues_project_sequence ON reference_tasker.issues (project_id, sequence_id DESC)`,
  `CREATE INDEX IF NOT EXISTS issues_parent ON reference_tasker.issues (parent_id)`,
  `CREATE INDEX IF NOT EXISTS issue_activity_issue ON reference_tasker.issue_activity (issue_id, seq)`,
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
