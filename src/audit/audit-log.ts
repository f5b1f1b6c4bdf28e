import type { Principal } from '../auth/principal.js';
import { principalActor } from '../auth/principal.js';
import type { Executor } from '../db/database.js';
import { insertAuditEvent, insertOrRepeatAuditEvent } from '../db/repositories/audit-events.js';
import { redactSecrets, redactSecretsIn } from '../secrets/scan.js';
import { neutralizeText, neutralizeTextIn } from '../validation/text.js';
import type { AuditOutcome, NewAuditEvent } from '../db/tables.js';
import { observeAuditWrite } from '../observability/metrics.js';

/**
 * The audit trail. Lifecycle changes write their event inside the same transaction as the change;
 * denials and failures write theirs on their own, since there is no change to join. Callers pass
 * what happened; who asked and from where comes from the request (RequestMeta).
 */
export interface RequestMeta {
  /** The gateway's own id for the request. */
  requestId: string;
  /** The caller's X-Request-Id, when it sent a sane one: for correlation only. */
  correlationId?: string | null;
  clientAddress: string | null;
}

export interface AuditEntry {
  action: string;
  outcome: AuditOutcome;
  /** The agent the event is about, for filtering an agent's history. */
  agentId?: string | null;
  ownerUserId?: string | null;
  targetType?: string;
  targetId?: string | null;
  reason?: string;
  taskerStatus?: number | null;
  latencyMs?: number;
  /** Safe, small facts only (scopes, names, codes); never a secret. */
  details?: Record<string, unknown>;
}

/** Requests with at least one event written, so a layer that records a refusal can tell whether another already did. */
const auditedRequests = new WeakSet<RequestMeta>();

export const requestWasAudited = (meta: RequestMeta): boolean => auditedRequests.has(meta);

export async function recordAudit(db: Executor, principal: Principal, meta: RequestMeta, entry: AuditEntry): Promise<void> {
  const started = performance.now();
  await insertAuditEvent(db, auditRow(principal, meta, entry));
  observeAuditWrite((performance.now() - started) / 1000);
  auditedRequests.add(meta);
}

/** Which repeats of a refusal count on one event: the same `key` within one fixed window. */
export interface Repeats {
  /** What was refused, to whom (`credential:token:<id>:token_revoked`); never a secret. */
  key: string;
  windowSeconds: number;
  now: Date;
}

/**
 * Records a refusal that a caller may repeat without bound (a refused credential, a rate limit):
 * the first in a window is written as an event, every later identical one only counts on it
 * (`occurrences`, `last_occurred_at`), so a flood leaves one row per key and window. Windows are
 * fixed, aligned to the epoch, so every replica puts a repeat in the same window without asking
 * the others; the event keeps the first call's request id and details.
 */
export async function recordRepeatableAudit(db: Executor, principal: Principal, meta: RequestMeta, entry: AuditEntry, repeats: Repeats): Promise<void> {
  const windowMs = repeats.windowSeconds * 1000;
  const windowStart = new Date(Math.floor(repeats.now.getTime() / windowMs) * windowMs);
  const started = performance.now();
  await insertOrRepeatAuditEvent(db, { ...auditRow(principal, meta, entry), repeat_key: `${repeats.key}@${windowStart.toISOString()}` });
  observeAuditWrite((performance.now() - started) / 1000);
  auditedRequests.add(meta);
}

function auditRow(principal: Principal, meta: RequestMeta, entry: AuditEntry): NewAuditEvent {
  const { actorKind, actorId } = principalActor(principal);
  const agentOwner = principal.kind === 'agent' ? principal.ownerUserId : null;
  return {
    request_id: meta.requestId,
    correlation_id: meta.correlationId ?? null,
    client_address: meta.clientAddress,
    actor_kind: actorKind,
    actor_id: actorId,
    agent_id: entry.agentId ?? (principal.kind === 'agent' ? principal.agentId : null),
    owner_user_id: entry.ownerUserId ?? agentOwner,
    action: entry.action,
    outcome: entry.outcome,
    target_type: entry.targetType ?? null,
    target_id: entry.targetId ?? null,
    // One redaction step for everything an event holds that a caller or Tasker could have written;
    // then control characters, bidi overrides, NUL and lone surrogates become visible escapes, so the
    // record is always written and never acts on the screen or terminal of whoever reads it.
    reason: entry.reason === undefined ? null : neutralizeText(redactSecrets(entry.reason)),
    tasker_status: entry.taskerStatus ?? null,
    latency_ms: entry.latencyMs === undefined ? null : Math.round(entry.latencyMs),
    // Every event of an agent names the token it came with, whichever layer wrote it.
    details: JSON.stringify(neutralizeTextIn(redactSecretsIn({ ...(principal.kind === 'agent' ? { tokenId: principal.tokenId } : {}), ...entry.details }))),
  };
}

/**
 * A successful change to one agent's records (the agent, its grants, tokens or pairing codes):
 * always filed under the agent and its owner, so the owner sees it in the agent's history.
 */
export async function recordAgentChange(
  db: Executor,
  principal: Principal,
  meta: RequestMeta,
  agent: { id: string; owner_user_id: string },
  change: { action: string; targetType?: string; targetId?: string; details?: Record<string, unknown> },
): Promise<void> {
  await recordAudit(db, principal, meta, {
    action: change.action,
    outcome: 'succeeded',
    agentId: agent.id,
    ownerUserId: agent.owner_user_id,
    targetType: change.targetType ?? 'agent',
    targetId: change.targetId ?? agent.id,
    ...(change.details ? { details: change.details } : {}),
  });
}
