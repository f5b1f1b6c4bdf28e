import { randomUUID } from 'node:crypto';
import { recordAudit, type RequestMeta } from '../audit/audit-log.js';
import type { Principal } from '../auth/principal.js';
import { type Scope, sortScopes } from '../auth/scopes.js';
import type { Executor } from '../db/database.js';
import * as agentsRepo from '../db/repositories/agents.js';
import * as grantsRepo from '../db/repositories/grants.js';
import * as codesRepo from '../db/repositories/oauth-codes.js';
import * as refreshRepo from '../db/repositories/oauth-refresh-tokens.js';
import type { AgentRow } from '../db/tables.js';
import type { GatewayDeps } from '../resolvers/context.js';
import { mintToken } from '../resolvers/tokens.js';
import { verifyS256 } from './pkce.js';
import { hashOAuthSecret, newOAuthSecret } from './secrets.js';

/**
 * Tokens the authorization server issues. An authorization code, redeemed once, starts a token
 * family: an access token that is an ordinary agent token (hash-only, scopes within the agent's
 * grants, audited, revocable, bound to the resource it was asked for, short-lived) and a refresh
 * token. Each refresh spends its refresh token and issues a new pair in the same family; a spent
 * refresh token presented again means it was copied, so the whole family is revoked (RFC 9700
 * §4.14.2). A code presented twice revokes what it was exchanged for (RFC 6749 §4.1.2).
 */
export interface TokenAnswer {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
}

export type TokenOutcome = { ok: true; answer: TokenAnswer } | { ok: false; error: 'invalid_grant' | 'invalid_target' | 'invalid_scope'; description: string };

const ANONYMOUS: Principal = { kind: 'anonymous' };

function refusal(error: 'invalid_grant' | 'invalid_target' | 'invalid_scope', description: string): TokenOutcome {
  return { ok: false, error, description };
}

async function issuePair(
  deps: GatewayDeps,
  trx: Executor,
  meta: RequestMeta,
  family: { id: string; agent: AgentRow; clientId: string; clientName: string; resource: string; scopes: Scope[]; createdByUserId: string | null },
): Promise<TokenAnswer | undefined> {
  // Scopes never outgrow what the agent holds now: a grant removed since consent is gone from the token too.
  const held = new Set((await grantsRepo.listGrants(trx, family.agent.id)).flatMap((grant) => grant.scopes));
  const scopes = sortScopes(family.scopes.filter((scope) => held.has(scope)));
  if (scopes.length === 0 || family.agent.status !== 'active') return undefined;
  const now = deps.now();
  const lifetimeMs = deps.config.oauth.accessTokenTtlSeconds * 1000;
  const access = await mintToken(deps, trx, ANONYMOUS, meta, {
    agent: family.agent,
    name: `OAuth: ${family.clientName}`.slice(0, 120),
    scopes,
    ttlDays: 1,
    via: 'oauth',
    createdByUserId: family.createdByUserId,
    oauth: { expiresAt: new Date(now.getTime() + lifetimeMs), resource: family.resource, familyId: family.id },
  });
  const refresh = newOAuthSecret('refresh');
  await refreshRepo.insertRefreshToken(trx, {
    token_hash: refresh.hash,
    family_id: family.id,
    agent_id: family.agent.id,
    client_id: family.clientId,
    client_name: family.clientName,
    resource: family.resource,
    scopes,
    access_token_id: access.token.id,
    created_at: now,
    expires_at: new Date(now.getTime() + deps.config.oauth.refreshTokenTtlDays * 86_400_000),
  });
  return { access_token: access.secret, token_type: 'Bearer', expires_in: Math.floor(lifetimeMs / 1000), refresh_token: refresh.secret, scope: scopes.join(' ') };
}

async function audit(
  db: Executor,
  meta: RequestMeta,
  entry: { action: string; outcome: 'succeeded' | 'denied'; agentId?: string | null; ownerUserId?: string | null; reason?: string; details: Record<string, unknown> },
) {
  await recordAudit(db, ANONYMOUS, meta, { targetType: 'oauth_family', ...entry });
}

export async function redeemCode(
  deps: GatewayDeps,
  meta: RequestMeta,
  input: { code: string; redirectUri: string | null; clientId: string | null; codeVerifier: string | null; resource: string | null },
): Promise<TokenOutcome> {
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const found = await codesRepo.findCodeForUpdate(trx, hashOAuthSecret(input.code));
    if (!found) return { result: refusal('invalid_grant', 'unknown authorization code') };
    const { code, request } = found;
    const about = { agentId: request.agent_id, details: { clientId: request.client_id, requestId: request.id } };
    if (code.used_at) {
      if (code.family_id) {
        await refreshRepo.revokeFamily(trx, code.family_id, deps.now());
        if (request.agent_id) await deps.principalChanges.announce(trx, request.agent_id);
      }
      return { result: refusal('invalid_grant', 'this authorization code was already used; the tokens issued for it are revoked'), audit: { ...about, reason: 'code replayed: family revoked' } };
    }
    if (code.expires_at <= deps.now()) return { result: refusal('invalid_grant', 'the authorization code has expired'), audit: { ...about, reason: 'code expired' } };
    if (input.clientId !== request.client_id) return { result: refusal('invalid_grant', 'the code was issued to another client'), audit: { ...about, reason: 'client_id mismatch' } };
    if (input.redirectUri !== request.redirect_uri) return { result: refusal('invalid_grant', 'redirect_uri differs from the authorization request'), audit: { ...about, reason: 'redirect_uri mismatch' } };
    if (!input.codeVerifier || !verifyS256(input.codeVerifier, request.code_challenge)) {
      return { result: refusal('invalid_grant', 'the code_verifier does not match the code_challenge (PKCE S256)'), audit: { ...about, reason: 'PKCE verification failed' } };
    }
    if (input.resource !== null && input.resource !== request.resource) {
      return { result: refusal('invalid_target', `the code was issued for ${request.resource}`), audit: { ...about, reason: 'resource mismatch' } };
    }
    const agent = request.agent_id ? await agentsRepo.findAgent(trx, request.agent_id) : undefined;
    const familyId = randomUUID();
    const answer = agent
      ? await issuePair(deps, trx, meta, {
          id: familyId,
          agent,
          clientId: request.client_id,
          clientName: request.client_name,
          resource: request.resource,
          scopes: request.granted_scopes ?? [],
          createdByUserId: request.decided_by_user_id,
        })
      : undefined;
    await codesRepo.markCodeUsed(trx, code.code_hash, deps.now(), answer ? familyId : null);
    if (!answer) return { result: refusal('invalid_grant', 'the agent is disabled or holds none of the approved scopes any more'), audit: { ...about, reason: 'agent unusable' } };
    await audit(trx, meta, { action: 'oauth.token', outcome: 'succeeded', agentId: agent!.id, ownerUserId: agent!.owner_user_id, details: { ...about.details, familyId, grant: 'authorization_code' } });
    return { result: { ok: true, answer } as TokenOutcome };
  });
  if ('audit' in outcome && outcome.audit) {
    await audit(deps.db, meta, { action: 'oauth.token', outcome: 'denied', agentId: outcome.audit.agentId, reason: outcome.audit.reason, details: outcome.audit.details });
  }
  return outcome.result;
}

export async function refresh(
  deps: GatewayDeps,
  meta: RequestMeta,
  input: { refreshToken: string; clientId: string | null; resource: string | null; scope: string | null },
): Promise<TokenOutcome> {
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const row = await refreshRepo.findRefreshTokenForUpdate(trx, hashOAuthSecret(input.refreshToken));
    if (!row) return { result: refusal('invalid_grant', 'unknown refresh token') };
    const about = { agentId: row.agent_id, details: { clientId: row.client_id, familyId: row.family_id } };
    if (row.revoked_at) return { result: refusal('invalid_grant', 'this refresh token has been revoked'), audit: { ...about, reason: 'refresh token revoked' } };
    if (row.used_at) {
      // A spent refresh token came back: someone holds a copy. End the family for everyone.
      await refreshRepo.revokeFamily(trx, row.family_id, deps.now());
      await deps.principalChanges.announce(trx, row.agent_id);
      return { result: refusal('invalid_grant', 'this refresh token was already used; every token of this sign-in is revoked'), audit: { ...about, reason: 'refresh token reused: family revoked' } };
    }
    if (row.expires_at <= deps.now()) return { result: refusal('invalid_grant', 'the refresh token has expired'), audit: { ...about, reason: 'refresh token expired' } };
    if (input.clientId !== row.client_id) return { result: refusal('invalid_grant', 'the refresh token was issued to another client'), audit: { ...about, reason: 'client_id mismatch' } };
    if (input.resource !== null && input.resource !== row.resource) return { result: refusal('invalid_target', `the refresh token is for ${row.resource}`), audit: { ...about, reason: 'resource mismatch' } };
    const asked = input.scope === null ? row.scopes : input.scope.trim().split(/\s+/);
    if (!asked.every((scope) => (row.scopes as string[]).includes(scope))) return { result: refusal('invalid_scope', 'a refresh cannot widen the scopes') };
    await refreshRepo.markRefreshTokenUsed(trx, row.id, deps.now());
    const agent = await agentsRepo.findAgent(trx, row.agent_id);
    const answer = agent
      ? await issuePair(deps, trx, meta, {
          id: row.family_id,
          agent,
          clientId: row.client_id,
          clientName: row.client_name,
          resource: row.resource,
          scopes: sortScopes(asked),
          createdByUserId: null,
        })
      : undefined;
    if (!answer) return { result: refusal('invalid_grant', 'the agent is disabled or holds none of these scopes any more'), audit: { ...about, reason: 'agent unusable' } };
    await audit(trx, meta, { action: 'oauth.token', outcome: 'succeeded', agentId: row.agent_id, ownerUserId: agent!.owner_user_id, details: { ...about.details, grant: 'refresh_token' } });
    return { result: { ok: true, answer } as TokenOutcome };
  });
  if ('audit' in outcome && outcome.audit) {
    await audit(deps.db, meta, { action: 'oauth.token', outcome: 'denied', agentId: outcome.audit.agentId, reason: outcome.audit.reason, details: outcome.audit.details });
  }
  return outcome.result;
}
