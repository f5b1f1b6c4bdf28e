import { z } from 'zod';
import { cleanName } from '../validation/text.js';
import { recordAgentChange } from '../audit/audit-log.js';
import { type AgentAccess, decideAgentAccess } from '../auth/policy.js';
import type { LauncherPrincipal } from '../auth/principal.js';
import type { Executor } from '../db/database.js';
import * as agentsRepo from '../db/repositories/agents.js';
import type { AgentRow } from '../db/tables.js';
import { forbidden, notFound } from '../errors/gateway-error.js';
import { parseInput } from '../errors/zod.js';
import { type CallContext, type GatewayDeps, requireLauncher } from './context.js';
import { DEFAULT_PAGE_SIZE, decodeKeysetCursor, encodeKeysetCursor, type Page, PageSizeSchema, toPage } from './pagination.js';
import { type AgentView, toAgentView } from './views.js';

export const DisplayNameSchema = cleanName('display name', { max: 120 });
export const AgentIdSchema = z.uuid({ message: 'expected an agent id (UUID)' });

export const CreateAgentInputSchema = z.strictObject({
  displayName: DisplayNameSchema,
  /** Only for admins acting for someone else, and for the legacy REST shape; must match the caller otherwise. */
  ownerUserId: z.string().min(1).max(200).optional(),
  ownerEmail: z.email({ message: 'expected an email address' }).max(320).optional(),
});
export type CreateAgentInput = z.input<typeof CreateAgentInputSchema>;

/**
 * Loads an agent and applies the access rule. Missing agents are NOT_FOUND; someone else's are
 * FORBIDDEN (agent ids are random UUIDs, so the difference tells an attacker nothing usable).
 */
export async function loadAgentFor(
  db: Executor,
  principal: LauncherPrincipal,
  agentId: string,
  access: AgentAccess,
  lock = false,
): Promise<AgentRow> {
  const id = parseInput(AgentIdSchema, agentId);
  const agent = lock ? await agentsRepo.findAgentForUpdate(db, id) : await agentsRepo.findAgent(db, id);
  if (!agent) throw notFound(`no agent with id ${id}`);
  const decision = decideAgentAccess(principal, agent, access);
  if (!decision.allowed) throw forbidden(decision.reason);
  return agent;
}

export async function createAgent(deps: GatewayDeps, ctx: CallContext, rawInput: CreateAgentInput): Promise<AgentView> {
  const principal = requireLauncher(ctx.principal);
  const input = parseInput(CreateAgentInputSchema, rawInput);
  // Mass assignment guard: an owner other than the caller is refused, not silently replaced.
  const ownerUserId = input.ownerUserId ?? principal.userId;
  if (ownerUserId !== principal.userId && principal.role !== 'admin') {
    throw forbidden('owner_user_id must be your own user id', { field: 'ownerUserId' });
  }
  const ownerEmail = input.ownerEmail ?? (ownerUserId === principal.userId ? principal.email : undefined);
  if (ownerEmail === undefined) throw forbidden('an admin creating an agent for another user must name the owner email');
  if (ownerUserId === principal.userId && ownerEmail.toLowerCase() !== principal.email.toLowerCase()) {
    throw forbidden('owner_email must be your own email', { field: 'ownerEmail' });
  }

  return deps.db.transaction().execute(async (trx) => {
    const agent = await agentsRepo.insertAgent(trx, { ownerUserId, ownerEmail, displayName: input.displayName });
    await recordAgentChange(trx, principal, ctx.meta, agent, {
      action: 'agent.created',
      details: { displayName: agent.display_name },
    });
    return toAgentView(agent);
  });
}

export async function getAgent(deps: GatewayDeps, ctx: CallContext, agentId: string): Promise<AgentView> {
  const principal = requireLauncher(ctx.principal);
  return toAgentView(await loadAgentFor(deps.db, principal, agentId, 'read'));
}

export const ListAgentsInputSchema = z.strictObject({
  first: PageSizeSchema.default(DEFAULT_PAGE_SIZE),
  after: z.string().max(500).optional(),
  /** Admins only: every user's agents. */
  allOwners: z.boolean().default(false),
});

export async function listAgents(
  deps: GatewayDeps,
  ctx: CallContext,
  rawInput: z.input<typeof ListAgentsInputSchema>,
): Promise<Page<AgentView>> {
  const principal = requireLauncher(ctx.principal);
  const input = parseInput(ListAgentsInputSchema, rawInput);
  if (input.allOwners && principal.role !== 'admin') throw forbidden('only admins may list every user’s agents');
  const after = input.after === undefined ? undefined : decodeKeysetCursor(input.after);
  const rows = await agentsRepo.listAgents(deps.db, {
    ...(input.allOwners ? {} : { ownerUserId: principal.userId }),
    limit: input.first + 1,
    ...(after ? { after: { createdAt: after.at, id: after.id } } : {}),
  });
  return toPage(rows, input.first, toAgentView, (row) => encodeKeysetCursor(row.created_at, row.id));
}

export async function renameAgent(
  deps: GatewayDeps,
  ctx: CallContext,
  agentId: string,
  displayName: string,
): Promise<AgentView> {
  const principal = requireLauncher(ctx.principal);
  const name = parseInput(DisplayNameSchema, displayName);
  return deps.db.transaction().execute(async (trx) => {
    const agent = await loadAgentFor(trx, principal, agentId, 'manage', true);
    const updated = await agentsRepo.updateAgent(trx, agent.id, { displayName: name });
    await deps.principalChanges.announce(trx, agent.id);
    await recordAgentChange(trx, principal, ctx.meta, agent, {
      action: 'agent.renamed',
      details: { from: agent.display_name, to: name },
    });
    return toAgentView(updated);
  });
}

/** Disabling takes effect on the agent's very next call, on every instance (principal-changes.ts). */
export async function setAgentStatus(
  deps: GatewayDeps,
  ctx: CallContext,
  agentId: string,
  status: 'active' | 'disabled',
): Promise<AgentView> {
  const principal = requireLauncher(ctx.principal);
  return deps.db.transaction().execute(async (trx) => {
    const agent = await loadAgentFor(trx, principal, agentId, 'manage', true);
    const updated = agent.status === status ? agent : await agentsRepo.updateAgent(trx, agent.id, { status });
    await deps.principalChanges.announce(trx, agent.id);
    await recordAgentChange(trx, principal, ctx.meta, agent, {
      action: status === 'disabled' ? 'agent.disabled' : 'agent.enabled',
      details: { previousStatus: agent.status },
    });
    return toAgentView(updated);
  });
}

export async function deleteAgent(deps: GatewayDeps, ctx: CallContext, agentId: string): Promise<{ id: string }> {
  const principal = requireLauncher(ctx.principal);
  return deps.db.transaction().execute(async (trx) => {
    const agent = await loadAgentFor(trx, principal, agentId, 'manage', true);
    await agentsRepo.deleteAgent(trx, agent.id);
    await deps.principalChanges.announce(trx, agent.id);
    await recordAgentChange(trx, principal, ctx.meta, agent, {
      action: 'agent.deleted',
      details: { displayName: agent.display_name },
    });
    return { id: agent.id };
  });
}
