import * as comments from '../resolvers/agent/comments.js';
import * as history from '../resolvers/agent/history.js';
import type { ActivityView, CommentView } from '../resolvers/agent/views.js';
import type { Page } from '../resolvers/pagination.js';
import { Actor } from './actor.js';
import { dryRunArg, idempotencyKeyArg, writeArgs } from './args.js';
import { builder } from './builder.js';
import { PageInfo, withoutNulls } from './scalars.js';
import { WriteResultRef } from './writes.js';

export const Comment = builder.objectRef<CommentView>('Comment').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    issueId: t.exposeID('issueId'),
    body: t.exposeString('body', { description: 'Markdown.' }),
    author: t.field({ type: Actor, resolve: (comment) => comment.author }),
    createdAt: t.exposeString('createdAt'),
    editedAt: t.exposeString('editedAt', { nullable: true }),
  }),
});

const CommentConnection = builder.objectRef<Page<CommentView>>('CommentConnection').implement({
  fields: (t) => ({
    nodes: t.field({ type: [Comment], resolve: (page) => page.nodes }),
    pageInfo: t.field({ type: PageInfo, resolve: (page) => page.pageInfo }),
  }),
});

const Activity = builder.objectRef<ActivityView>('Activity').implement({
  description: 'One change to an issue: who changed which field from what to what, and when.',
  fields: (t) => ({
    id: t.exposeID('id'),
    verb: t.exposeString('verb', { description: 'created, updated, added or removed' }),
    field: t.exposeString('field', { nullable: true }),
    oldValue: t.exposeString('oldValue', { nullable: true }),
    newValue: t.exposeString('newValue', { nullable: true }),
    actor: t.field({ type: Actor, resolve: (entry) => entry.actor }),
    createdAt: t.exposeString('createdAt'),
  }),
});

const ActivityConnection = builder.objectRef<Page<ActivityView>>('ActivityConnection').implement({
  fields: (t) => ({
    nodes: t.field({ type: [Activity], resolve: (page) => page.nodes }),
    pageInfo: t.field({ type: PageInfo, resolve: (page) => page.pageInfo }),
  }),
});

builder.queryFields((t) => ({
  issueComments: t.field({
    type: CommentConnection,
    description: 'Agent: an issue’s comments, oldest first, paged.',
    authScopes: { agentScope: 'issues:read' },
    args: { issueId: t.arg.id({ required: true }), first: t.arg.int(), after: t.arg.string() },
    resolve: (_root, args, ctx) =>
      comments.listComments(ctx.deps, ctx, withoutNulls({ issueId: String(args.issueId), first: args.first, after: args.after })),
  }),
  issueActivity: t.field({
    type: ActivityConnection,
    description: 'Agent: an issue’s history, oldest first, optionally since a time.',
    authScopes: { agentScope: 'issues:read' },
    args: { issueId: t.arg.id({ required: true }), since: t.arg.string(), first: t.arg.int(), after: t.arg.string() },
    resolve: (_root, args, ctx) =>
      history.issueActivity(ctx.deps, ctx, withoutNulls({ issueId: String(args.issueId), since: args.since, first: args.first, after: args.after })),
  }),
}));

builder.mutationFields((t) => ({
  addComment: t.field({
    type: WriteResultRef,
    authScopes: { agentScope: 'comments:write' },
    args: {
      issueId: t.arg.id({ required: true }),
      body: t.arg.string({ required: true }),
      idempotencyKey: t.arg.string(idempotencyKeyArg),
      dryRun: t.arg.boolean(dryRunArg),
    },
    resolve: (_root, args, ctx) => comments.addComment(ctx.deps, ctx, { issueId: String(args.issueId), body: args.body, ...writeArgs(args) }),
  }),
}));
