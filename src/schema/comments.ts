import * as comments from '../resolvers/agent/comments.js';
import type { CommentView } from '../resolvers/agent/views.js';
import { idempotencyKeyArg, keyArg } from './args.js';
import { builder } from './builder.js';
import { Issue } from './issues.js';

const Comment = builder.objectRef<CommentView>('Comment').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    issueId: t.exposeID('issueId'),
    body: t.exposeString('body'),
    agentId: t.exposeID('agentId', { description: 'The agent identity that wrote it.' }),
    ownerUserId: t.exposeID('ownerUserId', { description: 'The user the agent acted for.' }),
    createdAt: t.exposeString('createdAt'),
  }),
});

const CommentResult = builder.objectRef<comments.CommentResultView>('CommentResult').implement({
  fields: (t) => ({
    comment: t.field({ type: Comment, resolve: (result) => result.comment }),
    issue: t.field({ type: Issue, resolve: (result) => result.issue }),
  }),
});

builder.mutationFields((t) => ({
  addComment: t.field({
    type: CommentResult,
    authScopes: { agentScope: 'comments:write' },
    args: { issueId: t.arg.id({ required: true }), body: t.arg.string({ required: true }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: (_root, args, ctx) =>
      comments.addComment(ctx.deps, ctx, { issueId: String(args.issueId), body: args.body, ...keyArg(args.idempotencyKey) }),
  }),
}));
