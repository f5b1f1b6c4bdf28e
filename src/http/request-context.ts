import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Authenticator } from '../auth/authenticate.js';
import { notePrincipal } from '../observability/request-observation.js';
import type { CallContext } from '../resolvers/context.js';

/** What the node adapter hands every fetch-style handler beside the Request. */
export interface NodeServerContext {
  req?: IncomingMessage;
  /** Set only in process (the MCP endpoint running a tool's operation): the caller, already authenticated. */
  resolved?: CallContext;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export interface RequestIdentity {
  /** The gateway's own id for this request: a fresh UUID, never chosen by the caller. */
  requestId: string;
  /** The caller's X-Request-Id when it is sane, kept only to correlate with the caller's logs. */
  correlationId: string | null;
}

const identities = new WeakMap<Request, RequestIdentity>();
/** Ids of requests being answered right now, so the gateway's own sub-requests keep their parent's id. */
const inFlight = new Map<string, number>();

/**
 * The request's identity, fixed once. A caller cannot choose the id the audit log files its
 * request under: its X-Request-Id is only a correlation id. The one exception is a request the
 * gateway makes to itself while answering (an MCP tool call runs its operation through Yoga):
 * it carries the id of a request in flight, a random UUID no outsider can know, and keeps it.
 */
export function requestIdentityOf(request: Request): RequestIdentity {
  let identity = identities.get(request);
  if (!identity) {
    const given = request.headers.get('x-request-id');
    const sane = given !== null && REQUEST_ID_PATTERN.test(given) ? given : null;
    identity = sane !== null && inFlight.has(sane) ? { requestId: sane, correlationId: null } : { requestId: randomUUID(), correlationId: sane };
    identities.set(request, identity);
  }
  return identity;
}

export const requestIdOf = (request: Request): string => requestIdentityOf(request).requestId;

/** The same identity for a copy of a request (the body-bounded one the surfaces read). */
export function shareIdentity(from: Request, to: Request): void {
  identities.set(to, requestIdentityOf(from));
}

/** Marks the request as being answered until `done` settles. */
export async function whileInFlight<T>(requestId: string, done: () => Promise<T>): Promise<T> {
  inFlight.set(requestId, (inFlight.get(requestId) ?? 0) + 1);
  try {
    return await done();
  } finally {
    const left = (inFlight.get(requestId) ?? 1) - 1;
    if (left > 0) inFlight.set(requestId, left);
    else inFlight.delete(requestId);
  }
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
    const meta = { ...requestIdentityOf(request), clientAddress: clientAddressOf(request, server, options.trustProxy) };
    context = options.authenticator
      .authenticate(request.headers.get('authorization'), meta, { resource: options.resource })
      .then((principal) => {
        notePrincipal(meta.requestId, principal);
        return { principal, meta };
      });
    resolved.set(request, context);
  }
  return context;
}
