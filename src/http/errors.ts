import { GraphQLError } from 'graphql';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../logging/logger.js';
import { describeUnexpected } from '../logging/logger.js';

/**
 * The edge where failures become answers. GatewayErrors keep their code and message; a database
 * that does not answer becomes SERVICE_UNAVAILABLE (503, Retry-After); anything else is
 * unexpected: logged at error with its stack and answered as a bare internal error with the
 * request id, never with its message, stack or paths.
 */
export function findGatewayError(error: unknown): GatewayError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth += 1) {
    if (current instanceof GatewayError) return current;
    current = current instanceof GraphQLError ? current.originalError : (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Seconds a caller should wait before trying again after the database failed to answer. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** The error as the caller may see it, or undefined when it is unexpected (a bug). */
export function knownError(error: unknown): GatewayError | undefined {
  const known = findGatewayError(error);
  if (known) return known;
  if (isDatabaseUnavailable(error)) {
    return new GatewayError('SERVICE_UNAVAILABLE', 'the gateway cannot reach its database right now; retry shortly', {
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
      cause: error,
    });
  }
  return undefined;
}

/** The database, or another dependency named by the error (the Launcher key set). */
const unavailableWhat = (error: GatewayError): string => (isDatabaseUnavailable(error.cause) ? 'database unavailable' : `unavailable: ${error.message}`);

const retryAfterHeader = (error: GatewayError): Record<string, string> => ({
  ...error.headers,
  ...(error.retryAfterSeconds !== undefined ? { 'retry-after': String(error.retryAfterSeconds) } : {}),
});

export function gatewayErrorToGraphQL(error: GatewayError, source?: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    ...(source ? { nodes: source.nodes, path: source.path, positions: source.positions, source: source.source } : {}),
    extensions: {
      code: error.code,
      http: { status: error.httpStatus, headers: retryAfterHeader(error) },
      ...(error.details ? { details: error.details } : {}),
      ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    },
  });
}

export function maskGraphQLError(logger: Logger) {
  return (error: unknown): Error => {
    const graphQLError = error instanceof GraphQLError ? error : undefined;
    const known = knownError(error);
    if (known) {
      if (known.code === 'SERVICE_UNAVAILABLE') logger.error(`${unavailableWhat(known)} during a GraphQL request`, describeUnexpected(known.cause));
      return gatewayErrorToGraphQL(known, graphQLError);
    }
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

/** What an error answer says: the code, a message safe to show, and why. */
interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
  headers: Record<string, string>;
}

/** Known errors speak for themselves; unexpected ones are logged with their stack and said nothing about. */
export function describeError(error: unknown, logger: Logger, requestId: string, where: string): ErrorAnswer {
  const known = knownError(error);
  if (!known) {
    logger.error(`unexpected error in ${where}`, { requestId, ...describeUnexpected(error) });
    return { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Unexpected error.', headers: {} };
  }
  if (known.code === 'SERVICE_UNAVAILABLE') logger.error(`${unavailableWhat(known)} in ${where}`, { requestId, ...describeUnexpected(known.cause) });
  return {
    status: known.httpStatus,
    code: known.code,
    message: known.message,
    ...(known.details ? { details: known.details } : {}),
    headers: retryAfterHeader(known),
  };
}

/** The REST error envelope the existing clients know: {"error":{"code","message"}}, plus the request id. */
export function restErrorResponse(error: unknown, logger: Logger, requestId: string): Response {
  const answer = describeError(error, logger, requestId, 'REST route');
  return jsonResponse(
    answer.status,
    {
      error: {
        code: answer.code,
        message: answer.message,
        ...(answer.details ? { details: answer.details } : {}),
        // The prototype's envelope stays as it was for the caller's own mistakes; when the fault is
        // the gateway's, the body names the request id to quote (X-Request-Id carries it always).
        ...(answer.status >= 500 ? { request_id: requestId } : {}),
      },
    },
    answer.headers,
  );
}

/** Each surface answers an error in its own normal shape. */
export type Surface = 'rest' | 'graphql' | 'mcp';

export function surfaceOf(pathname: string): Surface {
  if (pathname === '/graphql') return 'graphql';
  if (pathname === '/mcp') return 'mcp';
  return 'rest';
}

export function errorResponseFor(surface: Surface, error: unknown, logger: Logger, requestId: string): Response {
  if (surface === 'rest') return restErrorResponse(error, logger, requestId);
  const answer = describeError(error, logger, requestId, surface === 'graphql' ? 'GraphQL request' : 'MCP request');
  if (surface === 'graphql') {
    return jsonResponse(
      answer.status,
      { errors: [{ message: answer.message, extensions: { code: answer.code, requestId, ...(answer.details ? { details: answer.details } : {}) } }] },
      answer.headers,
    );
  }
  // JSON-RPC: -32603 internal error; the gateway's code and the request id travel in `data`.
  return jsonResponse(
    answer.status,
    { jsonrpc: '2.0', error: { code: -32603, message: answer.message, data: { code: answer.code, requestId } }, id: null },
    answer.headers,
  );
}
