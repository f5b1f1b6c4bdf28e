import type { RequestMeta } from '../audit/audit-log.js';
import type { CredentialRefusal, RepeatedRefusals } from '../audit/repeated-refusals.js';
import type { Db } from '../db/database.js';
import * as grantsRepo from '../db/repositories/grants.js';
import * as tokensRepo from '../db/repositories/tokens.js';
import { hashAgentToken, hasValidChecksum, looksLikeAgentToken } from './agent-token.js';
import type { LauncherJwtVerifier } from './launcher-jwt.js';
import type { AgentPrincipal, CredentialRefusalCode, CredentialRejection, Principal } from './principal.js';
import type { AgentRow, TokenRow } from '../db/tables.js';
import type { PrincipalCache } from './principal-cache.js';
import type { TokenUsage } from './token-usage.js';
import type { Scope } from './scopes.js';

/**
 * Turns an Authorization header into a principal. Nothing here throws for bad credentials: a
 * refused credential becomes an anonymous principal carrying the reason, and the operation that
 * needed credentials answers UNAUTHENTICATED with it. An agent principal comes from the principal
 * cache when it holds one, else from the database; every change to an agent, its grants or its
 * tokens empties the agent's entries (principal-changes.ts), so a revoked token, a disabled agent or
 * a removed grant takes effect on the next call. Refusals always come from the database.
 *
 * Every refused credential is audited here, at the one exit, for every surface: filed under its
 * token when the token exists, under its hash when it is well-formed but matches none, else under
 * the client network, and counted on one event per window (src/audit/repeated-refusals.ts).
 */
export interface Authenticator {
  /** `resource`: the RFC 8707 resource being called; a token bound to another one is refused. */
  authenticate(authorization: string | null, meta: RequestMeta, options?: { resource?: string | undefined }): Promise<Principal>;
}

interface AgentAuthenticationDeps {
  db: Db;
  now: () => Date;
  principals: PrincipalCache;
  tokenUsage: TokenUsage;
}

/** A credential refused, with what the audit files it under. */
interface Refused {
  kind: 'refused';
  refusal: CredentialRefusal;
}

const refused = (code: CredentialRefusalCode, message: string, subject: Omit<CredentialRefusal, 'rejection'> = {}): Refused => ({
  kind: 'refused',
  refusal: { rejection: { code, message }, ...subject },
});

export function createAuthenticator(deps: AgentAuthenticationDeps & { launcherJwt: LauncherJwtVerifier; refusals: RepeatedRefusals }): Authenticator {
  const resolve = async (authorization: string, resource: string | undefined): Promise<Principal | Refused> => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) return refused('malformed_header', 'the Authorization header must be "Bearer <token>"');
    const credential = match[1];
    if (looksLikeAgentToken(credential)) return authenticateAgent(deps, credential, resource);
    const verified = await deps.launcherJwt.verify(credential);
    return verified.ok ? verified.principal : refused(verified.code, verified.reason);
  };
  return {
    async authenticate(authorization, meta, options = {}) {
      if (!authorization) return { kind: 'anonymous' };
      const outcome = await resolve(authorization, options.resource);
      if (outcome.kind !== 'refused') return outcome;
      await deps.refusals.credential(outcome.refusal, meta);
      return { kind: 'anonymous', rejection: outcome.refusal.rejection };
    },
  };
}

/** Why a token that exists may not be used now; null when it may. */
function refusalOf(token: TokenRow, agent: Pick<AgentRow, 'status'>, now: Date, resource: string | undefined): CredentialRejection | null {
  if (token.revoked_at !== null) return { code: 'token_revoked', message: 'the agent token has been revoked' };
  if (token.expires_at <= now) return { code: 'token_expired', message: 'the agent token has expired' };
  if (agent.status !== 'active') return { code: 'agent_disabled', message: 'the agent is disabled by its owner' };
  if (token.resource !== null && token.resource !== resource) {
    return { code: 'token_wrong_resource', message: `this token was issued by OAuth sign-in for ${token.resource} and is accepted there only` };
  }
  return null;
}

async function authenticateAgent(deps: AgentAuthenticationDeps, secret: string, resource: string | undefined): Promise<AgentPrincipal | Refused> {
  const tokenHash = hashAgentToken(secret);
  // Only tokens that passed the checksum and the database are cached, so a hit needs neither.
  const cached = deps.principals.get(tokenHash);
  // A token bound to another resource is refused (and audited) by the database path below.
  if (cached && (cached.tokenResource === null || cached.tokenResource === resource)) {
    deps.tokenUsage.note(cached.tokenId);
    return cached;
  }
  // A typo or a made-up token is caught by its checksum before any database work.
  if (!hasValidChecksum(secret)) return refused('token_malformed', 'the agent token is malformed (checksum mismatch)');
  // Taken before the reads: a change announced while they run voids what they return.
  const ticket = deps.principals.ticket();
  const found = await tokensRepo.findTokenByHash(deps.db, tokenHash);
  if (!found) return refused('token_unknown', 'the agent token is not recognised', { tokenHash });
  const { token, agent } = found;
  const now = deps.now();
  const refusal = refusalOf(token, agent, now, resource);
  if (refusal) return { kind: 'refused', refusal: { rejection: refusal, token: { id: token.id, agentId: agent.id, ownerUserId: agent.owner_user_id } } };

  // A token without its own scope list follows the grants; one with a list is narrowed by it.
  const tokenScopes = token.scopes === null ? null : new Set<Scope>(token.scopes);
  const grants = new Map<string, ReadonlySet<Scope>>();
  for (const grant of await grantsRepo.listGrants(deps.db, agent.id)) {
    const effective = new Set(tokenScopes === null ? grant.scopes : grant.scopes.filter((scope) => tokenScopes.has(scope)));
    if (effective.size > 0) grants.set(grant.tasker_project_id, effective);
  }
  deps.tokenUsage.note(token.id);
  const principal: AgentPrincipal = {
    kind: 'agent',
    agentId: agent.id,
    agentName: agent.display_name,
    ownerUserId: agent.owner_user_id,
    ownerEmail: agent.owner_email,
    tokenId: token.id,
    tokenExpiresAt: token.expires_at,
    tokenResource: token.resource,
    grants,
  };
  deps.principals.put(ticket, tokenHash, principal);
  return principal;
}
