import { recordAudit } from '../../audit/audit-log.js';
import { markAudited } from '../../audit/audited-errors.js';
import { type AgentPrincipal, agentMayOnProject } from '../../auth/principal.js';
import type { Scope } from '../../auth/scopes.js';
import { forbidden, GatewayError } from '../../errors/gateway-error.js';
import type { AuditOutcome } from '../../db/tables.js';
import { describeUnexpected } from '../../logging/logger.js';
import type { TaskerCaller } from '../../tasker/client.js';
import { TaskerCallError } from '../../tasker/tasker-error.js';
import { type CallContext, type GatewayDeps, requireAgent } from '../context.js';

/**
 * The frame around every agent tool call: who is calling, on whose behalf Tasker sees it, and one
 * audit event per call, allowed or refused, with Tasker's status and the latency. The event is
 * written before the answer leaves, so a write is never answered without its record.
 */
export interface AgentCall {
  principal: AgentPrincipal;
  caller: TaskerCaller;
  /** Facts gathered during the call for its audit event (target, Tasker status, latency). */
  record: {
    targetType?: string;
    targetId?: string;
    taskerStatus?: number;
    /** Time spent waiting for Tasker, summed over the call's Tasker requests. */
    taskerLatencyMs?: number;
    /**
     * Set when the call is refused for lack of a grant but answers as something else (an issue in
     * an ungranted project answers NOT_FOUND, so ids reveal nothing): the audit still says denied, and why.
     */
    denial?: string;
    details: Record<string, unknown>;
  };
}

export async function runAgentCall<T>(
  deps: GatewayDeps,
  ctx: CallContext,
  tool: string,
  body: (call: AgentCall) => Promise<T>,
): Promise<T> {
  const principal = requireAgent(ctx.principal);
  const call: AgentCall = {
    principal,
    caller: { agentId: principal.agentId, ownerUserId: principal.ownerUserId, requestId: ctx.meta.requestId },
    // Redacted credentials are part of the call's record: which kinds, where, never the value.
    record: { details: ctx.redactedSecrets ? { secretsRedacted: ctx.redactedSecrets } : {} },
  };
  const started = performance.now();
  const audit = (outcome: AuditOutcome, extra: { reason?: string; taskerStatus?: number | null } = {}) =>
    recordAudit(deps.db, principal, ctx.meta, {
      action: `agent.${tool}`,
      outcome,
      ownerUserId: principal.ownerUserId,
      ...(call.record.targetType ? { targetType: call.record.targetType } : {}),
      targetId: call.record.targetId ?? null,
      taskerStatus: extra.taskerStatus ?? call.record.taskerStatus ?? null,
      latencyMs: performance.now() - started,
      ...(extra.reason ? { reason: extra.reason } : {}),
      details: {
        ...call.record.details,
        tokenId: principal.tokenId,
        ...(call.record.taskerLatencyMs === undefined ? {} : { taskerLatencyMs: Math.round(call.record.taskerLatencyMs) }),
      },
    });

  try {
    const result = await body(call);
    await audit('succeeded');
    return result;
  } catch (error) {
    const known = error instanceof GatewayError ? error : undefined;
    const denied = known?.code === 'FORBIDDEN' || known?.code === 'UNAUTHENTICATED' || call.record.denial !== undefined;
    try {
      // A write Tasker may have applied is neither a success nor a failure (write-frame.ts).
      const outcome = known?.code === 'WRITE_OUTCOME_UNKNOWN' ? 'unknown' : denied ? 'denied' : 'failed';
      await audit(outcome, {
        reason: call.record.denial ?? (known ? `${known.code}: ${known.message}` : 'unexpected error'),
        taskerStatus: error instanceof TaskerCallError ? error.taskerStatus : null,
      });
      markAudited(error);
    } catch (auditError) {
      // The caller hears about the first failure; the lost record is the operator's to know about.
      deps.logger.error('could not record a failed agent call in the audit log', {
        requestId: ctx.meta.requestId,
        action: `agent.${tool}`,
        ...describeUnexpected(auditError),
      });
    }
    throw error;
  }
}

/** The grant check: the token's scope must hold on this very project, not just somewhere. */
export function requireProjectScope(call: AgentCall, projectId: string, scope: Scope): void {
  if (!agentMayOnProject(call.principal, projectId, scope)) {
    throw forbidden(
      call.principal.grants.has(projectId)
        ? `the agent's grant on project ${projectId} does not include ${scope}; ask its owner to add it in the Launcher`
        : `the agent has no grant on project ${projectId}; ask its owner to grant it in the Launcher`,
      { projectId, scope },
    );
  }
}

/** Remembers a Tasker answer's status and latency for the call's audit event (which also holds the whole call's latency). */
export function noteTasker<T>(call: AgentCall, result: { data: T; status: number; latencyMs: number }): T {
  call.record.taskerStatus = result.status;
  call.record.taskerLatencyMs = (call.record.taskerLatencyMs ?? 0) + result.latencyMs;
  return result.data;
}
