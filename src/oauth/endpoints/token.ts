import type { RequestMeta } from '../../audit/audit-log.js';
import type { OAuthDeps } from '../deps.js';
import { redeemCode, refresh } from '../token-families.js';
import type { OAuthUrls } from '../urls.js';
import { oauthError, oauthJson } from './responses.js';

/**
 * POST /oauth/token (form-encoded): `authorization_code` with the PKCE verifier, or
 * `refresh_token`. Public clients only: the client_id identifies, PKCE and rotation protect.
 */
export async function token(deps: OAuthDeps, request: Request, _urls: OAuthUrls, meta: RequestMeta): Promise<Response> {
  if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return oauthError(400, 'invalid_request', 'send the token request as application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams(await request.text());
  const field = (name: string) => form.get(name);
  const grantType = field('grant_type');
  let outcome;
  if (grantType === 'authorization_code') {
    const code = field('code');
    if (!code) return oauthError(400, 'invalid_request', 'code is required');
    outcome = await redeemCode(deps.gateway, meta, {
      code,
      redirectUri: field('redirect_uri'),
      clientId: field('client_id'),
      codeVerifier: field('code_verifier'),
      resource: field('resource'),
    });
  } else if (grantType === 'refresh_token') {
    const refreshToken = field('refresh_token');
    if (!refreshToken) return oauthError(400, 'invalid_request', 'refresh_token is required');
    outcome = await refresh(deps.gateway, meta, { refreshToken, clientId: field('client_id'), resource: field('resource'), scope: field('scope') });
  } else {
    return oauthError(400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
  }
  return outcome.ok ? oauthJson(200, outcome.answer) : oauthError(400, outcome.error, outcome.description);
}
