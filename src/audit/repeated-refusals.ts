import type { AgentPrincipal, CredentialRejection, LauncherPrincipal } from '../auth/principal.js';
import type { Db } from '../db/database.js';
import { describeUnexpected, type Logger } from '../logging/logger.js';
import { clientNetworkOf } from '../rate-limit/client-network.js';
import { recordRepeatableAudit, type AuditEntry, type RequestMeta } from './audit-log.js';

/**
 * The audit events of refusals a caller can repeat without bound, on every surface (REST, GraphQL
 * and MCP all resolve their caller through the one authenticator, which calls this): a refused
 * credential and a call refused by a rate limit. Each is filed under what was refused — the token
 * when it exists, the hash of a well-formed token nobody issued, else the client network — and
 * identical repeats within a window only count on the first one's event, so a flood leaves one
 * row per key and window (src/audit/audit-log.ts, recordRepeatableAudit).
 *
 * The write is awaited like any audit write, one statement; if it fails the caller still gets its
 * answer (401 or 429) and the failure is logged: a refusal must not turn into a 500.
 */
export interface CredentialRefusal {
  rejection: CredentialRejection;
  /** The token, when it exists (revoked, expired, its agent disabled, bound to another resource). */
  token?: { id: string; agentId: string; ownerUserId: string };
  /** SHA-256 of a well-formed agent token that matches none (never issued, or gone with its agent). */
  tokenHash?: string;
}

export interface RateLimitRefusal {
  tier: string;
  limit: number;
  windowSeconds: number;
}

export interface RepeatedRefusals {
  credential(refusal: CredentialRefusal, meta: RequestMeta): Promise<void>;
  rateLimited(principal: AgentPrincipal | LauncherPrincipal, limit: RateLimitRefusal, meta: RequestMeta): Promise<void>;
}

export interface RepeatedRefusalsDeps {
  db: Db;
  logger: Logger;
  now: () => Date;
  /** AUDIT_REPEAT_WINDOW_SECONDS: how long identical refusals count on one event. */
  windowSeconds: number;
}

/** Launcher JWTs, a header that is no bearer token, and everything that looks like an agent token. */
const actionOf = (rejection: CredentialRejection) =>
  rejection.code.startsWith('launcher_jwt_') ? 'launcher.authenticate' : rejection.code === 'malformed_header' ? 'authenticate' : 'agent.authenticate';

export function createRepeatedRefusals(deps: RepeatedRefusalsDeps): RepeatedRefusals {
  const record = async (principal: Parameters<typeof recordRepeatableAudit>[1], meta: RequestMeta, entry: AuditEntry, key: string) => {
    try {
      await recordRepeatableAudit(deps.db, principal, meta, entry, { key, windowSeconds: deps.windowSeconds, now: deps.now() });
    } catch (error) {
      deps.logger.error('could not record a repeated refusal in the audit log', { requestId: meta.requestId, action: entry.action, ...describeUnexpected(error) });
    }
  };

  return {
    async credential({ rejection, token, tokenHash }, meta) {
      const network = clientNetworkOf(meta.clientAddress);
      // Filed under what the caller cannot vary for free: the token, else the network it calls from.
      const subject = token ? `token:${token.id}` : tokenHash ? `hash:${tokenHash}` : `network:${network}`;
      await record(
        { kind: 'anonymous' },
        meta,
        {
          action: actionOf(rejection),
          outcome: 'denied',
          reason: rejection.message,
          ...(token ? { agentId: token.agentId, ownerUserId: token.ownerUserId, targetType: 'token', targetId: token.id } : {}),
          details: { refusal: rejection.code, ...(token ? { tokenId: token.id } : { clientNetwork: network }) },
        },
        `credential:${subject}:${rejection.code}`,
      );
    },

    async rateLimited(principal, limit, meta) {
      const caller = principal.kind === 'agent' ? `token:${principal.tokenId}` : `user:${principal.userId}`;
      await record(
        principal,
        meta,
        {
          action: `${principal.kind}.request`,
          outcome: 'rate_limited',
          reason: `RATE_LIMITED: the ${limit.tier} limit of ${limit.limit} per ${limit.windowSeconds} s is spent`,
          ...(principal.kind === 'agent' ? { targetType: 'token', targetId: principal.tokenId } : {}),
          details: { tier: limit.tier, limit: limit.limit, windowSeconds: limit.windowSeconds },
        },
        `rate_limited:${limit.tier}:${caller}`,
      );
    },
  };
}
