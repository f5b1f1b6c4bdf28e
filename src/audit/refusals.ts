import { GraphQLError } from 'graphql';
import type { Db } from '../db/database.js';
import { knownError } from '../http/errors.js';
import { describeUnexpected, type Logger } from '../logging/logger.js';
import type { CallContext } from '../resolvers/context.js';
import { recordAudit } from './audit-log.js';
import { wasAudited } from './audited-errors.js';
import { namedProjectOf } from './named-project.js';

/**
 * Records a call refused or failed outside the services that audit (an authorization layer, a
 * validation step, a REST route), unless its event is already written. Anonymous callers carry no
 * identity worth recording and are left to the logs. It runs inside error handling, so it never
 * throws: an audit write that fails (the database being the usual reason for both) is logged and
 * the caller still gets the answer for the first error.
 */
export async function recordRefusal(
  deps: { db: Db; logger: Logger },
  ctx: CallContext,
  operation: string,
  error: unknown,
  /** The call's variables: an agent's event names the project they name (named-project.ts). */
  variables?: unknown,
): Promise<void> {
  const { principal } = ctx;
  if (principal.kind === 'anonymous') return;
  const known = knownError(error);
  if (wasAudited(error) || (known && wasAudited(known))) return;
  // graphql-js's own refusals (validation, variable coercion) carry their code as an extension.
  const graphqlCode = error instanceof GraphQLError && typeof error.extensions.code === 'string' ? error.extensions.code : undefined;
  const code = known?.code ?? graphqlCode;
  const denied = code === 'FORBIDDEN' || code === 'UNAUTHENTICATED';
  try {
    await recordAudit(deps.db, principal, ctx.meta, {
      action: `${principal.kind}.${operation}`,
      outcome: denied ? 'denied' : 'failed',
      reason: known ? `${known.code}: ${known.message}` : graphqlCode && error instanceof GraphQLError ? `${graphqlCode}: ${error.message}` : 'unexpected error',
      ...(principal.kind === 'agent' ? { details: { ...namedProjectOf(variables) } } : {}),
    });
  } catch (auditError) {
    deps.logger.error('could not record a refused call in the audit log', {
      requestId: ctx.meta.requestId,
      action: `${principal.kind}.${operation}`,
      ...describeUnexpected(auditError),
    });
  }
}
