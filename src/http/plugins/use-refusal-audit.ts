import type { Plugin } from 'graphql-yoga';
import { recordAudit } from '../../audit/audit-log.js';
import { wasAudited } from '../../audit/audited-errors.js';
import type { Db } from '../../db/database.js';
import type { GraphQLContext } from '../../schema/builder.js';
import { findGatewayError } from '../errors.js';

/**
 * Calls refused before a resolver runs (graphql-shield, Pothos scope-auth, argument validation)
 * never reach the services that audit; this plugin records them, for agents and Launcher users
 * alike, and waits for the write before the answer is sent. Anonymous refusals carry no identity
 * worth recording and are left to the logs.
 */
export function useRefusalAudit(options: { db: Db }): Plugin<GraphQLContext> {
  return {
    onExecute({ args }) {
      const ctx = args.contextValue as GraphQLContext;
      if (ctx.principal.kind === 'anonymous') return undefined;
      const principal = ctx.principal;
      return {
        onExecuteDone: async ({ result }) => {
          if (!('errors' in result) || !result.errors) return;
          for (const error of result.errors) {
            const field = error.path?.[0];
            if (typeof field !== 'string' || wasAudited(error.originalError)) continue;
            const known = findGatewayError(error);
            const denied = known?.code === 'FORBIDDEN' || known?.code === 'UNAUTHENTICATED';
            await recordAudit(options.db, principal, ctx.meta, {
              action: principal.kind === 'agent' ? `agent.${field}` : `launcher.${field}`,
              outcome: denied ? 'denied' : 'failed',
              reason: known ? `${known.code}: ${known.message}` : 'unexpected error',
              ...(principal.kind === 'agent' ? { ownerUserId: principal.ownerUserId } : {}),
            });
          }
        },
      };
    },
  };
}
