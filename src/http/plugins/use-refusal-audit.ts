import type { Plugin } from 'graphql-yoga';
import { recordRefusal } from '../../audit/refusals.js';
import type { Db } from '../../db/database.js';
import type { Logger } from '../../logging/logger.js';
import type { GraphQLContext } from '../../schema/builder.js';

/**
 * Calls refused before a resolver runs (graphql-shield, Pothos scope-auth, argument validation)
 * never reach the services that audit; this plugin records them, one event per refused root
 * field, and waits for the write before the answer is sent.
 */
export function useRefusalAudit(options: { db: Db; logger: Logger }): Plugin<GraphQLContext> {
  return {
    onExecute({ args }) {
      const ctx = args.contextValue as GraphQLContext;
      if (ctx.principal.kind === 'anonymous') return undefined;
      return {
        onExecuteDone: async ({ result }) => {
          if (!('errors' in result) || !result.errors) return;
          for (const error of result.errors) {
            const field = error.path?.[0];
            if (typeof field === 'string') await recordRefusal(options, ctx, field, error.originalError ?? error);
          }
        },
      };
    },
  };
}
