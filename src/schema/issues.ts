import * as issues from '../resolvers/agent/issues.js';
import type { CommentView, IssueView } from '../resolvers/agent/views.js';
import type { Page } from '../resolvers/pagination.js';
import { builder } from './builder.js';
import { argSchema, PageInfo, withoutNulls } from './scalars.js';

const PriorityEnum = builder.enumType('Priority', { values: ['urgent', 'high', 'medium', 'low', 'none'] as const });

export const Issue = builder.objectRef<IssueView>('Issue').implement({
  description: 'A Tasker issue, as Tasker holds it.',
  fields: (t) => ({
    id: t.exposeID('id'),
    projectId: t.exposeID('projectId'),
    sequenceId: t.exposeInt('sequenceId'),
    key: t.exposeString('key', { description: 'Human key, e.g. DEMO-12.' }),
    title: t.exposeString('title'),
    description: t.exposeString('description', { nullable: true }),
    priority: t.field({ type: PriorityEnum, resolve: (issue) => issue.priority }),
    stateId: t.exposeID('stateId'),
    labelIds: t.exposeIDList('labelIds'),
    assigneeIds: t.exposeIDList('assigneeIds'),
    startDate: t.exposeString('startDate', { nullable: true, description: 'YYYY-MM-DD' }),
    targetDate: t.exposeString('targetDate', { nullable: true, description: 'YYYY-MM-DD' }),
    createdAt: t.exposeString('createdAt'),
    updatedAt: t.exposeString('updatedAt'),
  }),
});

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

const CommentResult = builder.objectRef<issues.CommentResultView>('CommentResult').implement({
  fields: (t) => ({
    comment: t.field({ type: Comment, resolve: (result) => result.comment }),
    issue: t.field({ type: Issue, resolve: (result) => result.issue }),
  }),
});

const IssueConnection = builder.objectRef<Page<IssueView>>('IssueConnection').implement({
  fields: (t) => ({
    nodes: t.field({ type: [Issue], resolve: (page) => page.nodes }),
    pageInfo: t.field({ type: PageInfo, resolve: (page) => page.pageInfo }),
  }),
});

const idempotencyKeyArg = {
  description: 'Optional. Retrying with the same key and input returns the first answer instead of writing twice (24 h).',
};

const CreateIssueInput = builder.inputType('CreateIssueInput', {
  fields: (t) => ({
    projectId: t.id({ required: true }),
    title: t.string({ required: true }),
    description: t.string(),
    priority: t.field({ type: PriorityEnum }),
    stateId: t.id({ description: 'Defaults to the project’s backlog state.' }),
    labelIds: t.idList({ description: 'Needs labels:write.' }),
    assigneeIds: t.idList({ description: 'Member user ids; needs assignees:write.' }),
    startDate: t.string({ description: 'YYYY-MM-DD' }),
    targetDate: t.string({ description: 'YYYY-MM-DD' }),
    idempotencyKey: t.string(idempotencyKeyArg),
  }),
});

const UpdateIssueInput = builder.inputType('UpdateIssueInput', {
  fields: (t) => ({
    issueId: t.id({ required: true }),
    title: t.string(),
    description: t.string(),
    priority: t.field({ type: PriorityEnum }),
    startDate: t.string({ description: 'YYYY-MM-DD' }),
    targetDate: t.string({ description: 'YYYY-MM-DD' }),
    idempotencyKey: t.string(idempotencyKeyArg),
  }),
});

/** GraphQL ID arguments arrive as string | number; Tasker ids are strings. */
const idOrNull = (value: string | number | null | undefined) => (value == null ? null : String(value));

builder.queryFields((t) => ({
  issues: t.field({
    type: IssueConnection,
    description: 'Agent: issues of a granted project, newest first, filtered and paged (at most 100 a page).',
    authScopes: { agentScope: 'issues:read' },
    args: {
      projectId: t.arg.id({ required: true }),
      stateId: t.arg.id(),
      labelId: t.arg.id(),
      assigneeId: t.arg.id(),
      search: t.arg.string(),
      first: t.arg.int(),
      after: t.arg.string(),
    },
    resolve: (_root, args, ctx) =>
      issues.listIssues(
        ctx.deps,
        ctx,
        withoutNulls({
          projectId: String(args.projectId),
          stateId: idOrNull(args.stateId),
          labelId: idOrNull(args.labelId),
          assigneeId: idOrNull(args.assigneeId),
          search: args.search,
          first: args.first,
          after: args.after,
        }),
      ),
  }),
  issue: t.field({
    type: Issue,
    description: 'Agent: one issue by id (its project must be granted with issues:read).',
    authScopes: { agentScope: 'issues:read' },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => issues.getIssue(ctx.deps, ctx, String(args.id)),
  }),
}));

builder.mutationFields((t) => ({
  createIssue: t.field({
    type: Issue,
    authScopes: { agentScope: 'issues:write' },
    args: { input: t.arg({ type: CreateIssueInput, required: true, validate: { schema: argSchema(issues.CreateIssueInputSchema) } }) },
    resolve: (_root, args, ctx) =>
      issues.createIssue(
        ctx.deps,
        ctx,
        withoutNulls({
          ...args.input,
          projectId: String(args.input.projectId),
          stateId: idOrNull(args.input.stateId),
          labelIds: args.input.labelIds?.map(String),
          assigneeIds: args.input.assigneeIds?.map(String),
        }),
      ),
  }),
  updateIssue: t.field({
    type: Issue,
    description: 'Changes title, description, priority or dates; null is not accepted, leave a field out to keep it.',
    authScopes: { agentScope: 'issues:write' },
    args: { input: t.arg({ type: UpdateIssueInput, required: true, validate: { schema: argSchema(issues.UpdateIssueInputSchema) } }) },
    resolve: (_root, args, ctx) =>
      issues.updateIssue(ctx.deps, ctx, { ...withoutNulls(args.input), issueId: String(args.input.issueId) }),
  }),
  moveIssue: t.field({
    type: Issue,
    authScopes: { agentScope: 'issues:write' },
    args: { issueId: t.arg.id({ required: true }), stateId: t.arg.id({ required: true }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: (_root, args, ctx) =>
      issues.moveIssue(ctx.deps, ctx, {
        issueId: String(args.issueId),
        stateId: String(args.stateId),
        ...(args.idempotencyKey != null ? { idempotencyKey: args.idempotencyKey } : {}),
      }),
  }),
  addComment: t.field({
    type: CommentResult,
    authScopes: { agentScope: 'comments:write' },
    args: { issueId: t.arg.id({ required: true }), body: t.arg.string({ required: true }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: (_root, args, ctx) =>
      issues.addComment(ctx.deps, ctx, {
        issueId: String(args.issueId),
        body: args.body,
        ...(args.idempotencyKey != null ? { idempotencyKey: args.idempotencyKey } : {}),
      }),
  }),
  setIssueLabels: t.field({
    type: Issue,
    description: 'Replaces the issue’s labels with exactly these.',
    authScopes: { agentScope: 'labels:write' },
    args: { issueId: t.arg.id({ required: true }), labelIds: t.arg.idList({ required: true }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: (_root, args, ctx) =>
      issues.setIssueLabels(ctx.deps, ctx, {
        issueId: String(args.issueId),
        labelIds: args.labelIds.map(String),
        ...(args.idempotencyKey != null ? { idempotencyKey: args.idempotencyKey } : {}),
      }),
  }),
  setIssueAssignees: t.field({
    type: Issue,
    description: 'Replaces the issue’s assignees with exactly these member user ids.',
    authScopes: { agentScope: 'assignees:write' },
    args: { issueId: t.arg.id({ required: true }), assigneeIds: t.arg.idList({ required: true }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: (_root, args, ctx) =>
      issues.setIssueAssignees(ctx.deps, ctx, {
        issueId: String(args.issueId),
        assigneeIds: args.assigneeIds.map(String),
        ...(args.idempotencyKey != null ? { idempotencyKey: args.idempotencyKey } : {}),
      }),
  }),
}));
