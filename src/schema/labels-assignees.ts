import * as labelsAssignees from '../resolvers/agent/labels-assignees.js';
import { idempotencyKeyArg, keyArg } from './args.js';
import { builder } from './builder.js';
import { Issue } from './issues.js';

builder.mutationFields((t) => ({
  setIssueLabels: t.field({
    type: Issue,
    description: 'Replaces the issue’s labels with exactly these.',
    authScopes: { agentScope: 'labels:write' },
    args: { issueId: t.arg.id({ required: true }), labelIds: t.arg.idList({ required: true }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: (_root, args, ctx) =>
      labelsAssignees.setIssueLabels(ctx.deps, ctx, {
        issueId: String(args.issueId),
        labelIds: args.labelIds.map(String),
        ...keyArg(args.idempotencyKey),
      }),
  }),
  setIssueAssignees: t.field({
    type: Issue,
    description: 'Replaces the issue’s assignees with exactly these member user ids.',
    authScopes: { agentScope: 'assignees:write' },
    args: { issueId: t.arg.id({ required: true }), assigneeIds: t.arg.idList({ required: true }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: (_root, args, ctx) =>
      labelsAssignees.setIssueAssignees(ctx.deps, ctx, {
        issueId: String(args.issueId),
        assigneeIds: args.assigneeIds.map(String),
        ...keyArg(args.idempotencyKey),
      }),
  }),
}));
