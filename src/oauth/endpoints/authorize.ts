import { recordAudit } from '../../audit/audit-log.js';
import { SCOPES, type Scope, sortScopes } from '../../auth/scopes.js';
import * as requestsRepo from '../../db/repositories/oauth-requests.js';
import type { RequestMeta } from '../../audit/audit-log.js';
import { clientRedirect, type OAuthDeps } from '../deps.js';
import { S256_CHALLENGE } from '../pkce.js';
import { redirectUriAllowed } from '../redirect-uris.js';
import { newOAuthSecret } from '../secrets.js';
import type { OAuthUrls } from '../urls.js';
import { errorPage, redirectTo } from './responses.js';

/**
 * GET /oauth/authorize: checks the request, records it as pending for 10 minutes and sends the
 * browser to the consent screen (the Launcher's, or in development the gateway's own page) with an
 * opaque handle. Until the client and its redirect URI are known good, errors are shown in the
 * browser; after that they go back to the client (RFC 6749 §4.1.2.1), always with `iss`.
 * Authorization code with PKCE S256 only; the `resource` parameter (RFC 8707) is required and must
 * name this gateway's MCP endpoint.
 */
export const AUTHORIZATION_REQUEST_TTL_MS = 10 * 60 * 1000;

function parseScopes(raw: string | null): Scope[] | undefined {
  if (raw === null || raw.trim() === '') return [...SCOPES];
  const asked = raw.trim().split(/\s+/);
  if (!asked.every((scope) => (SCOPES as readonly string[]).includes(scope))) return undefined;
  return sortScopes(asked);
}

export async function authorize(deps: OAuthDeps, request: Request, urls: OAuthUrls, meta: RequestMeta): Promise<Response> {
  const params = new URL(request.url).searchParams;
  const refuse = async (reason: string) =>
    recordAudit(deps.gateway.db, { kind: 'anonymous' }, meta, {
      action: 'oauth.authorize',
      outcome: 'denied',
      reason,
      details: { clientId: (params.get('client_id') ?? '').slice(0, 200) },
    });

  const clientId = params.get('client_id');
  if (!clientId) {
    await refuse('invalid_request: client_id missing');
    return errorPage(400, 'This sign-in link is incomplete', 'The application did not say who it is (no client_id).');
  }
  const found = await deps.clients.find(clientId);
  if (!found.ok) {
    await refuse(`invalid_client: ${found.reason}`);
    return errorPage(400, 'Unknown application', found.reason);
  }
  const { client } = found;
  const redirectUri = params.get('redirect_uri');
  if (!redirectUri || !redirectUriAllowed(client.redirectUris, redirectUri)) {
    await refuse('invalid_request: redirect_uri not registered for this client');
    return errorPage(400, 'This sign-in link is not valid', `${client.clientName} asked to return to an address it has not registered.`);
  }

  const state = params.get('state');
  const back = async (error: string, description: string) => {
    await refuse(`${error}: ${description}`);
    return redirectTo(clientRedirect(redirectUri, { error, error_description: description, state, iss: urls.issuer }));
  };
  if (params.get('response_type') !== 'code') return back('unsupported_response_type', 'only response_type=code is supported');
  const challenge = params.get('code_challenge');
  if (!challenge) return back('invalid_request', 'PKCE is required: send code_challenge with code_challenge_method=S256');
  if (params.get('code_challenge_method') !== 'S256') return back('invalid_request', 'only code_challenge_method=S256 is supported');
  if (!S256_CHALLENGE.test(challenge)) return back('invalid_request', 'code_challenge must be the base64url SHA-256 of the code verifier');
  const resource = params.get('resource');
  if (!resource) return back('invalid_target', `the resource parameter is required: ${urls.resource}`);
  if (resource !== urls.resource) return back('invalid_target', `this authorization server issues tokens for ${urls.resource} only`);
  const scopes = parseScopes(params.get('scope'));
  if (!scopes) return back('invalid_scope', `scopes are among: ${SCOPES.join(' ')}`);
  if (state !== null && state.length > 2000) return back('invalid_request', 'state is longer than 2000 characters');

  const now = deps.gateway.now();
  const handle = newOAuthSecret('handle');
  const pending = await requestsRepo.insertRequest(deps.gateway.db, {
    handle_hash: handle.hash,
    client_id: client.clientId,
    client_name: client.clientName,
    client_uri: client.clientUri ?? null,
    logo_uri: client.logoUri ?? null,
    redirect_uri: redirectUri,
    state,
    code_challenge: challenge,
    resource,
    issuer: urls.issuer,
    scopes,
    created_at: now,
    expires_at: new Date(now.getTime() + AUTHORIZATION_REQUEST_TTL_MS),
  });
  await recordAudit(deps.gateway.db, { kind: 'anonymous' }, meta, {
    action: 'oauth.authorize',
    outcome: 'succeeded',
    targetType: 'oauth_request',
    targetId: pending.id,
    details: { clientId: client.clientId, registration: client.registration, scopes },
  });
  const consent = new URL(deps.gateway.config.oauth.consentUrl ?? urls.devConsentPage);
  consent.searchParams.set('request', handle.secret);
  return redirectTo(consent.href);
}
