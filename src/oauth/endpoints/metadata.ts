import { SCOPES } from '../../auth/scopes.js';
import type { OAuthDeps } from '../deps.js';
import type { OAuthUrls } from '../urls.js';
import { oauthJson } from './responses.js';

/** RFC 9728: the protected resource (the MCP endpoint) and where its tokens come from. */
export function protectedResourceMetadata(urls: OAuthUrls) {
  return oauthJson(
    200,
    {
      resource: urls.resource,
      authorization_servers: [urls.issuer],
      scopes_supported: [...SCOPES],
      bearer_methods_supported: ['header'],
      resource_name: 'NODE.DC Tasker agent gateway (MCP)',
    },
    { 'access-control-allow-origin': '*' },
  );
}

/** RFC 8414: the gateway as authorization server for agent tokens. */
export function authorizationServerMetadata(deps: OAuthDeps, urls: OAuthUrls) {
  const dynamic = deps.gateway.config.oauth.dynamicClientRegistration;
  return oauthJson(
    200,
    {
      issuer: urls.issuer,
      authorization_endpoint: urls.authorizationEndpoint,
      token_endpoint: urls.tokenEndpoint,
      ...(dynamic ? { registration_endpoint: urls.registrationEndpoint } : {}),
      scopes_supported: [...SCOPES],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      authorization_response_iss_parameter_supported: true,
      client_id_metadata_document_supported: true,
    },
    { 'access-control-allow-origin': '*' },
  );
}
