import { GraphQLError, type GraphQLSchema } from 'graphql';
import { createYoga, type Plugin, useExecutionCancellation, type YogaServerInstance } from 'graphql-yoga';
import type { Authenticator } from '../auth/authenticate.js';
import { describeUnexpected, type Logger } from '../logging/logger.js';
import type { GatewayDeps } from '../resolvers/context.js';
import type { GraphQLContext } from '../schema/builder.js';
import { maskGraphQLError } from './errors.js';
import { offlineGraphiQL } from './graphiql.js';
import { useAnonymousSchemaPrivacy } from './plugins/use-anonymous-schema-privacy.js';
import { useDocumentLimits } from './plugins/use-document-limits.js';
import { useRefusalAudit } from './plugins/use-refusal-audit.js';
import { useWellFormedInput } from './plugins/use-well-formed-input.js';
import { type NodeServerContext, resolveCallContext } from './request-context.js';

export interface YogaOptions {
  schema: GraphQLSchema;
  deps: GatewayDeps;
  authenticator: Authenticator;
  logger: Logger;
  /** Extra plugins, in order, after the built-in ones (persisted operations, MCP hooks). */
  plugins?: Plugin[];
}

/**
 * Yoga reports the errors of every request to its logger. A GraphQLError's text quotes the
 * document, which may hold a caller's input (a pairing code written inline, say), and most are the
 * caller's own mistakes: those go to debug, message only. Anything else keeps error level, without
 * stack or document. Unexpected errors are also logged, once, by the error masking.
 */
function yogaLogging(logger: Logger) {
  const describe = (value: unknown) =>
    value instanceof GraphQLError ? { graphqlError: value.message } : value instanceof Error ? describeUnexpected(value) : { detail: String(value) };
  return {
    debug: (...args: unknown[]) => logger.debug('graphql-yoga', describe(args[0])),
    info: (...args: unknown[]) => logger.info('graphql-yoga', describe(args[0])),
    warn: (...args: unknown[]) => logger.warn('graphql-yoga', describe(args[0])),
    error: (...args: unknown[]) =>
      args[0] instanceof GraphQLError ? logger.debug('graphql-yoga', describe(args[0])) : logger.error('graphql-yoga', describe(args[0])),
  };
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
    renderGraphiQL: offlineGraphiQL(),
    landingPage: false,
    // The router has bounded every body already (src/http/bounded-body.ts); a second count is waste.
    maxRequestBodySize: false,
    logging: yogaLogging(options.logger),
    maskedErrors: { maskError: maskGraphQLError(options.logger) },
    context: async ({ request, ...server }) => ({
      deps,
      ...(await resolveCallContext(request, server, {
        authenticator: options.authenticator,
        trustProxy: deps.config.http.trustProxy,
      })),
    }),
    // Order: audit refusals first, so a refusal is recorded before any later plugin sees the result;
    // then text that is not text (NUL, lone surrogates) refused before anything reads it; then the bounds every document meets before any resolver runs (size, shape, cost, and what
    // strangers may learn of the schema); then cancellation, so a request whose client has gone
    // stops resolving; then the extra plugins (the agents' persisted-operations gate).
    plugins: [
      useRefusalAudit({ db: deps.db, logger: options.logger }),
      useWellFormedInput({ db: deps.db, logger: options.logger, authenticator: options.authenticator, trustProxy: deps.config.http.trustProxy }),
      useDocumentLimits(deps.config.graphql.limits),
      useAnonymousSchemaPrivacy({
        enabled: !deps.config.graphql.anonymousIntrospection,
        authenticator: options.authenticator,
        trustProxy: deps.config.http.trustProxy,
      }),
      useExecutionCancellation(),
      ...(options.plugins ?? []),
    ],
  });
}
