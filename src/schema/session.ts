import * as session from '../resolvers/session.js';
import { builder } from './builder.js';
import { ScopeEnum } from './scalars.js';

const Me = builder.objectRef<session.MeView>('Me').implement({
  description: 'The Launcher user making the call.',
  fields: (t) => ({
    userId: t.exposeString('userId'),
    email: t.exposeString('email'),
    role: t.exposeString('role'),
  }),
});

const SessionGrant = builder.objectRef<{ projectId: string; scopes: session.AgentSessionView['scopes'] }>('SessionGrant').implement({
  description: 'A project the agent may work in now, with the scopes its token may use there.',
  fields: (t) => ({
    projectId: t.exposeString('projectId'),
    scopes: t.field({ type: [ScopeEnum], resolve: (grant) => grant.scopes }),
  }),
});

const SessionIdentity = builder.objectRef<{ id: string; displayName: string }>('SessionAgent').implement({
  fields: (t) => ({ id: t.exposeID('id'), displayName: t.exposeString('displayName') }),
});

const SessionOwner = builder.objectRef<{ userId: string; email: string }>('SessionOwner').implement({
  fields: (t) => ({ userId: t.exposeString('userId'), email: t.exposeString('email') }),
});

const AgentSession = builder.objectRef<session.AgentSessionView>('AgentSession').implement({
  description: 'Who the calling agent is, on whose behalf it acts, and what it may do right now.',
  fields: (t) => ({
    agent: t.field({ type: SessionIdentity, resolve: (s) => s.agent }),
    owner: t.field({ type: SessionOwner, resolve: (s) => s.owner }),
    tokenId: t.exposeID('tokenId'),
    scopes: t.field({ type: [ScopeEnum], resolve: (s) => s.scopes }),
    grants: t.field({ type: [SessionGrant], resolve: (s) => s.grants }),
  }),
});

builder.queryFields((t) => ({
  me: t.field({
    type: Me,
    authScopes: { launcher: true },
    resolve: (_root, _args, ctx) => session.me(ctx),
  }),
  agentSession: t.field({
    type: AgentSession,
    authScopes: { agent: true },
    resolve: (_root, _args, ctx) => session.agentSession(ctx.deps, ctx),
  }),
}));
