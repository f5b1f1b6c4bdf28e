import { randomUUID } from 'node:crypto';
import { recordAudit, type RequestMeta } from '../../audit/audit-log.js';
import * as clientsRepo from '../../db/repositories/oauth-clients.js';
import { findIllFormedText } from '../../validation/text.js';
import { ClientMetadataSchema } from '../clients/client.js';
import type { OAuthDeps } from '../deps.js';
import type { OAuthUrls } from '../urls.js';
import { oauthError, oauthJson } from './responses.js';

/**
 * POST /oauth/register: Dynamic Client Registration (RFC 7591), the deprecated fallback for
 * clients that cannot publish a metadata document. Off unless OAUTH_DYNAMIC_CLIENT_REGISTRATION.
 * Public clients only; what a client registers here is shown to the person as unverified.
 */
export async function register(deps: OAuthDeps, request: Request, _urls: OAuthUrls, meta: RequestMeta): Promise<Response> {
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    return oauthError(400, 'invalid_client_metadata', 'the registration request must be a JSON object');
  }
  const illFormed = findIllFormedText(body);
  if (illFormed) return oauthError(400, 'invalid_client_metadata', `${illFormed.path || '(input)'}: ${illFormed.message}`);
  const parsed = ClientMetadataSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return oauthError(400, issue?.path[0] === 'redirect_uris' ? 'invalid_redirect_uri' : 'invalid_client_metadata', `${issue?.path.join('.')}: ${issue?.message}`);
  }
  const clientId = `dyn_${randomUUID()}`;
  const row = await clientsRepo.insertClient(deps.gateway.db, {
    client_id: clientId,
    client_name: parsed.data.client_name ?? null,
    redirect_uris: parsed.data.redirect_uris,
    client_uri: parsed.data.client_uri ?? null,
    logo_uri: parsed.data.logo_uri ?? null,
    client_address: meta.clientAddress,
  });
  await recordAudit(deps.gateway.db, { kind: 'anonymous' }, meta, {
    action: 'oauth.register',
    outcome: 'succeeded',
    targetType: 'oauth_client',
    targetId: clientId,
    details: { clientName: row.client_name },
  });
  return oauthJson(201, {
    client_id: clientId,
    client_id_issued_at: Math.floor(row.created_at.getTime() / 1000),
    client_name: row.client_name ?? undefined,
    redirect_uris: row.redirect_uris,
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  });
}
