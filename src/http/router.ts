import { recordRefusal } from '../audit/refusals.js';
import type { Authenticator } from '../auth/authenticate.js';
import { agentScopes } from '../auth/principal.js';
import { badInput, forbidden, GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../logging/logger.js';
import { beginObservation, endObservation, type RequestObservation, routeTemplate } from '../observability/request-observation.js';
import { type GatewayTracing, w3cTracing } from '../observability/tracing.js';
import { type CallContext, type GatewayDeps, requireAgent, requireLauncher } from '../resolvers/context.js';
import { MAX_JSON_BODY_BYTES, withBoundedBody } from './bounded-body.js';
import { errorResponseFor, jsonResponse, type Surface, surfaceOf } from './errors.js';
import { type NodeServerContext, requestIdOf, resolveCallContext, shareIdentity, whileInFlight } from './request-context.js';
import { REST_ROUTES, type RestRoute } from './routes/rest.js';
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
  /** GET /metrics (src/observability/metrics-endpoint.ts); undefined: metrics are not served. */
  metrics?: (request: Request) => Promise<Response>;
  /** Told of every answered request, once, with what the layers learnt about it (access log, metrics). */
  observe?: (observation: RequestObservation, status: number) => void;
  /** Joins or starts each request's trace, and exports its span when configured; default: W3C headers only. */
  tracing?: GatewayTracing;
}

const REALM = 'Bearer realm="tasker-agent-gateway"';

/**
 * What a Host header may hold (RFC 9110 §7.2, RFC 3986 §3.2): a name (unreserved, sub-delims or
 * percent-encoded characters), an IPv4 address or a bracketed IPv6 literal, and a port. No `/`,
 * `?`, `#`, `@` or space: the HTTP adapter builds the request's URL as `http://<Host><target>`, so
 * a Host of `x/oauth/register#` or `host?` would move the path the router sees away from the one
 * requested (a request for /healthz routed to /oauth/register).
 */
const HOST_HEADER = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::\d*)?$/;

function urlOf(request: Request): URL {
  const host = request.headers.get('host');
  // The adapter builds the URL from the Host header; a malformed one is the client's mistake.
  const malformed = () => badInput('the Host header or the request target is malformed');
  if (host !== null && !HOST_HEADER.test(host)) throw malformed();
  try {
    return new URL(request.url);
  } catch {
    throw malformed();
  }
}

/** The path alone, for the tracer's choice of what deserves a span; a malformed URL is answered later. */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

/** A REST route's declared principal and scope, checked before its handler reads the body. */
function admit(route: RestRoute, ctx: CallContext): void {
  if (route.principal === 'launcher') requireLauncher(ctx.principal);
  if (route.principal === 'agent') {
    const agent = requireAgent(ctx.principal);
    if (route.scope !== null && !agentScopes(agent).has(route.scope)) {
      throw forbidden(`the agent's token does not carry ${route.scope} on any granted project; ask its owner to grant it`);
    }
  }
}

/**
 * Where every request enters: /graphql to Yoga, /mcp to the MCP transport, the rest to REST
 * routes. It is also the outermost catch of every surface: whatever escapes below is answered
 * here in that surface's own error shape, with the request id and nothing internal, and logged.
 */
export function createRouter(options: RouterOptions): FetchHandler {
  const { deps, logger } = options;

  async function dispatch(incoming: Request, server: NodeServerContext, url: URL, observation: RequestObservation): Promise<Response> {
    const at = (surface: RequestObservation['surface'], route: string, operation?: string) => {
      observation.surface = surface;
      observation.route = route;
      if (operation !== undefined) observation.operation = operation;
    };
    if (url.pathname === '/metrics' && options.metrics) {
      at('rest', '/metrics', '/metrics');
      return options.metrics(incoming);
    }
    if (url.pathname === '/graphql') at('graphql', '/graphql');
    else if (url.pathname === '/mcp') at('mcp', '/mcp');
    // Every surface reads small JSON bodies; an oversize one is refused here, declared or chunked.
    const request = await withBoundedBody(incoming, MAX_JSON_BODY_BYTES);
    if (!request) {
      const response = errorResponseFor('rest', new GatewayError('PAYLOAD_TOO_LARGE', 'the request body is larger than 1 MiB'), logger, requestIdOf(incoming));
      // The unread rest of the body makes the connection unusable: tell the client not to reuse it.
      response.headers.set('connection', 'close');
      return response;
    }
    shareIdentity(incoming, request);
    if (url.pathname === '/graphql') return options.yoga.fetch(request, server);
    if (url.pathname === '/mcp' && options.mcp) return options.mcp(request, server);
    if (options.oauth && (url.pathname.startsWith('/.well-known/') || url.pathname.startsWith('/oauth/'))) {
      const answered = await options.oauth(request, server);
      // The OAuth routes answer only their own fixed paths, so the path is the route.
      if (answered) {
        at('oauth', url.pathname, url.pathname);
        return answered;
      }
    }

    const matching = REST_ROUTES.filter((route) => route.pattern.test(url.pathname));
    if (matching[0]) at('rest', routeTemplate(matching[0].pattern), routeTemplate(matching[0].pattern));
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
      admit(route, ctx);
      return await route.handle(request, route.pattern.exec(url.pathname)?.slice(1) ?? [], ctx, deps);
    } catch (error) {
      await recordRefusal(deps, ctx, `${request.method} ${url.pathname}`, error);
      throw error;
    }
  }

  return async (incoming, server) => {
    const requestId = requestIdOf(incoming);
    const span = (options.tracing ?? w3cTracing).startRequest({
      method: incoming.method,
      path: pathOf(incoming.url),
      traceparent: incoming.headers.get('traceparent'),
      tracestate: incoming.headers.get('tracestate'),
    });
    const observation = beginObservation(requestId, incoming.method, span);
    return whileInFlight(requestId, async () => {
      let surface: Surface = 'rest';
      let response: Response;
      try {
        const url = urlOf(incoming);
        surface = surfaceOf(url.pathname);
        response = await dispatch(incoming, server, url, observation);
      } catch (error) {
        response = errorResponseFor(surface, error, logger, requestId);
      }
      response.headers.set('x-request-id', requestId);
      if (response.status === 401 && !response.headers.has('www-authenticate')) response.headers.set('www-authenticate', REALM);
      options.observe?.(observation, response.status);
      span.end(observation, response.status);
      endObservation(observation);
      return response;
    });
  };
}
