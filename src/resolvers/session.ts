import { agentScopes } from '../auth/principal.js';
import { type Scope, sortScopes } from '../auth/scopes.js';
import { runAgentCall } from './agent/agent-call.js';
import { type CallContext, type GatewayDeps, requireLauncher } from './context.js';

export interface AgentSessionView {
  agent: { id: string; displayName: string };
  owner: { userId: string; email: string };
  tokenId: string;
  /** Scopes usable on at least one project: the token's scopes within the agent's grants. */
  scopes: Scope[];
  grants: { projectId: string; scopes: Scope[] }[];
}

/** An agent call like any other, so it leaves its audit event (`agent.agentSession`). */
export async function agentSession(deps: GatewayDeps, ctx: CallContext): Promise<AgentSessionView> {
  return runAgentCall(deps, ctx, 'agentSession', async ({ principal }) => ({
    agent: { id: principal.agentId, displayName: principal.agentName },
    owner: { userId: principal.ownerUserId, email: principal.ownerEmail },
    tokenId: principal.tokenId,
    scopes: sortScopes(agentScopes(principal)),
    grants: [...principal.grants]
      .map(([projectId, scopes]) => ({ projectId, scopes: sortScopes(scopes) }))
      .sort((a, b) => a.projectId.localeCompare(b.projectId)),
  }));
}

export interface MeView {
  userId: string;
  email: string;
  role: 'user' | 'admin';
}

export function me(ctx: CallContext): MeView {
  const principal = requireLauncher(ctx.principal);
  return { userId: principal.userId, email: principal.email, role: principal.role };
}
