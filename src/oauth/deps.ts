import type { Logger } from '../logging/logger.js';
import type { GatewayDeps } from '../resolvers/context.js';
import type { ClientRegistry } from './clients/registry.js';
import { gatewayBase, type OAuthUrls, oauthUrls } from './urls.js';

/** What the OAuth endpoints share: the gateway's services, the client registry, the logger. */
export interface OAuthDeps {
  gateway: GatewayDeps;
  clients: ClientRegistry;
  logger: Logger;
}

/** The URLs this request's OAuth answers speak of, or undefined when OAuth is unavailable. */
export function urlsFor(deps: OAuthDeps, request: Request): OAuthUrls | undefined {
  const { config } = deps.gateway;
  // In production the consent screen is the Launcher's; without its address nobody could approve.
  if (config.env === 'production' && !config.oauth.consentUrl) return undefined;
  const base = gatewayBase(request, { publicUrl: config.http.publicUrl, production: config.env === 'production' });
  return base === undefined ? undefined : oauthUrls(base);
}

/** A redirect back to the client: the result (or error) in the query, with the issuer (RFC 9207). */
export function clientRedirect(redirectUri: string, params: Record<string, string | null | undefined>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== null && value !== undefined) url.searchParams.set(key, value);
  return url.href;
}
