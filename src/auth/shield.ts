import type { GraphQLSchema } from 'graphql';
import { applyMiddleware, type IMiddlewareTypeMap } from 'graphql-middleware';
import { allow, deny, rule, shield } from 'graphql-shield';
import type { IRules } from 'graphql-shield';
import { forbidden, unauthenticated } from '../errors/gateway-error.js';
import type { GraphQLContext } from '../schema/builder.js';

/**
 * The second, independent authorization layer: graphql-shield keyed on principal kind, deny by
 * default. A root field without a rule here is unreachable, whatever its Pothos scopes say; the
 * Pothos layer then decides the finer questions (which scope, which agent).
 */
const isLauncher = rule({ cache: 'contextual' })((_parent, _args, ctx: GraphQLContext) => {
  if (ctx.principal.kind === 'launcher') return true;
  if (ctx.principal.kind === 'agent') return forbidden('this operation is for the NODE.DC Launcher, not for agent tokens');
  return unauthenticated(ctx.principal.rejection?.message ?? 'a Launcher token (Authorization: Bearer <JWT>) is required');
});

const isAgent = rule({ cache: 'contextual' })((_parent, _args, ctx: GraphQLContext) => {
  if (ctx.principal.kind === 'agent') return true;
  if (ctx.principal.kind === 'launcher') return forbidden('this operation needs an agent token, not a Launcher token');
  return unauthenticated(ctx.principal.rejection?.message ?? 'an agent token (Authorization: Bearer ndcag_...) is required');
});

export const ROOT_RULES = {
  Query: {
    me: isLauncher,
    agents: isLauncher,
    agent: isLauncher,
    auditEvents: isLauncher,
    agentSession: isAgent,
    projects: isAgent,
    resolveProject: isAgent,
    projectContext: isAgent,
    issues: isAgent,
    searchIssues: isAgent,
    issue: isAgent,
    oauthConsentRequest: isLauncher,
    oauthConnections: isLauncher,
    issueComments: isAgent,
    issueActivity: isAgent,
    issueRelations: isAgent,
    issueLinks: isAgent,
    projectPlanning: isAgent,
  },
  Mutation: {
    createAgent: isLauncher,
    renameAgent: isLauncher,
    disableAgent: isLauncher,
    enableAgent: isLauncher,
    deleteAgent: isLauncher,
    setGrant: isLauncher,
    removeGrant: isLauncher,
    createToken: isLauncher,
    revokeToken: isLauncher,
    createPairingCode: isLauncher,
    // Public by design: the code itself is the credential, rate-limited per client address.
    exchangePairingCode: allow,
    createIssue: isAgent,
    updateIssue: isAgent,
    moveIssue: isAgent,
    addComment: isAgent,
    setIssueLabels: isAgent,
    setIssueAssignees: isAgent,
    approveOAuthRequest: isLauncher,
    denyOAuthRequest: isLauncher,
    revokeOAuthConnection: isLauncher,
    relateIssues: isAgent,
    linkIssue: isAgent,
    planIssue: isAgent,
  },
} as const;

/**
 * Shield on the root fields only. Every other field is reachable only through a root field that
 * passed both layers, so it needs no rule; wrapping it anyway (as `applyMiddleware` with the whole
 * rule tree does) turned every field of every answer into an async rule check, a third of the
 * executor's work on an agent read. A root type without rules (a future Subscription) gets the
 * fallback: deny.
 */
export function withShield(schema: GraphQLSchema): GraphQLSchema {
  const permissions = shield(ROOT_RULES as IRules, {
    fallbackRule: deny,
    fallbackError: () => forbidden('this field is not open to any caller'),
    // Our resolvers throw GatewayErrors on purpose; shield must pass them through untouched.
    allowExternalErrors: true,
  });
  // Shield generates middleware for every object type (the fallback where it has no rule); keep the roots'.
  const generated = permissions.generate(schema) as IMiddlewareTypeMap;
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((root) => root != null);
  return applyMiddleware(schema, Object.fromEntries(roots.map((root) => [root.name, generated[root.name]!])));
}
