import { z } from 'zod';
import { cleanName } from '../validation/text.js';
import { recordAgentChange } from '../audit/audit-log.js';
import { issueAgentToken } from '../auth/agent-token.js';
import type { Principal } from '../auth/principal.js';
import { type Scope, ScopeListSchema, sortScopes } from '../auth/scopes.js';
import type { Executor } from '../db/database.js';
import * as grantsRepo from '../db/repositories/grants.js';
import * as tokensRepo from '../db/repositories/tokens.js';
import type { AgentRow, TokenOrigin } from '../db/tables.js';
import { badInput, conflict, forbidden, notFound } from '../errors/gateway-error.js';
import { parseInput } from '../errors/zod.js';
import type { RequestMeta } from '../audit/audit-log.js';
import { decideAgentAccess } from '../auth/policy.js';
import { loadAgentFor } from './agents.js';
import { NestedListSizeSchema } from './pagination.js';
import { type CallContext, type GatewayDeps, requireLauncher } from './context.js';
import { type AgentView, type TokenView, toTokenView } from './views.js';

export const TOKEN_NAME_MAX_LENGTH = 120;
export const TokenNameSchema = cleanName('token name', { max: TOKEN_NAME_MAX_LENGTH });

export const CreateTokenInputSchema = z.strictObject({
  agentId: z.string(),
  name: TokenNameSchema,
  /** Left out, the token follows its agent's grants as they change; given, it is limited to them. */
  scopes: ScopeListSchema.optional(),
  expiresInDays: z.number().int().min(1, { message: 'expiresInDays must be at least 1' }).optional(),
});

export interface IssuedTokenView {
  /** The secret: returned here once, never again. */
  secret: string;
  token: TokenView;
}

/**
 * The one place a token is minted (Launcher and pairing both come here), so the rule "a token's
 * scopes lie within its agent's grants" has a single implementation.
 */
export async function mintToken(
  deps: GatewayDeps,
  trx: Executor,
  principal: Principal,
  meta: RequestMeta,
  request: {
    agent: AgentRow;
    name: string;
    scopes: Scope[] | undefined;
    ttlDays: number;
    via: TokenOrigin;
    createdByUserId: string | null;
    /** OAuth access tokens: a lifetime shorter than a day, the resource they are bound to, their token family. */
    oauth?: { expiresAt: Date; resource: string; familyId: string };
  },
): Promise<IssuedTokenView> {
  const { agent } = request;
  if (agent.status !== 'active') throw conflict('the agent is disabled; enable it before issuing tokens');
  if (request.ttlDays > deps.config.tokens.maxTtlDays) {
    throw badInput(`a token may live at most ${deps.config.tokens.maxTtlDays} days`, { field: 'expiresInDays' });
  }
  const granted = sortScopes((await grantsRepo.listGrants(trx, agent.id)).flatMap((grant) => grant.scopes));
  const scopes = request.scopes ?? null;
  const beyondGrants = (scopes ?? []).filter((scope) => !granted.includes(scope));
  if (beyondGrants.length > 0) {
    throw forbidden(`a token cannot carry scopes the agent is not granted: ${beyondGrants.join(', ')}`, {
      field: 'scopes',
      notGranted: beyondGrants,
    });
  }
  const now = deps.now();
  const issued = issueAgentToken();
  const row = await tokensRepo.insertToken(trx, {
    agent_id: agent.id,
    name: request.name,
    token_hash: issued.hash,
    display_prefix: issued.displayPrefix,
    last_characters: issued.lastCharacters,
    scopes,
    created_by_user_id: request.createdByUserId,
    created_via: request.via,
    created_at: now,
    expires_at: request.oauth?.expiresAt ?? new Date(now.getTime() + request.ttlDays * 86_400_000),
    resource: request.oauth?.resource ?? null,
    oauth_family_id: request.oauth?.familyId ?? null,
  });
  await recordAgentChange(trx, principal, meta, agent, {
    action: 'token.created',
    targetType: 'token',
    targetId: row.id,
    details: { name: row.name, scopes: scopes ?? 'follows grants', via: request.via, expiresAt: row.expires_at.toISOString() },
  });
  return { secret: issued.secret, token: toTokenView(row, now) };
}

export async function createToken(
  deps: GatewayDeps,
  ctx: CallContext,
  rawInput: z.input<typeof CreateTokenInputSchema>,
): Promise<IssuedTokenView> {
  const principal = requireLauncher(ctx.principal);
  const input = parseInput(CreateTokenInputSchema, rawInput);
  return deps.db.transaction().execute(async (trx) => {
    const agent = await loadAgentFor(trx, principal, input.agentId, 'manage', true);
    return mintToken(deps, trx, principal, ctx.meta, {
      agent,
      name: input.name,
      scopes: input.scopes,
      ttlDays: input.expiresInDays ?? deps.config.tokens.defaultTtlDays,
      via: 'launcher',
      createdByUserId: principal.userId,
    });
  });
}

/**
 * The newest tokens of several agents the caller has already been shown (a page of `agents`, or
 * one `agent`), loaded in one batch. The ownership rule is applied again to each, from the agent
 * itself, so a nested list can never reach further than its parent.
 */
export async function listTokensOfAgents(
  deps: GatewayDeps,
  ctx: CallContext,
  agents: readonly AgentView[],
  first: number,
): Promise<(TokenView[] | Error)[]> {
  const principal = requireLauncher(ctx.principal);
  const limit = parseInput(NestedListSizeSchema, first);
  const readable = agents.filter((agent) => decideAgentAccess(principal, { owner_user_id: agent.ownerUserId }, 'read').allowed);
  const rows = await tokensRepo.listNewestTokensOfAgents(deps.db, readable.map((agent) => agent.id), limit);
  const now = deps.now();
  return agents.map((agent) =>
    readable.includes(agent)
      ? rows.filter((row) => row.agent_id === agent.id).map((row) => toTokenView(row, now))
      : forbidden('this agent belongs to another user'),
  );
}

export async function revokeToken(deps: GatewayDeps, ctx: CallContext, tokenId: string): Promise<TokenView> {
  const principal = requireLauncher(ctx.principal);
  const id = parseInput(z.uuid({ message: 'expected a token id (UUID)' }), tokenId);
  return deps.db.transaction().execute(async (trx) => {
    const token = await tokensRepo.findToken(trx, id);
    if (!token) throw notFound(`no token with id ${id}`);
    const agent = await loadAgentFor(trx, principal, token.agent_id, 'manage', true);
    const now = deps.now();
    // Revoking twice is not an error: the caller's intent (this token must not work) holds.
    const revoked = (await tokensRepo.revokeToken(trx, id, now)) ?? token;
    await deps.principalChanges.announce(trx, agent.id);
    await recordAgentChange(trx, principal, ctx.meta, agent, {
      action: 'token.revoked',
      targetType: 'token',
      targetId: id,
      details: { name: token.name, alreadyRevoked: token.revoked_at !== null },
    });
    return toTokenView(revoked, now);
  });
}
