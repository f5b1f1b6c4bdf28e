import { z } from 'zod';
import { recordAgentChange } from '../audit/audit-log.js';
import { ScopeListSchema } from '../auth/scopes.js';
import * as grantsRepo from '../db/repositories/grants.js';
import { decideAgentAccess } from '../auth/policy.js';
import { forbidden, notFound } from '../errors/gateway-error.js';
import { parseInput } from '../errors/zod.js';
import { loadAgentFor } from './agents.js';
import { NestedListSizeSchema } from './pagination.js';
import { type CallContext, type GatewayDeps, requireLauncher } from './context.js';
import { type AgentView, type GrantView, toGrantView } from './views.js';

export const ProjectIdSchema = z
  .string()
  .trim()
  .min(1, { message: 'project id must not be empty' })
  .max(200, { message: 'project id is at most 200 characters' });

export const SetGrantInputSchema = z.strictObject({
  agentId: z.string(),
  projectId: ProjectIdSchema,
  scopes: ScopeListSchema,
});

/** The grants of several agents the caller has already been shown, in one batch (see listTokensOfAgents). */
export async function listGrantsOfAgents(
  deps: GatewayDeps,
  ctx: CallContext,
  agents: readonly AgentView[],
  first: number,
): Promise<(GrantView[] | Error)[]> {
  const principal = requireLauncher(ctx.principal);
  const limit = parseInput(NestedListSizeSchema, first);
  const readable = agents.filter((agent) => decideAgentAccess(principal, { owner_user_id: agent.ownerUserId }, 'read').allowed);
  const rows = await grantsRepo.listGrantsOfAgents(deps.db, readable.map((agent) => agent.id), limit);
  return agents.map((agent) =>
    readable.includes(agent)
      ? rows.filter((row) => row.agent_id === agent.id).map(toGrantView)
      : forbidden('this agent belongs to another user'),
  );
}

export async function setGrant(
  deps: GatewayDeps,
  ctx: CallContext,
  rawInput: z.input<typeof SetGrantInputSchema>,
): Promise<GrantView> {
  const principal = requireLauncher(ctx.principal);
  const input = parseInput(SetGrantInputSchema, rawInput);
  return deps.db.transaction().execute(async (trx) => {
    const agent = await loadAgentFor(trx, principal, input.agentId, 'manage', true);
    const { row, previousScopes } = await grantsRepo.upsertGrant(trx, {
      agentId: agent.id,
      taskerProjectId: input.projectId,
      scopes: input.scopes,
    });
    await deps.principalChanges.announce(trx, agent.id);
    await recordAgentChange(trx, principal, ctx.meta, agent, {
      action: previousScopes === null ? 'grant.created' : 'grant.changed',
      targetType: 'project',
      targetId: input.projectId,
      details: { scopes: input.scopes, previousScopes },
    });
    return toGrantView(row);
  });
}

export async function removeGrant(
  deps: GatewayDeps,
  ctx: CallContext,
  agentId: string,
  projectId: string,
): Promise<GrantView> {
  const principal = requireLauncher(ctx.principal);
  const project = parseInput(ProjectIdSchema, projectId);
  return deps.db.transaction().execute(async (trx) => {
    const agent = await loadAgentFor(trx, principal, agentId, 'manage', true);
    const removed = await grantsRepo.deleteGrant(trx, agent.id, project);
    if (!removed) throw notFound(`agent ${agent.id} has no grant on project ${project}`);
    await deps.principalChanges.announce(trx, agent.id);
    await recordAgentChange(trx, principal, ctx.meta, agent, {
      action: 'grant.removed',
      targetType: 'project',
      targetId: project,
      details: { previousScopes: removed.scopes },
    });
    return toGrantView(removed);
  });
}
