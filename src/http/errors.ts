import { GraphQLError } from 'graphql';
import { GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../logging/logger.js';
import { describeUnexpected } from '../logging/logger.js';

/**
 * The edge where failures become answers. GatewayErrors keep their code and message; anything
 * else is unexpected: logged (without stack or secrets) and answered as a bare internal error.
 */
export function findGatewayError(error: unknown): GatewayError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth += 1) {
    if (current instanceof GatewayError) return current;
    current = current instanceof GraphQLError ? current.originalError : (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function gatewayErrorToGraphQL(error: GatewayError, source?: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    ...(source ? { nodes: source.nodes, path: source.path, positions: source.positions, source: source.source } : {}),
    extensions: {
      code: error.code,
      http: { status: error.httpStatus },
      ...(error.details ? { details: error.details } : {}),
      ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    },
  });
}

export function maskGraphQLError(logger: Logger) {
  return (error: unknown): Error => {
    const gatewayError = findGatewayError(error);
    const graphQLError = error instanceof GraphQLError ? error : undefined;
    if (gatewayError) return gatewayErrorToGraphQL(gatewayError, graphQLError);
    // Errors graphql-js raises for the document itself (syntax, validation) and for variables it
    // cannot coerce (whose cause is another GraphQLError, e.g. an unknown enum value) are the caller's.
    if (graphQLError && (!graphQLError.originalError || graphQLError.originalError instanceof GraphQLError)) {
      const code = graphQLError.extensions.code ?? (graphQLError.originalError ? 'BAD_USER_INPUT' : 'GRAPHQL_VALIDATION_FAILED');
      return new GraphQLError(graphQLError.message, {
        nodes: graphQLError.nodes,
        positions: graphQLError.positions,
        source: graphQLError.source,
        path: graphQLError.path,
        extensions: { http: { status: 400 }, ...graphQLError.extensions, code },
      });
    }
    logger.error('unexpected error in GraphQL execution', describeUnexpected(graphQLError?.originalError ?? error));
    return new GraphQLError('Unexpected error.', {
      ...(graphQLError ? { path: graphQLError.path, nodes: graphQLError.nodes } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR', http: { status: 500 } },
    });
  };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/** The REST error envelope the existing clients know: {"error":{"code","message"}}. */
export function restErrorResponse(error: unknown, logger: Logger, requestId: string): Response {
  const gatewayError = findGatewayError(error);
  if (!gatewayError) {
    logger.error('unexpected error in REST route', { requestId, ...describeUnexpected(error) });
    return jsonResponse(500, { error: { code: 'INTERNAL_SERVER_ERROR', message: 'Unexpected error.' } });
  }
  return jsonResponse(
    gatewayError.httpStatus,
    {
      error: {
        code: gatewayError.code,
        message: gatewayError.message,
        ...(gatewayError.details ? { details: gatewayError.details } : {}),
      },
    },
    gatewayError.retryAfterSeconds !== undefined ? { 'retry-after': String(gatewayError.retryAfterSeconds) } : {},
  );
}
