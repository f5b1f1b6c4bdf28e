import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Authenticator } from '../auth/authenticate.js';
import type { CallContext } from '../resolvers/context.js';

/** What the node adapter hands every fetch-style handler beside the Request. */
export interface NodeServerContext {
  req?: IncomingMessage;
  /** Set only in process (the MCP endpoint running a tool's operation): the caller, already authenticated. */
  resolved?: CallContext;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Reuse a caller's X-Request-Id when it is sane, so a request can be followed across systems. */
export function requestIdOf(request: Request): string {
  const given = request.headers.get('x-request-id');
  return given && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
}

export function clientAddressOf(request: Request, server: NodeServerContext, trustProxy: boolean): string | null {
  if (trustProxy) {
    // The last entry is the one our own proxy appended; earlier ones are whatever the client sent.
    const forwarded = request.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  return server.req?.socket.remoteAddress ?? null;
}

const resolved = new WeakMap<Request, Promise<CallContext>>();

/**
 * Who is calling, resolved once per request however many layers ask (the GraphQL gate, the
 * document limits, the execution context): one authentication, one request id, and at most one
 * audit event for a refused credential.
 */
export function resolveCallContext(
  request: Request,
  server: NodeServerContext,
  options: { authenticator: Authenticator; trustProxy: boolean; resource?: string | undefined },
): Promise<CallContext> {
  if (server.resolved) return Promise.resolve(server.resolved);
  let context = resolved.get(request);
  if (!context) {
    const meta = { requestId: requestIdOf(request), clientAddress: clientAddressOf(request, server, options.trustProxy) };
    context = options.authenticator
      .authenticate(request.headers.get('authorization'), meta, { resource: options.resource })
      .then((principal) => ({ principal, meta }));
    resolved.set(request, context);
  }
  return context;
}
