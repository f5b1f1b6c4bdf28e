import { z } from 'zod';
import { recordAudit } from '../audit/audit-log.js';
import { markAudited } from '../audit/audited-errors.js';
import { type Scope, ScopeListSchema, sortScopes } from '../auth/scopes.js';
import * as grantsRepo from '../db/repositories/grants.js';
import * as codesRepo from '../db/repositories/oauth-codes.js';
import * as requestsRepo from '../db/repositories/oauth-requests.js';
import type { Executor } from '../db/database.js';
import type { OAuthRequestRow } from '../db/tables.js';
import { badInput, conflict, notFound } from '../errors/gateway-error.js';
import { parseInput } from '../errors/zod.js';
import { createAgent, DisplayNameSchema, loadAgentFor } from '../resolvers/agents.js';
import { type CallContext, type GatewayDeps, requireLauncher } from '../resolvers/context.js';
import { ProjectIdSchema, setGrant } from '../resolvers/grants.js';
import { clientRedirect } from './deps.js';
import { redirectHost } from './redirect-uris.js';
import { hashOAuthSecret, newOAuthSecret } from './secrets.js';

/**
 * The person's decision on a pending authorization request, made in the Launcher with their own
 * JWT: read what asks for access, then approve (for an existing agent of theirs or a new one, with
 * projects and scopes) or deny. Either way the answer is where to send the browser next: the
 * client's redirect URI with a code, or with `access_denied`. A request is decided once, within 10
 * minutes; any other attempt is refused and audited.
 */
export const AUTHORIZATION_CODE_TTL_MS = 2 * 60 * 1000;

export interface ConsentRequestView {
  clientId: string;
  clientName: string;
  clientUri: string | null;
  logoUri: string | null;
  redirectHost: string;
  requestedScopes: Scope[];
  expiresAt: Date;
}

const HandleSchema = z.string().regex(/^ndcoa_[A-Za-z0-9_-]{43}$/, { message: 'expected the request handle from the consent link' });

export const ApproveInputSchema = z.strictObject({
  request: HandleSchema,
  agentId: z.string().optional(),
  newAgentName: DisplayNameSchema.optional(),
  grants: z.array(z.strictObject({ projectId: ProjectIdSchema, scopes: ScopeListSchema })).max(100).optional(),
});

async function refuse(deps: GatewayDeps, ctx: CallContext, row: OAuthRequestRow | undefined, reason: string): Promise<void> {
  await recordAudit(deps.db, ctx.principal, ctx.meta, {
    action: 'oauth.consent',
    outcome: 'denied',
    reason,
    ...(row ? { targetType: 'oauth_request', targetId: row.id, details: { clientId: row.client_id } } : {}),
  });
}

async function refuseWith(deps: GatewayDeps, ctx: CallContext, refusal: Refusal): Promise<never> {
  await refuse(deps, ctx, refusal.row, refusal.reason);
  // Recorded here, with the request it was about; the GraphQL refusal audit must not record it again.
  markAudited(refusal.error);
  throw refusal.error;
}

type Refusal = { error: Error; reason: string; row: OAuthRequestRow | undefined };

function whyNotPending(row: OAuthRequestRow | undefined, now: Date): Refusal | undefined {
  if (!row) return { row, reason: 'NOT_FOUND: unknown authorization request', error: notFound('no such authorization request; start the sign-in again from the application') };
  if (row.status !== 'pending') {
    return { row, reason: `CONFLICT: authorization request already ${row.status}`, error: conflict(`this authorization request was already ${row.status}; start the sign-in again from the application`) };
  }
  if (row.expires_at <= now) {
    return { row, reason: 'CONFLICT: authorization request expired', error: conflict('this authorization request has expired (10 minutes); start the sign-in again from the application') };
  }
  return undefined;
}

/** The pending request behind a handle, or a refusal (unknown, expired, already decided), audited. */
async function pendingRequest(deps: GatewayDeps, ctx: CallContext, handle: string): Promise<OAuthRequestRow> {
  const row = await requestsRepo.findRequestByHandle(deps.db, hashOAuthSecret(parseInput(HandleSchema, handle)));
  const refusal = whyNotPending(row, deps.now());
  if (refusal) return refuseWith(deps, ctx, refusal);
  return row!;
}

/**
 * Decides a request inside a transaction that holds its row, so two decisions cannot both win.
 * A refusal found there is audited after the transaction, which it must not be part of.
 */
async function decide<T>(deps: GatewayDeps, ctx: CallContext, handle: string, body: (trx: Executor, row: OAuthRequestRow) => Promise<T>): Promise<T> {
  await pendingRequest(deps, ctx, handle);
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const row = await requestsRepo.findRequestByHandle(trx, hashOAuthSecret(handle), true);
    const refusal = whyNotPending(row, deps.now());
    if (refusal) return { refused: refusal };
    return { value: await body(trx, row!) };
  });
  if (outcome.refused) return refuseWith(deps, ctx, outcome.refused);
  return outcome.value as T;
}

export async function readConsentRequest(deps: GatewayDeps, ctx: CallContext, handle: string): Promise<ConsentRequestView> {
  requireLauncher(ctx.principal);
  const row = await pendingRequest(deps, ctx, handle);
  return {
    clientId: row.client_id,
    clientName: row.client_name,
    clientUri: row.client_uri,
    logoUri: row.logo_uri,
    redirectHost: redirectHost(row.redirect_uri),
    requestedScopes: sortScopes(row.scopes),
    expiresAt: row.expires_at,
  };
}

export async function approveConsentRequest(deps: GatewayDeps, ctx: CallContext, rawInput: z.input<typeof ApproveInputSchema>): Promise<{ redirectUrl: string }> {
  const principal = requireLauncher(ctx.principal);
  const input = parseInput(ApproveInputSchema, rawInput);
  if ((input.agentId === undefined) === (input.newAgentName === undefined)) {
    throw badInput('choose an existing agent (agentId) or name a new one (newAgentName)', { field: 'agentId' });
  }
  const row = await pendingRequest(deps, ctx, input.request);
  const requested = new Set(row.scopes);
  for (const grant of input.grants ?? []) {
    const beyond = grant.scopes.filter((scope) => !requested.has(scope));
    if (beyond.length > 0) throw badInput(`the application did not ask for ${beyond.join(', ')}`, { field: 'grants', projectId: grant.projectId });
  }

  const agentId = input.agentId ?? (await createAgent(deps, ctx, { displayName: input.newAgentName! })).id;
  const agent = await loadAgentFor(deps.db, principal, agentId, 'manage');
  // Consent adds to what the agent holds on a project; it never takes a scope away.
  for (const grant of input.grants ?? []) {
    const existing = (await grantsRepo.listGrants(deps.db, agent.id)).find((held) => held.tasker_project_id === grant.projectId);
    await setGrant(deps, ctx, { agentId: agent.id, projectId: grant.projectId, scopes: sortScopes([...(existing?.scopes ?? []), ...grant.scopes]) });
  }
  const tokenScopes = input.grants
    ? sortScopes(input.grants.flatMap((grant) => grant.scopes))
    : sortScopes((await grantsRepo.listGrants(deps.db, agent.id)).flatMap((grant) => grant.scopes).filter((scope) => requested.has(scope)));
  if (tokenScopes.length === 0) throw badInput('grant at least one project and scope', { field: 'grants' });

  return decide(deps, ctx, input.request, async (trx, locked) => {
    const now = deps.now();
    await requestsRepo.decideRequest(trx, locked.id, { status: 'approved', decidedByUserId: principal.userId, decidedAt: now, agentId: agent.id, grantedScopes: tokenScopes });
    const code = newOAuthSecret('code');
    await codesRepo.insertCode(trx, { codeHash: code.hash, requestId: locked.id, createdAt: now, expiresAt: new Date(now.getTime() + AUTHORIZATION_CODE_TTL_MS) });
    await recordAudit(trx, principal, ctx.meta, {
      action: 'oauth.consent',
      outcome: 'succeeded',
      agentId: agent.id,
      ownerUserId: agent.owner_user_id,
      targetType: 'oauth_request',
      targetId: locked.id,
      details: { clientId: locked.client_id, clientName: locked.client_name, scopes: tokenScopes, decision: 'approved' },
    });
    return { redirectUrl: clientRedirect(locked.redirect_uri, { code: code.secret, state: locked.state, iss: locked.issuer }) };
  });
}

export async function denyConsentRequest(deps: GatewayDeps, ctx: CallContext, handle: string): Promise<{ redirectUrl: string }> {
  const principal = requireLauncher(ctx.principal);
  return decide(deps, ctx, handle, async (trx, row) => {
    await requestsRepo.decideRequest(trx, row.id, { status: 'denied', decidedByUserId: principal.userId, decidedAt: deps.now() });
    await recordAudit(trx, principal, ctx.meta, {
      action: 'oauth.consent',
      outcome: 'denied',
      reason: 'access_denied: the person declined',
      targetType: 'oauth_request',
      targetId: row.id,
      details: { clientId: row.client_id, clientName: row.client_name, decision: 'denied' },
    });
    return {
      redirectUrl: clientRedirect(row.redirect_uri, { error: 'access_denied', error_description: 'the person declined the request', state: row.state, iss: row.issuer }),
    };
  });
}
