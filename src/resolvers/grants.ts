import { z } from 'zod';
import { recordAgentChange } from '../audit/audit-log.js';
import { ScopeListSchema } from '../auth/scopes.js';
import * as grantsRepo from '../db/repositories/grants.js';
import { notFound } from '../errors/gateway-error.js';
import { parseInput } from '../errors/zod.js';
import { loadAgentFor } from './agents.js';
import { type CallContext, type GatewayDeps, requireLauncher } from './context.js';
import { type GrantView, toGrantView } from './views.js';

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

export async function listAgentGrants(deps: GatewayDeps, ctx: CallContext, agentId: string): Promise<GrantView[]> {
  const principal = requireLauncher(ctx.principal);
  const agent = await loadAgentFor(deps.db, principal, agentId, 'read');
  return (await grantsRepo.listGrants(deps.db, agent.id)).map(toGrantView);
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
    await recordAgentChange(trx, principal, ctx.meta, agent, {
      action: 'grant.removed',
      targetType: 'project',
      targetId: project,
      details: { previousScopes: removed.scopes },
    });
    return toGrantView(removed);
  });
}
