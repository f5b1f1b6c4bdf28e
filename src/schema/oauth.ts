import * as connections from '../oauth/connections.js';
import * as consent from '../oauth/consent.js';
import { builder } from './builder.js';
import { argSchema, ScopeEnum, withoutNulls } from './scalars.js';

/**
 * OAuth sign-in as the Launcher sees it: the consent screen reads a pending request and approves or
 * denies it with the person's own JWT; the agent page lists and revokes the applications connected
 * to an agent. The answers to a decision are where to send the browser next.
 */
const OAuthConsentRequest = builder.objectRef<consent.ConsentRequestView>('OAuthConsentRequest').implement({
  description: 'An application asking to act as one of your agents, waiting for your decision (10 minutes).',
  fields: (t) => ({
    clientId: t.exposeString('clientId', { description: 'Its client id: a metadata document URL, or a configured or registered id.' }),
    clientName: t.exposeString('clientName'),
    clientUri: t.exposeString('clientUri', { nullable: true }),
    logoUri: t.exposeString('logoUri', { nullable: true }),
    redirectHost: t.exposeString('redirectHost', { description: 'Where the browser returns after the decision.' }),
    requestedScopes: t.field({ type: [ScopeEnum], resolve: (request) => request.requestedScopes }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
  }),
});

const OAuthDecision = builder.objectRef<{ redirectUrl: string }>('OAuthDecision').implement({
  description: 'Send the browser here: back to the application, with a code or with the denial.',
  fields: (t) => ({ redirectUrl: t.exposeString('redirectUrl') }),
});

const OAuthConnection = builder.objectRef<connections.OAuthConnectionView>('OAuthConnection').implement({
  description: 'An application connected to an agent by OAuth sign-in (one token family).',
  fields: (t) => ({
    id: t.exposeID('id'),
    agentId: t.exposeID('agentId'),
    clientId: t.exposeString('clientId'),
    clientName: t.exposeString('clientName'),
    resource: t.exposeString('resource'),
    scopes: t.field({ type: [ScopeEnum], resolve: (connection) => connection.scopes }),
    connectedAt: t.expose('connectedAt', { type: 'DateTime' }),
    lastRefreshedAt: t.expose('lastRefreshedAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

const OAuthGrantInput = builder.inputType('OAuthGrantInput', {
  fields: (t) => ({
    projectId: t.string({ required: true }),
    scopes: t.field({ type: [ScopeEnum], required: true, description: 'Among the scopes the application asked for.' }),
  }),
});

const ApproveOAuthRequestInput = builder.inputType('ApproveOAuthRequestInput', {
  fields: (t) => ({
    request: t.string({ required: true, description: 'The handle from the consent link (?request=…).' }),
    agentId: t.id({ description: 'An agent of yours to connect; or name a new one.' }),
    newAgentName: t.string(),
    grants: t.field({ type: [OAuthGrantInput], description: 'Projects and scopes to grant (added to what the agent holds). Without it, the agent’s current grants serve.' }),
  }),
});

builder.queryFields((t) => ({
  oauthConsentRequest: t.field({
    type: OAuthConsentRequest,
    authScopes: { launcher: true },
    args: { request: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => consent.readConsentRequest(ctx.deps, ctx, args.request),
  }),
  oauthConnections: t.field({
    type: [OAuthConnection],
    authScopes: (_root, args) => ({ agentAccess: { agentId: String(args.agentId), access: 'read' } }),
    args: { agentId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => connections.listOAuthConnections(ctx.deps, ctx, String(args.agentId)),
  }),
}));

builder.mutationFields((t) => ({
  approveOAuthRequest: t.field({
    type: OAuthDecision,
    authScopes: { launcher: true },
    args: { input: t.arg({ type: ApproveOAuthRequestInput, required: true, validate: { schema: argSchema(consent.ApproveInputSchema) } }) },
    resolve: (_root, args, ctx) => {
      const input = withoutNulls(args.input);
      return consent.approveConsentRequest(ctx.deps, ctx, {
        ...input,
        ...(input.agentId !== undefined ? { agentId: String(input.agentId) } : {}),
        ...(input.grants ? { grants: input.grants.map((grant) => ({ projectId: grant.projectId, scopes: grant.scopes })) } : {}),
      });
    },
  }),
  denyOAuthRequest: t.field({
    type: OAuthDecision,
    authScopes: { launcher: true },
    args: { request: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => consent.denyConsentRequest(ctx.deps, ctx, args.request),
  }),
  revokeOAuthConnection: t.field({
    type: OAuthConnection,
    authScopes: { launcher: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => connections.revokeOAuthConnection(ctx.deps, ctx, String(args.id)),
  }),
}));
