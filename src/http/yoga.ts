import { GraphQLError, type GraphQLSchema } from 'graphql';
import { createYoga, type Plugin, useExecutionCancellation, type YogaServerInstance } from 'graphql-yoga';
import type { Authenticator } from '../auth/authenticate.js';
import { describeUnexpected, type Logger } from '../logging/logger.js';
import type { GatewayDeps } from '../resolvers/context.js';
import type { GraphQLContext } from '../schema/builder.js';
import { createOriginPolicy } from '../mcp/origin-policy.js';
import { maskGraphQLError } from './errors.js';
import { offlineGraphiQL } from './graphiql.js';
import { useAnonymousSchemaPrivacy } from './plugins/use-anonymous-schema-privacy.js';
import { useDocumentLimits } from './plugins/use-document-limits.js';
import { useErrorBodies } from './plugins/use-error-bodies.js';
import { useIdempotencyKeyExtension } from './plugins/use-idempotency-key-extension.js';
import { useJsonRequestsOnly } from './plugins/use-json-requests-only.js';
import { useRefusalAudit } from './plugins/use-refusal-audit.js';
import { useSecretRedaction } from './plugins/use-secret-redaction.js';
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
  // The same origin rule as /mcp (src/mcp/origin-policy.ts) with its own list: CORS_ALLOWED_ORIGINS,
  // the gateway's own PUBLIC_URL origin, and loopback origins when it listens on loopback only.
  const originAllowed = createOriginPolicy({
    allowedOrigins: deps.config.http.corsAllowedOrigins,
    publicUrl: deps.config.http.publicUrl,
    listenHost: deps.config.http.host,
  });
  return createYoga<NodeServerContext, GraphQLContext>({
    schema: options.schema,
    graphqlEndpoint: '/graphql',
    // GraphiQL is for operators; it needs a Launcher JWT like any other caller.
    graphiql: deps.config.graphql.graphiql ? { title: 'Tasker Agent Gateway', defaultQuery: '{ me { userId email role } }' } : false,
    renderGraphiQL: offlineGraphiQL(),
    landingPage: false,
    // An allowed origin is named back, never any other, and never with credentials: callers
    // authenticate with an Authorization header, which a foreign page cannot add without a
    // preflight this refuses. Yoga's default reflects every Origin with credentials.
    cors: (request) => {
      const origin = request.headers.get('origin');
      if (origin === null || !originAllowed(origin)) return false;
      return {
        origin: [origin],
        credentials: false,
        methods: ['GET', 'POST'],
        allowedHeaders: ['authorization', 'content-type', 'accept', 'x-request-id'],
        exposedHeaders: ['x-request-id', 'retry-after', 'ratelimit', 'ratelimit-policy', 'www-authenticate'],
        maxAge: 600,
      };
    },
    // No file uploads: multipart/form-data is a simple request a foreign page can send (CSRF).
    multipart: false,
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
    // Order: bodies a foreign page could send without a preflight refused before they are parsed;
    // audit refusals first among the rest, so a refusal is recorded before any later plugin sees the result;
    // then text that is not text (NUL, lone surrogates) refused before anything reads it; then the bounds every document meets before any resolver runs (size, shape, cost, and what
    // strangers may learn of the schema); then cancellation, so a request whose client has gone
    // stops resolving; the write's idempotency key into the answer; then the extra plugins (the agents' persisted-operations gate).
    plugins: [
      useErrorBodies(),
      useJsonRequestsOnly(),
      useRefusalAudit({ db: deps.db, logger: options.logger, authenticator: options.authenticator, trustProxy: deps.config.http.trustProxy }),
      useWellFormedInput({ db: deps.db, logger: options.logger, authenticator: options.authenticator, trustProxy: deps.config.http.trustProxy }),
      useDocumentLimits(deps.config.graphql.limits),
      useSecretRedaction({ kinds: deps.config.secrets.redactKinds, authenticator: options.authenticator, trustProxy: deps.config.http.trustProxy }),
      useAnonymousSchemaPrivacy({
        enabled: !deps.config.graphql.anonymousIntrospection,
        authenticator: options.authenticator,
        trustProxy: deps.config.http.trustProxy,
      }),
      useExecutionCancellation(),
      useIdempotencyKeyExtension(),
      ...(options.plugins ?? []),
    ],
  });
}
