import type { GraphQLSchema } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Authenticator } from '../auth/authenticate.js';
import type { Logger } from '../logging/logger.js';
import type { GatewayDeps } from '../resolvers/context.js';
import type { GraphQLContext } from '../schema/builder.js';
import { maskGraphQLError } from './errors.js';
import { useRefusalAudit } from './plugins/use-refusal-audit.js';
import { type NodeServerContext, resolveCallContext } from './request-context.js';

export interface YogaOptions {
  schema: GraphQLSchema;
  deps: GatewayDeps;
  authenticator: Authenticator;
  logger: Logger;
  /** Extra plugins, in order, after the built-in ones (persisted operations, MCP hooks). */
  plugins?: Plugin[];
}

export type GatewayYoga = YogaServerInstance<NodeServerContext, GraphQLContext>;

/**
 * Builds the GraphQL endpoint; it never listens (http/server.ts does). The context factory resolves
 * the principal once per request; both authorization layers live in the schema it is given.
 */
export function createGatewayYoga(options: YogaOptions): GatewayYoga {
  const { deps } = options;
  return createYoga<NodeServerContext, GraphQLContext>({
    schema: options.schema,
    graphqlEndpoint: '/graphql',
    // GraphiQL is for operators; it needs a Launcher JWT like any other caller.
    graphiql: { title: 'Tasker Agent Gateway', defaultQuery: '{ me { userId email role } }' },
    landingPage: false,
    logging: {
      debug: (...args) => options.logger.debug(String(args[0])),
      info: (...args) => options.logger.info(String(args[0])),
      warn: (...args) => options.logger.warn(String(args[0])),
      error: (...args) => options.logger.error(String(args[0])),
    },
    maskedErrors: { maskError: maskGraphQLError(options.logger) },
    context: async ({ request, ...server }) => ({
      deps,
      ...(await resolveCallContext(request, server, {
        authenticator: options.authenticator,
        trustProxy: deps.config.http.trustProxy,
      })),
    }),
    // Order: audit refusals first, so a refusal is recorded before any later plugin sees the result.
    plugins: [useRefusalAudit({ db: deps.db }), ...(options.plugins ?? [])],
  });
}
