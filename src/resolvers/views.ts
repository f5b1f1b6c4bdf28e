import type { Scope } from '../auth/scopes.js';
import type { AgentRow, AgentStatus, AuditEventRow, GrantRow, TokenOrigin, TokenRow } from '../db/tables.js';

/**
 * API shapes: what every surface (GraphQL, REST, MCP) shows. Rows become views only here, so a
 * column such as token_hash can never leak by accident: it has no field to land in.
 */
export interface AgentView {
  id: string;
  ownerUserId: string;
  ownerEmail: string;
  displayName: string;
  status: AgentStatus;
  createdAt: Date;
  updatedAt: Date;
}

export interface GrantView {
  agentId: string;
  projectId: string;
  scopes: Scope[];
  createdAt: Date;
  updatedAt: Date;
}

export type TokenStatus = 'active' | 'expired' | 'revoked';

export interface TokenView {
  id: string;
  agentId: string;
  name: string;
  /** First and last characters, enough to recognise a token without being able to use it. */
  displayPrefix: string;
  lastCharacters: string;
  /** null: the token follows its agent's grants. */
  scopes: Scope[] | null;
  createdVia: TokenOrigin;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  status: TokenStatus;
}

export interface AuditEventView {
  id: string;
  occurredAt: Date;
  requestId: string;
  correlationId: string | null;
  actorKind: AuditEventRow['actor_kind'];
  actorId: string | null;
  agentId: string | null;
  ownerUserId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: AuditEventRow['outcome'];
  reason: string | null;
  taskerStatus: number | null;
  latencyMs: number | null;
  details: Record<string, unknown>;
  occurrences: number;
  lastOccurredAt: Date | null;
}

export const toAgentView = (row: AgentRow): AgentView => ({
  id: row.id,
  ownerUserId: row.owner_user_id,
  ownerEmail: row.owner_email,
  displayName: row.display_name,
  status: row.status,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export const toGrantView = (row: GrantRow): GrantView => ({
  agentId: row.agent_id,
  projectId: row.tasker_project_id,
  scopes: row.scopes,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export function tokenStatus(row: Pick<TokenRow, 'revoked_at' | 'expires_at'>, now: Date): TokenStatus {
  if (row.revoked_at !== null) return 'revoked';
  return row.expires_at.getTime() <= now.getTime() ? 'expired' : 'active';
}

export const toTokenView = (row: TokenRow, now: Date): TokenView => ({
  id: row.id,
  agentId: row.agent_id,
  name: row.name,
  displayPrefix: row.display_prefix,
  lastCharacters: row.last_characters,
  scopes: row.scopes,
  createdVia: row.created_via,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  lastUsedAt: row.last_used_at,
  status: tokenStatus(row, now),
});

export const toAuditEventView = (row: AuditEventRow): AuditEventView => ({
  id: row.id,
  occurredAt: row.occurred_at,
  requestId: row.request_id,
  correlationId: row.correlation_id,
  actorKind: row.actor_kind,
  actorId: row.actor_id,
  agentId: row.agent_id,
  ownerUserId: row.owner_user_id,
  action: row.action,
  targetType: row.target_type,
  targetId: row.target_id,
  outcome: row.outcome,
  reason: row.reason,
  taskerStatus: row.tasker_status,
  latencyMs: row.latency_ms,
  details: row.details,
  occurrences: row.occurrences,
  lastOccurredAt: row.last_occurred_at,
});
