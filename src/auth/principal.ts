import type { Scope } from './scopes.js';

export type LauncherRole = 'user' | 'admin';

export interface LauncherPrincipal {
  kind: 'launcher';
  userId: string;
  email: string;
  role: LauncherRole;
}

/** Project grants as the agent holds them right now, already intersected with the token's scopes. */
export type EffectiveGrants = ReadonlyMap<string, ReadonlySet<Scope>>;

export interface AgentPrincipal {
  kind: 'agent';
  agentId: string;
  agentName: string;
  ownerUserId: string;
  ownerEmail: string;
  tokenId: string;
  /** When the token stops working (a cache of anything derived from it must not outlive this). */
  tokenExpiresAt: Date;
  /** Set for OAuth access tokens: the only resource (RFC 8707) that accepts them. */
  tokenResource: string | null;
  grants: EffectiveGrants;
}

/**
 * Why a presented credential was refused: a closed set, decided where the credential is checked,
 * so the metric label and the audit event read the same code and never parse the message.
 */
export type CredentialRefusalCode =
  | 'malformed_header'
  | 'token_malformed'
  | 'token_unknown'
  | 'token_revoked'
  | 'token_expired'
  | 'agent_disabled'
  | 'token_wrong_resource'
  | 'launcher_jwt_expired'
  | 'launcher_jwt_bad_signature'
  | 'launcher_jwt_invalid';

export interface CredentialRejection {
  code: CredentialRefusalCode;
  /** For the caller: what is wrong, in words. */
  message: string;
}

export interface AnonymousPrincipal {
  kind: 'anonymous';
  /** Set when credentials were presented but refused, so the error can say why. */
  rejection?: CredentialRejection;
}

export type Principal = LauncherPrincipal | AgentPrincipal | AnonymousPrincipal;

export function principalActor(principal: Principal): { actorKind: Principal['kind']; actorId: string | null } {
  switch (principal.kind) {
    case 'launcher':
      return { actorKind: 'launcher', actorId: principal.userId };
    case 'agent':
      return { actorKind: 'agent', actorId: principal.agentId };
    case 'anonymous':
      return { actorKind: 'anonymous', actorId: null };
  }
}

/** Every scope the agent may use on some project. */
export function agentScopes(principal: AgentPrincipal): Set<Scope> {
  const scopes = new Set<Scope>();
  for (const projectScopes of principal.grants.values()) for (const scope of projectScopes) scopes.add(scope);
  return scopes;
}

export function agentMayOnProject(principal: AgentPrincipal, projectId: string, scope: Scope): boolean {
  return principal.grants.get(projectId)?.has(scope) ?? false;
}
