import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ScopeAuthPlugin, { type AuthFailure } from '@pothos/plugin-scope-auth';
import ZodPlugin from '@pothos/plugin-zod';
import type { AgentAccess } from '../auth/policy.js';
import { agentScopes, type Principal } from '../auth/principal.js';
import type { Scope } from '../auth/scopes.js';
import { decideAgentAccess } from '../auth/policy.js';
import * as agentsRepo from '../db/repositories/agents.js';
import * as tokensRepo from '../db/repositories/tokens.js';
import { forbidden, GatewayError, unauthenticated } from '../errors/gateway-error.js';
import { zodToGatewayError } from '../errors/zod.js';
import type { CallContext, GatewayDeps } from '../resolvers/context.js';

/**
 * The one Pothos builder: plugins, context and scope types. GraphQL types live in the domain files
 * beside it. Scope auth runs first so no other plugin's wrapper executes before authorization.
 * Dataloader batches nested lists (an agent's tokens and grants); complexity holds each field's
 * cost, which src/http/plugins/use-document-limits.ts adds up and bounds before execution.
 */
export interface GraphQLContext extends CallContext {
  deps: GatewayDeps;
}

export interface AuthScopes {
  /** Any caller, including anonymous ones (pairing code exchange). */
  public: boolean;
  launcher: boolean;
  agent: boolean;
  /** The agent's token carries this scope on at least one granted project. */
  agentScope: Scope;
  /** The Launcher principal may read or manage this agent (src/auth/policy.ts). */
  agentAccess: { agentId: string; access: AgentAccess };
  /** The Launcher principal may manage the agent this token belongs to. */
  tokenAccess: string;
}

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  AuthScopes: AuthScopes;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  plugins: [ScopeAuthPlugin, DataloaderPlugin, ComplexityPlugin, ZodPlugin],
  defaultFieldNullability: false,
  // Costs only; the budget is enforced during validation with the request's variables.
  complexity: { defaultComplexity: 1, defaultListMultiplier: 10 },
  scopeAuth: {
    // Resolver errors inside a scope loader (a database hiccup) are failures, not silent denials.
    treatErrorsAsUnauthorized: false,
    authScopes: async (context) => ({
      public: true,
      launcher: context.principal.kind === 'launcher',
      agent: context.principal.kind === 'agent',
      agentScope: (scope) => context.principal.kind === 'agent' && agentScopes(context.principal).has(scope),
      agentAccess: async ({ agentId, access }) => {
        if (context.principal.kind !== 'launcher') return false;
        const agent = await findAgentIfValidId(context, agentId);
        // A missing agent has nothing to protect: the resolver answers NOT_FOUND.
        return agent === undefined || decideAgentAccess(context.principal, agent, access).allowed;
      },
      tokenAccess: async (tokenId) => {
        if (context.principal.kind !== 'launcher') return false;
        if (!isUuid(tokenId)) return true;
        const token = await tokensRepo.findToken(context.deps.db, tokenId);
        const agent = token && (await agentsRepo.findAgent(context.deps.db, token.agent_id));
        return !agent || decideAgentAccess(context.principal, agent, 'manage').allowed;
      },
    }),
    unauthorizedError: (_parent, context, _info, result) => authorizationError(context.principal, result.failure),
  },
  zod: {
    validationError: (error) => zodToGatewayError(error),
  },
});

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (value: string) => UUID_PATTERN.test(value);

async function findAgentIfValidId(context: GraphQLContext, agentId: string) {
  // A malformed id is the resolver's to refuse with BAD_USER_INPUT; here it guards nothing.
  return isUuid(agentId) ? agentsRepo.findAgent(context.deps.db, agentId) : undefined;
}

/** Anonymous callers are UNAUTHENTICATED (with the reason their credential was refused); others FORBIDDEN. */
export function authorizationError(principal: Principal, failure: AuthFailure): GatewayError {
  if (principal.kind === 'anonymous') {
    return unauthenticated(principal.rejection?.message ?? 'credentials are required: send Authorization: Bearer <token>');
  }
  return forbidden(describeFailure(principal, failure));
}

function describeFailure(principal: Principal, failure: AuthFailure): string {
  switch (failure.kind) {
    case 'AuthScope':
      return describeScope(principal, failure.scope, failure.parameter);
    case 'AnyAuthScopes':
    case 'AllAuthScopes':
      return failure.failures.map((inner) => describeFailure(principal, inner)).join('; ');
    default:
      return 'not allowed';
  }
}

function describeScope(principal: Principal, scope: string, parameter: unknown): string {
  switch (scope) {
    case 'launcher':
      return 'this operation is for the NODE.DC Launcher, not for agent tokens';
    case 'agent':
      return 'this operation needs an agent token, not a Launcher token';
    case 'agentScope':
      return principal.kind === 'agent'
        ? `the agent's token does not carry ${String(parameter)} on any granted project; ask its owner to grant it`
        : `this operation needs an agent token with the scope ${String(parameter)}`;
    case 'agentAccess':
    case 'tokenAccess':
      return principal.kind === 'launcher' ? 'this agent belongs to another user' : 'this operation is for the NODE.DC Launcher';
    default:
      return `missing authorization scope ${scope}`;
  }
}
