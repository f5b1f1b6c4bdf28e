import * as audit from '../resolvers/audit-events.js';
import { DEFAULT_PAGE_SIZE, type Page } from '../resolvers/pagination.js';
import type { AuditEventView } from '../resolvers/views.js';
import { builder } from './builder.js';
import { PageInfo, withoutNulls } from './scalars.js';

const AuditEvent = builder.objectRef<AuditEventView>('AuditEvent').implement({
  description: 'One recorded action: who did what to which target, and how it ended.',
  fields: (t) => ({
    id: t.exposeID('id'),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    requestId: t.exposeString('requestId', { description: "The gateway's own id for the request (a fresh UUID, never chosen by the caller)." }),
    correlationId: t.exposeString('correlationId', {
      nullable: true,
      description: "The caller's X-Request-Id, when it sent a usable one: for matching with the caller's logs only.",
    }),
    actorKind: t.exposeString('actorKind'),
    actorId: t.exposeString('actorId', { nullable: true }),
    agentId: t.exposeString('agentId', { nullable: true }),
    ownerUserId: t.exposeString('ownerUserId', { nullable: true }),
    action: t.exposeString('action'),
    targetType: t.exposeString('targetType', { nullable: true }),
    targetId: t.exposeString('targetId', { nullable: true }),
    outcome: t.exposeString('outcome'),
    reason: t.exposeString('reason', { nullable: true }),
    taskerStatus: t.exposeInt('taskerStatus', { nullable: true }),
    latencyMs: t.exposeInt('latencyMs', { nullable: true }),
    details: t.expose('details', { type: 'JSON' }),
    occurrences: t.exposeInt('occurrences', {
      description: 'How many identical refusals this event stands for (a refused credential or a rate limit repeated within one window); 1 for every other event.',
    }),
    lastOccurredAt: t.expose('lastOccurredAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the last of those repeated refusals came; null while there was only one.',
    }),
  }),
});

const AuditEventConnection = builder.objectRef<Page<AuditEventView>>('AuditEventConnection').implement({
  fields: (t) => ({
    nodes: t.field({ type: [AuditEvent], resolve: (page) => page.nodes }),
    pageInfo: t.field({ type: PageInfo, resolve: (page) => page.pageInfo }),
  }),
});

builder.queryFields((t) => ({
  auditEvents: t.field({
    type: AuditEventConnection,
    description: 'Newest first. Users see events about their own agents; admins see all.',
    authScopes: (_root, args) =>
      args.agentId ? { agentAccess: { agentId: args.agentId, access: 'read' } } : { launcher: true },
    args: { agentId: t.arg.string(), first: t.arg.int(), after: t.arg.string() },
    complexity: (args) => ({ field: 1, multiplier: args.first ?? DEFAULT_PAGE_SIZE }),
    resolve: (_root, args, ctx) => audit.listAuditEvents(ctx.deps, ctx, withoutNulls(args)),
  }),
}));
