import { sql } from 'kysely';
import { z } from 'zod';
import { type Scope, SCOPE_DESCRIPTIONS, SCOPES, ScopeListSchema } from '../../auth/scopes.js';
import { badInput } from '../../errors/gateway-error.js';
import { assertWellFormedText, parseInput } from '../../errors/zod.js';
import * as agents from '../../resolvers/agents.js';
import type { CallContext, GatewayDeps } from '../../resolvers/context.js';
import * as session from '../../resolvers/session.js';
import * as tokens from '../../resolvers/tokens.js';
import type { AgentView, TokenView } from '../../resolvers/views.js';
import { jsonResponse } from '../errors.js';

/**
 * The REST paths the earlier prototype's clients use. Thin: parse the snake_case body, call the
 * same service the GraphQL field calls, render the snake_case answer.
 */
export interface RestRoute {
  method: 'GET' | 'POST';
  pattern: RegExp;
  /**
   * Who may call it. The router checks this before the handler reads anything, so a caller
   * without the right credential hears 401/403 before any word about its body.
   */
  principal: 'anyone' | 'launcher' | 'agent';
  /** The agent scope the route needs on some granted project, if any (agent routes only). */
  scope: Scope | null;
  /** Routes that read the database or need a principal get the call context. */
  handle(request: Request, params: string[], ctx: CallContext, deps: GatewayDeps): Promise<Response>;
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badInput('the path holds a malformed percent-escape');
  }
}

/** The router has already bounded the body (http/bounded-body.ts); here it only has to be JSON. */
async function readJson(request: Request): Promise<unknown> {
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    throw badInput('the request body is not valid JSON');
  }
  // The whole body, fields a route ignores included: NUL or a lone surrogate is refused anywhere.
  assertWellFormedText(body);
  return body;
}

const renderAgent = (agent: AgentView) => ({
  id: agent.id,
  owner_user_id: agent.ownerUserId,
  owner_email: agent.ownerEmail,
  display_name: agent.displayName,
  status: agent.status,
  created_at: agent.createdAt.toISOString(),
  updated_at: agent.updatedAt.toISOString(),
});

const renderToken = (token: TokenView) => ({
  id: token.id,
  agent_id: token.agentId,
  name: token.name,
  display_prefix: token.displayPrefix,
  last_characters: token.lastCharacters,
  scopes: token.scopes,
  status: token.status,
  created_at: token.createdAt.toISOString(),
  expires_at: token.expiresAt.toISOString(),
});

const CreateAgentBody = z.strictObject({
  owner_user_id: z.string(),
  owner_email: z.string(),
  display_name: z.string(),
});

const CreateTokenBody = z.strictObject({
  name: z.string(),
  scopes: ScopeListSchema.optional(),
  expires_in_days: z.number().int().optional(),
});

export const REST_ROUTES: RestRoute[] = [
  {
    method: 'GET',
    pattern: /^\/healthz$/,
    principal: 'anyone',
    scope: null,
    handle: async () => jsonResponse(200, { status: 'ok' }),
  },
  {
    method: 'GET',
    pattern: /^\/readyz$/,
    principal: 'anyone',
    scope: null,
    handle: async (_request, _params, _ctx, deps) => {
      // Only the database decides: Tasker is reported (from the gateway's own calls), never a reason
      // to take the gateway out of its load balancer for an upstream blip.
      const tasker = deps.taskerReachability();
      try {
        await sql`select 1`.execute(deps.db);
        return jsonResponse(200, { status: 'ready', checks: { database: 'ok', tasker } });
      } catch {
        return jsonResponse(503, { status: 'unavailable', checks: { database: 'unreachable', tasker } });
      }
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v1\/meta\/capabilities$/,
    principal: 'anyone',
    scope: null,
    handle: async () =>
      jsonResponse(200, {
        service: 'nodedc-tasker-agent-gateway',
        api_version: 'v1',
        scopes: SCOPES.map((scope) => ({ name: scope, description: SCOPE_DESCRIPTIONS[scope] })),
        auth: {
          launcher: 'Authorization: Bearer <short-lived Launcher JWT>',
          agent: 'Authorization: Bearer ndcag_<token>',
        },
        endpoints: { graphql: '/graphql', mcp: '/mcp' },
      }),
  },
  {
    method: 'POST',
    pattern: /^\/api\/v1\/agents$/,
    principal: 'launcher',
    scope: null,
    handle: async (request, _params, ctx, deps) => {
      const body = parseInput(CreateAgentBody, await readJson(request));
      const agent = await agents.createAgent(deps, ctx, {
        ownerUserId: body.owner_user_id,
        ownerEmail: body.owner_email,
        displayName: body.display_name,
      });
      return jsonResponse(201, renderAgent(agent));
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/v1\/agents\/([^/]+)\/tokens$/,
    principal: 'launcher',
    scope: null,
    handle: async (request, [agentId = ''], ctx, deps) => {
      const body = parseInput(CreateTokenBody, await readJson(request));
      const issued = await tokens.createToken(deps, ctx, {
        agentId: decodePathSegment(agentId),
        name: body.name,
        ...(body.scopes ? { scopes: body.scopes } : {}),
        ...(body.expires_in_days !== undefined ? { expiresInDays: body.expires_in_days } : {}),
      });
      return jsonResponse(201, { token: issued.secret, ...renderToken(issued.token) });
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v1\/agent-session$/,
    principal: 'agent',
    scope: null,
    handle: async (_request, _params, ctx, deps) => {
      const view = await session.agentSession(deps, ctx);
      return jsonResponse(200, {
        agent: { id: view.agent.id, display_name: view.agent.displayName },
        owner: { user_id: view.owner.userId, email: view.owner.email },
        token_id: view.tokenId,
        scopes: view.scopes,
        grants: view.grants.map((grant) => ({ project_id: grant.projectId, scopes: grant.scopes })),
      });
    },
  },
];
