/**
 * Where the gateway's OAuth documents and endpoints live, for a given base URL. The base is
 * PUBLIC_URL; outside production, without it, the origin the request came to (a local gateway on a
 * free port). The protected resource is the MCP endpoint itself: tokens are bound to it (RFC 8707).
 */
export interface OAuthUrls {
  issuer: string;
  resource: string;
  resourceMetadata: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  registrationEndpoint: string;
  devConsentPage: string;
}

export function oauthUrls(base: string): OAuthUrls {
  const issuer = base.replace(/\/+$/, '');
  const origin = new URL(issuer).origin;
  const path = new URL(issuer).pathname.replace(/\/+$/, '');
  return {
    issuer,
    resource: `${issuer}/mcp`,
    // RFC 9728 §3.1: the well-known segment goes between the host and the resource's path.
    resourceMetadata: `${origin}/.well-known/oauth-protected-resource${path}/mcp`,
    authorizationEndpoint: `${issuer}/oauth/authorize`,
    tokenEndpoint: `${issuer}/oauth/token`,
    registrationEndpoint: `${issuer}/oauth/register`,
    devConsentPage: `${issuer}/oauth/consent`,
  };
}

/** The base URL for this request, or undefined when OAuth has no address to speak for (production without PUBLIC_URL). */
export function gatewayBase(request: Request, config: { publicUrl: string | undefined; production: boolean }): string | undefined {
  if (config.publicUrl) return config.publicUrl;
  return config.production ? undefined : new URL(request.url).origin;
}
