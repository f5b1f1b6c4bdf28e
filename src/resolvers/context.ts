import type { RequestMeta } from '../audit/audit-log.js';
import type { AgentPrincipal, LauncherPrincipal, Principal } from '../auth/principal.js';
import type { Config } from '../config/config.js';
import type { Db } from '../db/database.js';
import { unauthenticated, forbidden } from '../errors/gateway-error.js';
import type { PrincipalChanges } from '../auth/principal-changes.js';
import type { RateLimits } from '../rate-limit/rate-limits.js';
import type { Logger } from '../logging/logger.js';
import type { TaskerClient } from '../tasker/client.js';
import type { TaskerReachabilityReport } from '../observability/tasker-reachability.js';
import type { FieldFinding } from '../secrets/scan.js';

/** What every service needs from the process: built once at start, shared by all requests. */
export interface GatewayDeps {
  db: Db;
  config: Config;
  now: () => Date;
  rateLimits: RateLimits;
  tasker: TaskerClient;
  /** Whether Tasker answered the gateway's last call, for /readyz (src/observability/tasker-reachability.ts). */
  taskerReachability: () => TaskerReachabilityReport;
  logger: Logger;
  /** Every change to an agent, its grants or its tokens is announced here, inside its transaction. */
  principalChanges: PrincipalChanges;
}

/** Who is calling, and the request's identity for the audit log. */
export interface CallContext {
  principal: Principal;
  meta: RequestMeta;
  /** Credentials of the kinds an operator chose to redact, replaced in this call's input (use-secret-redaction.ts). */
  redactedSecrets?: FieldFinding[];
}

export function requireLauncher(principal: Principal): LauncherPrincipal {
  if (principal.kind === 'launcher') return principal;
  if (principal.kind === 'agent') throw forbidden('this operation is for the NODE.DC Launcher, not for agent tokens');
  throw unauthenticated(principal.rejection?.message ?? 'a Launcher token (Authorization: Bearer <JWT>) is required');
}

export function requireAgent(principal: Principal): AgentPrincipal {
  if (principal.kind === 'agent') return principal;
  if (principal.kind === 'launcher') throw forbidden('this operation needs an agent token, not a Launcher token');
  throw unauthenticated(principal.rejection?.message ?? 'an agent token (Authorization: Bearer ndcag_...) is required');
}
