import * as agents from '../resolvers/agents.js';
import * as grants from '../resolvers/grants.js';
import * as tokens from '../resolvers/tokens.js';
import { DEFAULT_NESTED_LIST_SIZE, DEFAULT_PAGE_SIZE } from '../resolvers/pagination.js';
import type { AgentView, GrantView, TokenView } from '../resolvers/views.js';
import { builder } from './builder.js';
import { argSchema, PageInfo, ScopeEnum, withoutNulls } from './scalars.js';

export const AgentStatusEnum = builder.enumType('AgentStatus', { values: ['active', 'disabled'] as const });
export const TokenStatusEnum = builder.enumType('TokenStatus', { values: ['active', 'expired', 'revoked'] as const });
export const TokenOriginEnum = builder.enumType('TokenOrigin', { values: ['launcher', 'pairing', 'oauth'] as const });

export const Grant = builder.objectRef<GrantView>('Grant').implement({
  description: 'A Tasker project the agent may work in, with the scopes it may use there.',
  fields: (t) => ({
    projectId: t.exposeString('projectId', { description: 'Tasker project id.' }),
    scopes: t.field({ type: [ScopeEnum], resolve: (grant) => grant.scopes }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

export const AgentToken = builder.objectRef<TokenView>('AgentToken').implement({
  description: 'An agent credential. Only recognisable fragments are shown; the secret is never stored.',
  fields: (t) => ({
    id: t.exposeID('id'),
    agentId: t.exposeID('agentId'),
    name: t.exposeString('name'),
    displayPrefix: t.exposeString('displayPrefix'),
    lastCharacters: t.exposeString('lastCharacters'),
    scopes: t.field({
      type: [ScopeEnum],
      nullable: true,
      description: 'The scopes this token is limited to; null means it follows the agent’s grants as they change.',
      resolve: (token) => token.scopes,
    }),
    createdVia: t.field({ type: TokenOriginEnum, resolve: (token) => token.createdVia }),
    status: t.field({ type: TokenStatusEnum, resolve: (token) => token.status }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
  }),
});

export const Agent = builder.objectRef<AgentView>('Agent').implement({
  description: 'An agent identity owned by a platform user; Tasker records its actions as its own.',
  fields: (t) => ({
    id: t.exposeID('id'),
    displayName: t.exposeString('displayName'),
    ownerUserId: t.exposeString('ownerUserId'),
    ownerEmail: t.exposeString('ownerEmail'),
    status: t.field({ type: AgentStatusEnum, resolve: (agent) => agent.status }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    grants: t.loadableList({
      type: Grant,
      description: 'The projects the agent may work in, by project id; at most `first` (1–100, default 20).',
      args: { first: t.arg.int({ defaultValue: DEFAULT_NESTED_LIST_SIZE }) },
      // Every agent in a page asks in the same batch: one query for the whole list, not one per agent.
      byPath: true,
      load: (agents: AgentView[], ctx, args) => grants.listGrantsOfAgents(ctx.deps, ctx, agents, args.first ?? DEFAULT_NESTED_LIST_SIZE),
      resolve: (agent) => agent,
      complexity: (args) => ({ field: 1, multiplier: args.first ?? DEFAULT_NESTED_LIST_SIZE }),
    }),
    tokens: t.loadableList({
      type: AgentToken,
      description: 'The agent’s newest tokens first; at most `first` (1–100, default 20).',
      args: { first: t.arg.int({ defaultValue: DEFAULT_NESTED_LIST_SIZE }) },
      byPath: true,
      load: (agents: AgentView[], ctx, args) => tokens.listTokensOfAgents(ctx.deps, ctx, agents, args.first ?? DEFAULT_NESTED_LIST_SIZE),
      resolve: (agent) => agent,
      complexity: (args) => ({ field: 1, multiplier: args.first ?? DEFAULT_NESTED_LIST_SIZE }),
    }),
  }),
});

const AgentConnection = builder
  .objectRef<{ nodes: AgentView[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }>('AgentConnection')
  .implement({
    fields: (t) => ({
      // The page size is already the multiplier of `agents`; the nodes list adds none of its own.
      nodes: t.field({ type: [Agent], complexity: { field: 1, multiplier: 1 }, resolve: (page) => page.nodes }),
      pageInfo: t.field({ type: PageInfo, resolve: (page) => page.pageInfo }),
    }),
  });

const CreatedToken = builder.objectRef<tokens.IssuedTokenView>('CreatedToken').implement({
  description: 'A new token. `secret` is shown this once; store it now.',
  fields: (t) => ({
    secret: t.exposeString('secret'),
    token: t.field({ type: AgentToken, resolve: (issued) => issued.token }),
  }),
});

const DeletedAgent = builder.objectRef<{ id: string }>('DeletedAgent').implement({
  fields: (t) => ({ id: t.exposeID('id') }),
});

const CreateAgentInput = builder.inputType('CreateAgentInput', {
  fields: (t) => ({
    displayName: t.string({ required: true }),
    ownerUserId: t.string({ description: 'Defaults to the caller; only admins may name someone else.' }),
    ownerEmail: t.string({ description: 'Defaults to the caller; only admins may name someone else.' }),
  }),
});

const SetGrantInput = builder.inputType('SetGrantInput', {
  fields: (t) => ({
    agentId: t.id({ required: true }),
    projectId: t.string({ required: true, description: 'Tasker project id.' }),
    scopes: t.field({ type: [ScopeEnum], required: true }),
  }),
});

const CreateTokenInput = builder.inputType('CreateTokenInput', {
  fields: (t) => ({
    agentId: t.id({ required: true }),
    name: t.string({ required: true }),
    scopes: t.field({ type: [ScopeEnum], description: 'Limits the token to these scopes; left out, it follows the agent’s grants.' }),
    expiresInDays: t.int({ description: 'Defaults to the configured default (90 days).' }),
  }),
});

const manages = (agentId: string | number) => ({ agentAccess: { agentId: String(agentId), access: 'manage' as const } });

builder.queryFields((t) => ({
  agents: t.field({
    type: AgentConnection,
    description: 'Your agents (admins: everyone’s with allOwners), oldest first.',
    authScopes: { launcher: true },
    args: { first: t.arg.int(), after: t.arg.string(), allOwners: t.arg.boolean() },
    complexity: (args) => ({ field: 1, multiplier: args.first ?? DEFAULT_PAGE_SIZE }),
    resolve: (_root, args, ctx) => agents.listAgents(ctx.deps, ctx, withoutNulls(args)),
  }),
  agent: t.field({
    type: Agent,
    authScopes: (_root, args) => ({ agentAccess: { agentId: String(args.id), access: 'read' } }),
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => agents.getAgent(ctx.deps, ctx, String(args.id)),
  }),
}));

builder.mutationFields((t) => ({
  createAgent: t.field({
    type: Agent,
    authScopes: { launcher: true },
    args: { input: t.arg({ type: CreateAgentInput, required: true, validate: { schema: argSchema(agents.CreateAgentInputSchema) } }) },
    resolve: (_root, args, ctx) => agents.createAgent(ctx.deps, ctx, withoutNulls(args.input)),
  }),
  renameAgent: t.field({
    type: Agent,
    authScopes: (_root, args) => manages(args.id),
    args: { id: t.arg.id({ required: true }), displayName: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => agents.renameAgent(ctx.deps, ctx, String(args.id), args.displayName),
  }),
  disableAgent: t.field({
    type: Agent,
    description: 'Every token of the agent stops working at once.',
    authScopes: (_root, args) => manages(args.id),
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => agents.setAgentStatus(ctx.deps, ctx, String(args.id), 'disabled'),
  }),
  enableAgent: t.field({
    type: Agent,
    authScopes: (_root, args) => manages(args.id),
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => agents.setAgentStatus(ctx.deps, ctx, String(args.id), 'active'),
  }),
  deleteAgent: t.field({
    type: DeletedAgent,
    description: 'Deletes the agent with its grants, tokens and pairing codes; its audit history stays.',
    authScopes: (_root, args) => manages(args.id),
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => agents.deleteAgent(ctx.deps, ctx, String(args.id)),
  }),
  setGrant: t.field({
    type: Grant,
    description: 'Grants (or replaces) the agent’s scopes on one Tasker project.',
    authScopes: (_root, args) => manages(args.input.agentId),
    args: { input: t.arg({ type: SetGrantInput, required: true, validate: { schema: argSchema(grants.SetGrantInputSchema) } }) },
    resolve: (_root, args, ctx) =>
      grants.setGrant(ctx.deps, ctx, { ...args.input, agentId: String(args.input.agentId) }),
  }),
  removeGrant: t.field({
    type: Grant,
    authScopes: (_root, args) => manages(args.agentId),
    args: { agentId: t.arg.id({ required: true }), projectId: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => grants.removeGrant(ctx.deps, ctx, String(args.agentId), args.projectId),
  }),
  createToken: t.field({
    type: CreatedToken,
    authScopes: (_root, args) => manages(args.input.agentId),
    args: { input: t.arg({ type: CreateTokenInput, required: true, validate: { schema: argSchema(tokens.CreateTokenInputSchema) } }) },
    resolve: (_root, args, ctx) =>
      tokens.createToken(ctx.deps, ctx, { ...withoutNulls(args.input), agentId: String(args.input.agentId) }),
  }),
  revokeToken: t.field({
    type: AgentToken,
    description: 'The token stops working on its very next use.',
    authScopes: (_root, args) => ({ tokenAccess: String(args.id) }),
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => tokens.revokeToken(ctx.deps, ctx, String(args.id)),
  }),
}));
