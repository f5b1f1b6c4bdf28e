import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Authenticator } from '../auth/authenticate.js';
import type { CallContext } from '../resolvers/context.js';

/** What the node adapter hands every fetch-style handler beside the Request. */
export interface NodeServerContext {
  req?: IncomingMessage;
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

export async function resolveCallContext(
  request: Request,
  server: NodeServerContext,
  options: { authenticator: Authenticator; trustProxy: boolean },
): Promise<CallContext> {
  const meta = { requestId: requestIdOf(request), clientAddress: clientAddressOf(request, server, options.trustProxy) };
  const principal = await options.authenticator.authenticate(request.headers.get('authorization'), meta);
  return { principal, meta };
}
