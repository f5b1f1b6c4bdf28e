import { z } from 'zod';
import { recordAgentChange, recordAudit } from '../audit/audit-log.js';
import { markAudited } from '../audit/audited-errors.js';
import { generatePairingCode, hashPairingCode, normalizePairingCode } from '../auth/pairing-code.js';
import { type Scope, ScopeListSchema } from '../auth/scopes.js';
import * as agentsRepo from '../db/repositories/agents.js';
import * as grantsRepo from '../db/repositories/grants.js';
import * as pairingRepo from '../db/repositories/pairing-codes.js';
import type { PairingCodeRow } from '../db/tables.js';
import { badInput, conflict, forbidden, GatewayError, notFound } from '../errors/gateway-error.js';
import { parseInput } from '../errors/zod.js';
import { clientNetworkOf } from '../rate-limit/client-network.js';
import { loadAgentFor } from './agents.js';
import { type CallContext, type GatewayDeps, requireLauncher } from './context.js';
import { mintToken, TOKEN_NAME_MAX_LENGTH, TokenNameSchema, type IssuedTokenView } from './tokens.js';
import { type AgentView, type GrantView, toAgentView, toGrantView } from './views.js';

/** "<agent> (paired YYYY-MM-DD)", the agent's name shortened so the whole stays a valid token name. */
function defaultTokenName(displayName: string, now: Date): string {
  const suffix = ` (paired ${now.toISOString().slice(0, 10)})`;
  return `${displayName.slice(0, TOKEN_NAME_MAX_LENGTH - suffix.length).trimEnd()}${suffix}`;
}

export const CreatePairingCodeInputSchema = z.strictObject({
  agentId: z.string(),
  tokenName: TokenNameSchema.optional(),
  scopes: ScopeListSchema.optional(),
  tokenExpiresInDays: z.number().int().min(1).optional(),
});

export interface PairingCodeView {
  /** XXXX-XXXX, shown to the user once. */
  code: string;
  agent: AgentView;
  expiresAt: Date;
  scopes: Scope[] | null;
}

export async function createPairingCode(
  deps: GatewayDeps,
  ctx: CallContext,
  rawInput: z.input<typeof CreatePairingCodeInputSchema>,
): Promise<PairingCodeView> {
  const principal = requireLauncher(ctx.principal);
  const input = parseInput(CreatePairingCodeInputSchema, rawInput);
  const ttlDays = input.tokenExpiresInDays ?? deps.config.tokens.defaultTtlDays;
  if (ttlDays > deps.config.tokens.maxTtlDays) {
    throw badInput(`a token may live at most ${deps.config.tokens.maxTtlDays} days`, { field: 'tokenExpiresInDays' });
  }
  return deps.db.transaction().execute(async (trx) => {
    const agent = await loadAgentFor(trx, principal, input.agentId, 'manage', true);
    if (agent.status !== 'active') throw conflict('the agent is disabled; enable it before pairing');
    if (input.scopes) {
      const granted = new Set((await grantsRepo.listGrants(trx, agent.id)).flatMap((grant) => grant.scopes));
      const beyond = input.scopes.filter((scope) => !granted.has(scope));
      if (beyond.length > 0) {
        throw forbidden(`a token cannot carry scopes the agent is not granted: ${beyond.join(', ')}`, {
          field: 'scopes',
          notGranted: beyond,
        });
      }
    }
    const now = deps.now();
    await pairingRepo.retireExpiredPairingCodes(trx, now);
    const expiresAt = new Date(now.getTime() + deps.config.pairing.ttlSeconds * 1000);
    const open = new Set(
      (await trx.selectFrom('pairing_codes').select('selector').where('used_at', 'is', null).where('locked_at', 'is', null).execute()).map(
        (row) => row.selector,
      ),
    );
    let generated = generatePairingCode();
    // 160 000 selectors and a few open codes: a clash is rare, and a fresh draw resolves it.
    while (open.has(generated.selector)) generated = generatePairingCode();
    const row = await pairingRepo.insertPairingCode(trx, {
      agentId: agent.id,
      selector: generated.selector,
      codeHash: generated.hash,
      tokenName: input.tokenName ?? defaultTokenName(agent.display_name, now),
      scopes: input.scopes ?? null,
      tokenTtlDays: ttlDays,
      createdByUserId: principal.userId,
      expiresAt,
    });
    await recordAgentChange(trx, principal, ctx.meta, agent, {
      action: 'pairing_code.created',
      targetType: 'pairing_code',
      targetId: row.id,
      details: { expiresAt: expiresAt.toISOString(), scopes: input.scopes ?? 'all granted' },
    });
    return { code: generated.display, agent: toAgentView(agent), expiresAt, scopes: input.scopes ?? null };
  });
}

export const ExchangePairingCodeInputSchema = z.strictObject({
  code: z.string().max(64, { message: 'a pairing code is 8 letters' }),
  /** Optional name for the token the agent receives (shown in the Launcher). */
  tokenName: TokenNameSchema.optional(),
});

export interface PairingExchangeView extends IssuedTokenView {
  agent: AgentView;
  owner: { userId: string; email: string };
  grants: GrantView[];
}

type ExchangeOutcome =
  | { ok: true; result: PairingExchangeView }
  | { ok: false; error: GatewayError; code?: PairingCodeRow; audited?: true };

/**
 * Public: whoever holds the code gets the token. Refusals are audited and committed before the
 * error is raised, so a failed attempt always counts towards the lockout.
 */
export async function exchangePairingCode(
  deps: GatewayDeps,
  ctx: CallContext,
  rawInput: z.input<typeof ExchangePairingCodeInputSchema>,
): Promise<PairingExchangeView> {
  const refuse = async (error: GatewayError, code?: PairingCodeRow) => {
    // Filed under the agent's owner when the code is known, so the owner sees attempts on it.
    const agent = code ? await agentsRepo.findAgent(deps.db, code.agent_id) : undefined;
    await recordAudit(deps.db, ctx.principal, ctx.meta, {
      action: 'pairing_code.exchange_refused',
      outcome: 'denied',
      reason: error.message,
      agentId: code?.agent_id ?? null,
      ownerUserId: agent?.owner_user_id ?? null,
      targetType: 'pairing_code',
      targetId: code?.id ?? null,
    });
    markAudited(error);
    return error;
  };

  try {
    await deps.rateLimits.consume('pairing', clientNetworkOf(ctx.meta.clientAddress));
  } catch (error) {
    if (error instanceof GatewayError) throw await refuse(error);
    throw error;
  }
  const input = parseInput(ExchangePairingCodeInputSchema, rawInput);
  const normalized = normalizePairingCode(input.code);
  if (!normalized.ok) throw await refuse(badInput(`invalid pairing code: ${normalized.reason}`, { field: 'code' }));

  const outcome = await deps.db.transaction().execute(async (trx): Promise<ExchangeOutcome> => {
    const now = deps.now();
    const codeHash = hashPairingCode(normalized.code);
    const exact = await trx.selectFrom('pairing_codes').selectAll().where('code_hash', '=', codeHash).forUpdate().executeTakeFirst();

    if (!exact) {
      const noMatch = notFound('no pending pairing code matches; check the code or ask for a new one');
      const pending = await pairingRepo.findOpenPairingCodeBySelectorForUpdate(trx, normalized.selector);
      if (pending && pending.expires_at > now) {
        const after = await pairingRepo.recordFailedPairingAttempt(trx, pending.id, deps.config.pairing.maxFailedAttempts, now);
        const locked = after.locked_at !== null;
        const owner = await agentsRepo.findAgent(trx, pending.agent_id);
        await recordAudit(trx, ctx.principal, ctx.meta, {
          action: 'pairing_code.exchange_refused',
          outcome: 'denied',
          reason: locked ? 'wrong code; the pending code is now locked' : 'wrong code',
          agentId: pending.agent_id,
          ownerUserId: owner?.owner_user_id ?? null,
          targetType: 'pairing_code',
          targetId: pending.id,
          details: { failedAttempts: after.failed_attempts },
        });
        return { ok: false, error: noMatch, audited: true };
      }
      return { ok: false, error: noMatch };
    }
    if (exact.used_at !== null) return { ok: false, error: conflict('this pairing code was already used; ask for a new one'), code: exact };
    if (exact.locked_at !== null && exact.expires_at > exact.locked_at) {
      return { ok: false, error: forbidden('this pairing code is locked after too many failed attempts; ask for a new one'), code: exact };
    }
    if (exact.locked_at !== null || exact.expires_at <= now) {
      return { ok: false, error: notFound('this pairing code has expired; ask for a new one'), code: exact };
    }

    const agent = await agentsRepo.findAgentForUpdate(trx, exact.agent_id);
    if (!agent) return { ok: false, error: notFound('the agent of this pairing code no longer exists') };
    let issued: IssuedTokenView;
    try {
      issued = await mintToken(deps, trx, ctx.principal, ctx.meta, {
        agent,
        name: input.tokenName ?? exact.token_name,
        scopes: exact.scopes ?? undefined,
        ttlDays: exact.token_ttl_days,
        via: 'pairing',
        createdByUserId: exact.created_by_user_id,
      });
    } catch (error) {
      // mintToken refuses before it writes anything (agent disabled, scopes no longer granted),
      // so the refusal can be recorded like any other; the code stays usable.
      if (error instanceof GatewayError) return { ok: false, error, code: exact };
      throw error;
    }
    await pairingRepo.markPairingCodeUsed(trx, exact.id, issued.token.id, now);
    await recordAgentChange(trx, ctx.principal, ctx.meta, agent, {
      action: 'pairing_code.exchanged',
      targetType: 'pairing_code',
      targetId: exact.id,
      details: { tokenId: issued.token.id },
    });
    // What this token can do: the grants, narrowed by the token's own scopes when it has them.
    const tokenScopes = issued.token.scopes;
    const grants = (await grantsRepo.listGrants(trx, agent.id))
      .map(toGrantView)
      .map((grant) => (tokenScopes === null ? grant : { ...grant, scopes: grant.scopes.filter((scope) => tokenScopes.includes(scope)) }))
      .filter((grant) => grant.scopes.length > 0);
    return {
      ok: true,
      result: {
        ...issued,
        agent: toAgentView(agent),
        owner: { userId: agent.owner_user_id, email: agent.owner_email },
        grants,
      },
    };
  });

  if (outcome.ok) return outcome.result;
  if (outcome.audited) {
    markAudited(outcome.error);
    throw outcome.error;
  }
  throw await refuse(outcome.error, outcome.code);
}
