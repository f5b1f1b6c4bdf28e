import * as pairing from '../resolvers/pairing.js';
import { Agent, AgentToken, Grant } from './agent.js';
import { builder } from './builder.js';
import { argSchema, ScopeEnum, withoutNulls } from './scalars.js';

const PairingCode = builder.objectRef<pairing.PairingCodeView>('PairingCode').implement({
  description: 'A single-use code (XXXX-XXXX) that lets a local agent fetch its token. Shown once.',
  fields: (t) => ({
    code: t.exposeString('code'),
    agent: t.field({ type: Agent, resolve: (code) => code.agent }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    scopes: t.field({
      type: [ScopeEnum],
      nullable: true,
      description: 'Scopes of the token to be issued; null means every scope the agent is granted at exchange time.',
      resolve: (code) => code.scopes,
    }),
  }),
});

const PairingOwner = builder.objectRef<{ userId: string; email: string }>('PairingOwner').implement({
  fields: (t) => ({ userId: t.exposeString('userId'), email: t.exposeString('email') }),
});

const PairedAgent = builder.objectRef<{ id: string; displayName: string }>('PairedAgent').implement({
  fields: (t) => ({ id: t.exposeID('id'), displayName: t.exposeString('displayName') }),
});

const PairingExchange = builder.objectRef<pairing.PairingExchangeView>('PairingExchange').implement({
  description: 'The agent token for a paired local agent, with whom it acts for. `secret` is shown once.',
  fields: (t) => ({
    secret: t.exposeString('secret'),
    token: t.field({ type: AgentToken, resolve: (exchange) => exchange.token }),
    // The paired client sees only who it is connected as, not the Launcher's agent record.
    agent: t.field({ type: PairedAgent, resolve: (exchange) => exchange.agent }),
    owner: t.field({ type: PairingOwner, resolve: (exchange) => exchange.owner }),
    grants: t.field({ type: [Grant], resolve: (exchange) => exchange.grants }),
  }),
});

const CreatePairingCodeInput = builder.inputType('CreatePairingCodeInput', {
  fields: (t) => ({
    agentId: t.id({ required: true }),
    tokenName: t.string(),
    scopes: t.field({ type: [ScopeEnum], description: 'Defaults to every scope the agent is granted.' }),
    tokenExpiresInDays: t.int(),
  }),
});

const ExchangePairingCodeInput = builder.inputType('ExchangePairingCodeInput', {
  fields: (t) => ({
    code: t.string({ required: true, description: 'XXXX-XXXX; case and dashes do not matter.' }),
    tokenName: t.string(),
  }),
});

builder.mutationFields((t) => ({
  createPairingCode: t.field({
    type: PairingCode,
    authScopes: (_root, args) => ({ agentAccess: { agentId: String(args.input.agentId), access: 'manage' } }),
    args: {
      input: t.arg({
        type: CreatePairingCodeInput,
        required: true,
        validate: { schema: argSchema(pairing.CreatePairingCodeInputSchema) },
      }),
    },
    resolve: (_root, args, ctx) =>
      pairing.createPairingCode(ctx.deps, ctx, { ...withoutNulls(args.input), agentId: String(args.input.agentId) }),
  }),
  exchangePairingCode: t.field({
    type: PairingExchange,
    description: 'Public: trades a pairing code for an agent token. Rate-limited per client address.',
    authScopes: { public: true },
    args: {
      input: t.arg({
        type: ExchangePairingCodeInput,
        required: true,
        validate: { schema: argSchema(pairing.ExchangePairingCodeInputSchema) },
      }),
    },
    resolve: (_root, args, ctx) => pairing.exchangePairingCode(ctx.deps, ctx, withoutNulls(args.input)),
  }),
}));
