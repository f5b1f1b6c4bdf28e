import type { RequestMeta } from '../audit/audit-log.js';
import { clientAddressOf, type NodeServerContext, requestIdOf } from '../http/request-context.js';
import { type OAuthDeps, urlsFor } from './deps.js';
import { authorize } from './endpoints/authorize.js';
import { devConsentPage } from './endpoints/dev-consent-page.js';
import { authorizationServerMetadata, protectedResourceMetadata } from './endpoints/metadata.js';
import { register } from './endpoints/register.js';
import { oauthError, oauthJson } from './endpoints/responses.js';
import { GatewayError } from '../errors/gateway-error.js';
import { clientNetworkOf } from '../rate-limit/client-network.js';
import { token } from './endpoints/token.js';
import type { OAuthUrls } from './urls.js';

/**
 * The OAuth surface: discovery documents under /.well-known/ and the authorization server under
 * /oauth/. Answers undefined for any other path, so the router carries on. Without an address to
 * speak for (production without PUBLIC_URL and OAUTH_CONSENT_URL) every path here is unknown.
 */
type Endpoint = (deps: OAuthDeps, request: Request, urls: OAuthUrls, meta: RequestMeta) => Promise<Response>;

/**
 * `limited` endpoints count against the `oauth` rate limit per client network (src/rate-limit/):
 * each does real work for a stranger (a consent request stored, a code or refresh token checked and
 * rotated, a client stored or a metadata document fetched). Discovery documents are static.
 */
const ROUTES: Record<string, { method: 'GET' | 'POST'; handle: Endpoint; available?: (deps: OAuthDeps) => boolean; limited?: true }> = {
  '/.well-known/oauth-protected-resource': { method: 'GET', handle: async (_deps, _request, urls) => protectedResourceMetadata(urls) },
  '/.well-known/oauth-protected-resource/mcp': { method: 'GET', handle: async (_deps, _request, urls) => protectedResourceMetadata(urls) },
  '/.well-known/oauth-authorization-server': { method: 'GET', handle: async (deps, _request, urls) => authorizationServerMetadata(deps, urls) },
  '/oauth/authorize': { method: 'GET', handle: authorize, limited: true },
  '/oauth/token': { method: 'POST', handle: token, limited: true },
  '/oauth/register': { method: 'POST', handle: register, available: (deps) => deps.gateway.config.oauth.dynamicClientRegistration, limited: true },
  '/oauth/consent': { method: 'GET', handle: async () => devConsentPage(), available: (deps) => deps.gateway.config.env !== 'production' },
};

/** RFC 6749's `temporarily_unavailable`, with the same Retry-After and RateLimit fields as every other surface. */
async function refusedByRateLimit(deps: OAuthDeps, meta: RequestMeta): Promise<Response | undefined> {
  try {
    await deps.gateway.rateLimits.consume('oauth', clientNetworkOf(meta.clientAddress));
    return undefined;
  } catch (error) {
    if (!(error instanceof GatewayError) || error.code !== 'RATE_LIMITED') throw error;
    return oauthJson(
      429,
      { error: 'temporarily_unavailable', error_description: error.message },
      { ...error.headers, 'retry-after': String(error.retryAfterSeconds ?? 60) },
    );
  }
}

export type OAuthRoutes = (request: Request, server: NodeServerContext) => Promise<Response | undefined>;

export function createOAuthRoutes(deps: OAuthDeps): OAuthRoutes {
  return async (request, server) => {
    const { pathname } = new URL(request.url);
    const route = ROUTES[pathname];
    if (!route || (route.available && !route.available(deps))) return undefined;
    const urls = urlsFor(deps, request);
    if (!urls) return undefined;
    if (request.method === 'OPTIONS' && pathname.startsWith('/.well-known/')) {
      return new Response(null, { status: 204, headers: { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET' } });
    }
    if (request.method !== route.method) {
      return new Response(JSON.stringify({ error: 'invalid_request', error_description: `use ${route.method}` }), {
        status: 405,
        headers: { allow: route.method, 'content-type': 'application/json' },
      });
    }
    const meta = { requestId: requestIdOf(request), clientAddress: clientAddressOf(request, server, deps.gateway.config.http.trustProxy) };
    try {
      if (route.limited) {
        const refused = await refusedByRateLimit(deps, meta);
        if (refused) return refused;
      }
      const response = await route.handle(deps, request, urls, meta);
      response.headers.set('x-request-id', meta.requestId);
      return response;
    } catch (error) {
      deps.logger.error('OAuth request failed', { requestId: meta.requestId, errorMessage: (error as Error).message, stack: (error as Error).stack });
      return oauthError(500, 'server_error', `unexpected error (request id ${meta.requestId})`);
    }
  };
}
