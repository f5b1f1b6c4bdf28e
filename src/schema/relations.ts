import * as links from '../resolvers/agent/links.js';
import * as relations from '../resolvers/agent/relations.js';
import type { LinkView, RelationView } from '../resolvers/agent/views.js';
import { RELATION_TYPES } from '../tasker/contract.js';
import { Actor } from './actor.js';
import { dryRunArg, idempotencyKeyArg, writeArgs } from './args.js';
import { builder } from './builder.js';
import { StateGroupEnum } from './issues.js';
import { WriteResultRef } from './writes.js';

const RelationTypeEnum = builder.enumType('RelationType', { values: RELATION_TYPES });

const RelatedIssue = builder.objectRef<RelationView['issue']>('RelatedIssue').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    key: t.exposeString('key'),
    projectId: t.exposeID('projectId'),
    title: t.exposeString('title'),
    stateGroup: t.field({ type: StateGroupEnum, nullable: true, resolve: (issue) => issue.stateGroup }),
  }),
});

export const Relation = builder.objectRef<RelationView>('Relation').implement({
  description: 'This issue <type> the other issue, e.g. blocks DEMO-4.',
  fields: (t) => ({
    type: t.field({ type: RelationTypeEnum, resolve: (relation) => relation.type }),
    issue: t.field({ type: RelatedIssue, resolve: (relation) => relation.issue }),
  }),
});

export const Link = builder.objectRef<LinkView>('Link').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    url: t.exposeString('url'),
    title: t.exposeString('title', { nullable: true }),
    createdBy: t.field({ type: Actor, resolve: (link) => link.createdBy }),
    createdAt: t.exposeString('createdAt'),
  }),
});

builder.queryFields((t) => ({
  issueRelations: t.field({
    type: [Relation],
    description: 'Agent: an issue’s relations to issues the agent may read.',
    authScopes: { agentScope: 'issues:read' },
    args: { issueId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => relations.issueRelations(ctx.deps, ctx, String(args.issueId)),
  }),
  issueLinks: t.field({
    type: [Link],
    description: 'Agent: the links attached to an issue.',
    authScopes: { agentScope: 'issues:read' },
    args: { issueId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => links.issueLinks(ctx.deps, ctx, String(args.issueId)),
  }),
}));

builder.mutationFields((t) => ({
  relateIssues: t.field({
    type: WriteResultRef,
    description: 'Adds (or with remove, removes) a relation: issue <type> relatedIssue.',
    authScopes: { agentScope: 'relations:write' },
    args: {
      issueId: t.arg.id({ required: true }),
      type: t.arg({ type: RelationTypeEnum, required: true }),
      relatedIssueId: t.arg.id({ required: true }),
      remove: t.arg.boolean(),
      idempotencyKey: t.arg.string(idempotencyKeyArg),
      dryRun: t.arg.boolean(dryRunArg),
    },
    resolve: (_root, args, ctx) =>
      relations.relateIssues(ctx.deps, ctx, {
        issueId: String(args.issueId),
        type: args.type,
        relatedIssueId: String(args.relatedIssueId),
        ...(args.remove != null ? { remove: args.remove } : {}),
        ...writeArgs(args),
      }),
  }),
  linkIssue: t.field({
    type: WriteResultRef,
    description: 'Attaches a URL with a title to an issue (or with remove, takes it off).',
    authScopes: { agentScope: 'links:write' },
    args: {
      issueId: t.arg.id({ required: true }),
      url: t.arg.string({ required: true }),
      title: t.arg.string(),
      remove: t.arg.boolean(),
      idempotencyKey: t.arg.string(idempotencyKeyArg),
      dryRun: t.arg.boolean(dryRunArg),
    },
    resolve: (_root, args, ctx) =>
      links.linkIssue(ctx.deps, ctx, {
        issueId: String(args.issueId),
        url: args.url,
        ...(args.title != null ? { title: args.title } : {}),
        ...(args.remove != null ? { remove: args.remove } : {}),
        ...writeArgs(args),
      }),
  }),
}));
