import * as reads from '../resolvers/agent/issue-reads.js';
import * as writes from '../resolvers/agent/issue-writes.js';
import type { IssueView } from '../resolvers/agent/views.js';
import type { Page } from '../resolvers/pagination.js';
import { idempotencyKeyArg, idOrNull, keyArg } from './args.js';
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

const IssueConnection = builder.objectRef<Page<IssueView>>('IssueConnection').implement({
  fields: (t) => ({
    nodes: t.field({ type: [Issue], resolve: (page) => page.nodes }),
    pageInfo: t.field({ type: PageInfo, resolve: (page) => page.pageInfo }),
  }),
});

const CreateIssueInput = builder.inputType('CreateIssueInput', {
  fields: (t) => ({
    projectId: t.id({ required: true, description: 'Project id or identifier (e.g. DEMO).' }),
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

builder.queryFields((t) => ({
  issues: t.field({
    type: IssueConnection,
    description: 'Agent: issues of a granted project, newest first, filtered and paged (at most 100 a page).',
    authScopes: { agentScope: 'issues:read' },
    args: {
      projectId: t.arg.id({ required: true, description: 'Project id or identifier (e.g. DEMO).' }),
      stateId: t.arg.id(),
      labelId: t.arg.id(),
      assigneeId: t.arg.id(),
      search: t.arg.string(),
      first: t.arg.int(),
      after: t.arg.string(),
    },
    resolve: (_root, args, ctx) =>
      reads.listIssues(
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
    resolve: (_root, args, ctx) => reads.getIssue(ctx.deps, ctx, String(args.id)),
  }),
}));

builder.mutationFields((t) => ({
  createIssue: t.field({
    type: Issue,
    authScopes: { agentScope: 'issues:write' },
    args: { input: t.arg({ type: CreateIssueInput, required: true, validate: { schema: argSchema(writes.CreateIssueInputSchema) } }) },
    resolve: (_root, args, ctx) =>
      writes.createIssue(
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
    args: { input: t.arg({ type: UpdateIssueInput, required: true, validate: { schema: argSchema(writes.UpdateIssueInputSchema) } }) },
    resolve: (_root, args, ctx) =>
      writes.updateIssue(ctx.deps, ctx, { ...withoutNulls(args.input), issueId: String(args.input.issueId) }),
  }),
  moveIssue: t.field({
    type: Issue,
    authScopes: { agentScope: 'issues:write' },
    args: { issueId: t.arg.id({ required: true }), stateId: t.arg.id({ required: true }), idempotencyKey: t.arg.string(idempotencyKeyArg) },
    resolve: (_root, args, ctx) =>
      writes.moveIssue(ctx.deps, ctx, { issueId: String(args.issueId), stateId: String(args.stateId), ...keyArg(args.idempotencyKey) }),
  }),
}));
