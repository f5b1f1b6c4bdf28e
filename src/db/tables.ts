import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Scope } from '../auth/scopes.js';

/** Row types, one interface per table (migrations/ is the source of truth for the SQL). */
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type ScopeArray = ColumnType<Scope[], Scope[], Scope[]>;
/** null: every scope the agent is granted, as the grants stand at each request. */
type TokenScopes = ColumnType<Scope[] | null, Scope[] | null, Scope[] | null>;

export type AgentStatus = 'active' | 'disabled';

export interface AgentsTable {
  id: Generated<string>;
  owner_user_id: string;
  owner_email: string;
  display_name: string;
  status: ColumnType<AgentStatus, AgentStatus | undefined, AgentStatus>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface AgentGrantsTable {
  id: Generated<string>;
  agent_id: string;
  tasker_project_id: string;
  scopes: ScopeArray;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export type TokenOrigin = 'launcher' | 'pairing' | 'oauth';

export interface AgentTokensTable {
  id: Generated<string>;
  agent_id: string;
  name: string;
  token_hash: string;
  display_prefix: string;
  last_characters: string;
  scopes: TokenScopes;
  created_by_user_id: string | null;
  created_via: TokenOrigin;
  created_at: CreatedAt;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
  /** OAuth access tokens only: the resource (RFC 8707) they were issued for, and their token family. */
  resource: ColumnType<string | null, string | null | undefined, string | null>;
  oauth_family_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface PairingCodesTable {
  id: Generated<string>;
  agent_id: string;
  selector: string;
  code_hash: string;
  token_name: string;
  scopes: TokenScopes;
  token_ttl_days: number;
  created_by_user_id: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  failed_attempts: ColumnType<number, number | undefined, number>;
  used_at: NullableTimestamp;
  locked_at: NullableTimestamp;
  token_id: string | null;
}

export type ActorKind = 'launcher' | 'agent' | 'anonymous' | 'system';
/**
 * `unknown`: a write Tasker may have applied without an answer saying so (migrations/0008_audit_outcome_unknown.ts);
 * `rate_limited`: refused by a rate limit, 429 (migrations/0009_audit_repeats.ts).
 */
export type AuditOutcome = 'succeeded' | 'denied' | 'failed' | 'unknown' | 'rate_limited';

export interface AuditEventsTable {
  id: Generated<string>;
  occurred_at: ColumnType<Date, never, never>;
  request_id: string;
  /** The caller's X-Request-Id, for correlation only (never the event's own id). */
  correlation_id: ColumnType<string | null, string | null | undefined, never>;
  actor_kind: ActorKind;
  actor_id: string | null;
  agent_id: string | null;
  owner_user_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: AuditOutcome;
  reason: string | null;
  tasker_status: number | null;
  latency_ms: number | null;
  client_address: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, never>;
  /** How many identical refusals the event stands for; 1 for every other event (migrations/0009_audit_repeats.ts). */
  occurrences: ColumnType<number, never, number>;
  /** When the last of the repeated refusals came; null while there was one. */
  last_occurred_at: ColumnType<Date | null, never, Date>;
  /** Set on a repeatable refusal: what was refused and the window it is counted in. */
  repeat_key: ColumnType<string | null, string | null | undefined, never>;
}

export type IdempotencyStatus = 'in_progress' | 'completed';

export interface IdempotencyKeysTable {
  agent_id: string;
  /** SHA-256 of the agent's key scoped to the agent (src/idempotency/key-hash.ts); the key itself is never stored. */
  key_hash: string;
  operation: string;
  request_hash: string;
  status: IdempotencyStatus;
  response: ColumnType<unknown, string | null, string | null>;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

type TextArray = ColumnType<string[], string[], string[]>;
type NullableScopes = ColumnType<Scope[] | null, Scope[] | null | undefined, Scope[] | null>;
type NullableText = ColumnType<string | null, string | null | undefined, string | null>;

export interface OAuthClientsTable {
  client_id: string;
  client_name: NullableText;
  redirect_uris: TextArray;
  client_uri: NullableText;
  logo_uri: NullableText;
  client_address: NullableText;
  created_at: CreatedAt;
}

export type OAuthRequestStatus = 'pending' | 'approved' | 'denied';

export interface OAuthAuthorizationRequestsTable {
  id: Generated<string>;
  handle_hash: string;
  client_id: string;
  client_name: string;
  client_uri: NullableText;
  logo_uri: NullableText;
  redirect_uri: string;
  state: NullableText;
  code_challenge: string;
  resource: string;
  issuer: string;
  scopes: ScopeArray;
  status: ColumnType<OAuthRequestStatus, OAuthRequestStatus | undefined, OAuthRequestStatus>;
  decided_by_user_id: NullableText;
  agent_id: NullableText;
  granted_scopes: NullableScopes;
  created_at: CreatedAt;
  expires_at: Timestamp;
  decided_at: NullableTimestamp;
}

export interface OAuthAuthorizationCodesTable {
  code_hash: string;
  request_id: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  family_id: NullableText;
}

export interface OAuthRefreshTokensTable {
  id: Generated<string>;
  token_hash: string;
  family_id: string;
  agent_id: string;
  client_id: string;
  client_name: string;
  resource: string;
  scopes: ScopeArray;
  access_token_id: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface Database {
  agents: AgentsTable;
  agent_grants: AgentGrantsTable;
  agent_tokens: AgentTokensTable;
  pairing_codes: PairingCodesTable;
  audit_events: AuditEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  oauth_clients: OAuthClientsTable;
  oauth_authorization_requests: OAuthAuthorizationRequestsTable;
  oauth_authorization_codes: OAuthAuthorizationCodesTable;
  oauth_refresh_tokens: OAuthRefreshTokensTable;
}

export type AgentRow = Selectable<AgentsTable>;
export type GrantRow = Selectable<AgentGrantsTable>;
export type TokenRow = Selectable<AgentTokensTable>;
export type NewToken = Insertable<AgentTokensTable>;
export type PairingCodeRow = Selectable<PairingCodesTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;
export type IdempotencyKeyRow = Selectable<IdempotencyKeysTable>;
export type AgentUpdate = Updateable<AgentsTable>;
export type OAuthClientRow = Selectable<OAuthClientsTable>;
export type NewOAuthClient = Insertable<OAuthClientsTable>;
export type OAuthRequestRow = Selectable<OAuthAuthorizationRequestsTable>;
export type NewOAuthRequest = Insertable<OAuthAuthorizationRequestsTable>;
export type OAuthCodeRow = Selectable<OAuthAuthorizationCodesTable>;
export type OAuthRefreshTokenRow = Selectable<OAuthRefreshTokensTable>;
export type NewOAuthRefreshToken = Insertable<OAuthRefreshTokensTable>;
