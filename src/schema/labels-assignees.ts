import * as labelsAssignees from '../resolvers/agent/labels-assignees.js';
import { dryRunArg, idempotencyKeyArg, idsOrNull, writeArgs } from './args.js';
import { builder } from './builder.js';
import { withoutNulls } from './scalars.js';
import { WriteResultRef } from './writes.js';

builder.mutationFields((t) => ({
  setIssueLabels: t.field({
    type: WriteResultRef,
    description: 'Replaces the issue’s labels (labelIds), or adds and removes some (addLabelIds/removeLabelIds).',
    authScopes: { agentScope: 'labels:write' },
    args: {
      issueId: t.arg.id({ required: true }),
      labelIds: t.arg.idList(),
      addLabelIds: t.arg.idList(),
      removeLabelIds: t.arg.idList(),
      idempotencyKey: t.arg.string(idempotencyKeyArg),
      dryRun: t.arg.boolean(dryRunArg),
    },
    resolve: (_root, args, ctx) =>
      labelsAssignees.setIssueLabels(ctx.deps, ctx, {
        issueId: String(args.issueId),
        ...withoutNulls({ labelIds: idsOrNull(args.labelIds), addLabelIds: idsOrNull(args.addLabelIds), removeLabelIds: idsOrNull(args.removeLabelIds) }),
        ...writeArgs(args),
      }),
  }),
  setIssueAssignees: t.field({
    type: WriteResultRef,
    description: 'Replaces the issue’s assignees (assigneeIds), or adds and removes some; member user ids, not guests.',
    authScopes: { agentScope: 'assignees:write' },
    args: {
      issueId: t.arg.id({ required: true }),
      assigneeIds: t.arg.idList(),
      addAssigneeIds: t.arg.idList(),
      removeAssigneeIds: t.arg.idList(),
      idempotencyKey: t.arg.string(idempotencyKeyArg),
      dryRun: t.arg.boolean(dryRunArg),
    },
    resolve: (_root, args, ctx) =>
      labelsAssignees.setIssueAssignees(ctx.deps, ctx, {
        issueId: String(args.issueId),
        ...withoutNulls({
          assigneeIds: idsOrNull(args.assigneeIds),
          addAssigneeIds: idsOrNull(args.addAssigneeIds),
          removeAssigneeIds: idsOrNull(args.removeAssigneeIds),
        }),
        ...writeArgs(args),
      }),
  }),
}));
