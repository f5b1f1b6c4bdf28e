import type { Db } from '../db/database.js';
import { findGatewayError } from '../http/errors.js';
import type { CallContext } from '../resolvers/context.js';
import { recordAudit } from './audit-log.js';
import { wasAudited } from './audited-errors.js';

/**
 * Records a call refused or failed outside the services that audit (an authorization layer, a
 * validation step, a REST route), unless its event is already written. Anonymous callers carry no
 * identity worth recording and are left to the logs.
 */
export async function recordRefusal(db: Db, ctx: CallContext, operation: string, error: unknown): Promise<void> {
  const { principal } = ctx;
  if (principal.kind === 'anonymous') return;
  const known = findGatewayError(error);
  if (wasAudited(known ?? error)) return;
  const denied = known?.code === 'FORBIDDEN' || known?.code === 'UNAUTHENTICATED';
  await recordAudit(db, principal, ctx.meta, {
    action: `${principal.kind}.${operation}`,
    outcome: denied ? 'denied' : 'failed',
    reason: known ? `${known.code}: ${known.message}` : 'unexpected error',
    ...(principal.kind === 'agent' ? { ownerUserId: principal.ownerUserId } : {}),
  });
}
