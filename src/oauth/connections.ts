import { z } from 'zod';
import { recordAgentChange } from '../audit/audit-log.js';
import type { Scope } from '../auth/scopes.js';
import * as refreshRepo from '../db/repositories/oauth-refresh-tokens.js';
import { notFound } from '../errors/gateway-error.js';
import { parseInput } from '../errors/zod.js';
import { loadAgentFor } from '../resolvers/agents.js';
import { type CallContext, type GatewayDeps, requireLauncher } from '../resolvers/context.js';

/**
 * The OAuth-connected applications of an agent, as the Launcher lists them under the agent: one
 * per sign-in (token family). Revoking one ends its access and refresh tokens at once, so its next
 * request is refused.
 */
export interface OAuthConnectionView {
  id: string;
  agentId: string;
  clientId: string;
  clientName: string;
  resource: string;
  scopes: Scope[];
  connectedAt: Date;
  lastRefreshedAt: Date;
  revokedAt: Date | null;
}

const toView = (family: refreshRepo.FamilySummary): OAuthConnectionView => ({
  id: family.family_id,
  agentId: family.agent_id,
  clientId: family.client_id,
  clientName: family.client_name,
  resource: family.resource,
  scopes: family.scopes as Scope[],
  connectedAt: family.connected_at,
  lastRefreshedAt: family.last_refreshed_at,
  revokedAt: family.revoked_at,
});

export async function listOAuthConnections(deps: GatewayDeps, ctx: CallContext, agentId: string): Promise<OAuthConnectionView[]> {
  const principal = requireLauncher(ctx.principal);
  const agent = await loadAgentFor(deps.db, principal, agentId, 'read');
  return (await refreshRepo.listFamilies(deps.db, agent.id)).map(toView);
}

export async function revokeOAuthConnection(deps: GatewayDeps, ctx: CallContext, connectionId: string): Promise<OAuthConnectionView> {
  const principal = requireLauncher(ctx.principal);
  const id = parseInput(z.uuid({ message: 'expected a connection id (UUID)' }), connectionId);
  return deps.db.transaction().execute(async (trx) => {
    const family = await refreshRepo.findFamilyAgent(trx, id);
    if (!family) throw notFound(`no OAuth connection with id ${id}`);
    const agent = await loadAgentFor(trx, principal, family.agent_id, 'manage', true);
    await refreshRepo.revokeFamily(trx, id, deps.now());
    await deps.principalChanges.announce(trx, agent.id);
    await recordAgentChange(trx, principal, ctx.meta, agent, {
      action: 'oauth.connection.revoked',
      targetType: 'oauth_connection',
      targetId: id,
      details: { clientName: family.client_name },
    });
    const view = (await refreshRepo.listFamilies(trx, agent.id)).find((candidate) => candidate.family_id === id);
    return toView(view!);
  });
}
