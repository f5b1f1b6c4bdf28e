import { recordRefusal } from '../audit/refusals.js';
import type { Authenticator } from '../auth/authenticate.js';
import type { Logger } from '../logging/logger.js';
import type { GatewayDeps } from '../resolvers/context.js';
import { GatewayError } from '../errors/gateway-error.js';
import { MAX_JSON_BODY_BYTES, withBoundedBody } from './bounded-body.js';
import { jsonResponse, restErrorResponse } from './errors.js';
import { type NodeServerContext, resolveCallContext } from './request-context.js';
import { REST_ROUTES } from './routes/rest.js';
import type { GatewayYoga } from './yoga.js';

export type FetchHandler = (request: Request, server: NodeServerContext) => Promise<Response>;

export interface RouterOptions {
  deps: GatewayDeps;
  authenticator: Authenticator;
  logger: Logger;
  yoga: GatewayYoga;
  /** Streamable HTTP MCP endpoint, mounted at /mcp when present. */
  mcp?: FetchHandler;
  /** OAuth discovery and authorization server (/.well-known/…, /oauth/…); undefined means "not mine". */
  oauth?: (request: Request, server: NodeServerContext) => Promise<Response | undefined>;
}

/** Where every request enters: /graphql to Yoga, /mcp to the MCP transport, the rest to REST routes. */
export function createRouter(options: RouterOptions): FetchHandler {
  const { deps, logger } = options;
  return async (incoming, server) => {
    const url = new URL(incoming.url);
    // Every surface reads small JSON bodies; an oversize one is refused here, declared or chunked.
    const request = await withBoundedBody(incoming, MAX_JSON_BODY_BYTES);
    if (!request) {
      const response = restErrorResponse(new GatewayError('PAYLOAD_TOO_LARGE', 'the request body is larger than 1 MiB'), logger, '');
      // The unread rest of the body makes the connection unusable: tell the client not to reuse it.
      response.headers.set('connection', 'close');
      return response;
    }
    if (url.pathname === '/graphql') return options.yoga.fetch(request, server);
    if (url.pathname === '/mcp' && options.mcp) return options.mcp(request, server);
    if (options.oauth && (url.pathname.startsWith('/.well-known/') || url.pathname.startsWith('/oauth/'))) {
      const answered = await options.oauth(request, server);
      if (answered) return answered;
    }

    const matching = REST_ROUTES.filter((route) => route.pattern.test(url.pathname));
    if (matching.length === 0) return jsonResponse(404, { error: { code: 'NOT_FOUND', message: `no route for ${url.pathname}` } });
    const route = matching.find((candidate) => candidate.method === request.method);
    if (!route) {
      return jsonResponse(
        405,
        { error: { code: 'METHOD_NOT_ALLOWED', message: `${request.method} is not allowed on ${url.pathname}` } },
        { allow: matching.map((candidate) => candidate.method).join(', ') },
      );
    }
    const ctx = await resolveCallContext(request, server, {
      authenticator: options.authenticator,
      trustProxy: deps.config.http.trustProxy,
    });
    try {
      const response = await route.handle(request, route.pattern.exec(url.pathname)?.slice(1) ?? [], ctx, deps);
      response.headers.set('x-request-id', ctx.meta.requestId);
      return response;
    } catch (error) {
      await recordRefusal(deps.db, ctx, `${request.method} ${url.pathname}`, error);
      const response = restErrorResponse(error, logger, ctx.meta.requestId);
      response.headers.set('x-request-id', ctx.meta.requestId);
      if (response.status === 401) response.headers.set('www-authenticate', 'Bearer realm="tasker-agent-gateway"');
      return response;
    }
  };
}
