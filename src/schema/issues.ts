import * as reads from '../resolvers/agent/issue-reads.js';
import * as writes from '../resolvers/agent/issue-writes.js';
import type { IssueView } from '../resolvers/agent/views.js';
import type { Page } from '../resolvers/pagination.js';
import { RICH_CONTENT_KINDS } from '../rich-text/index.js';
import { MEMBER_ROLES, PRIORITIES, STATE_GROUPS } from '../tasker/contract.js';
import { Actor } from './actor.js';
import { dryRunArg, idempotencyKeyArg, idOrNull, idsOrNull, writeArgs } from './args.js';
import { builder } from './builder.js';
import { argSchema, PageInfo, withoutNulls } from './scalars.js';
import { WriteResultRef } from './writes.js';

export const PriorityEnum = builder.enumType('Priority', { values: PRIORITIES });
export const StateGroupEnum = builder.enumType('StateGroup', { values: STATE_GROUPS });
export const MemberRoleEnum = builder.enumType('MemberRole', { values: MEMBER_ROLES });
const RichContentEnum = builder.enumType('RichContent', {
  description: 'Content Markdown cannot carry; replacing a description that holds it needs confirmRichContentLoss.',
  values: RICH_CONTENT_KINDS,
});
const DescriptionModeEnum = builder.enumType('DescriptionMode', { values: writes.DESCRIPTION_MODES });
const SearchOrderEnum = builder.enumType('IssueOrder', { values: reads.SEARCH_ORDER_NAMES });

export const Issue = builder.objectRef<IssueView>('Issue').implement({
  description: 'A Tasker issue, as Tasker holds it; its description as Markdown.',
  fields: (t) => ({
    id: t.exposeID('id'),
    projectId: t.exposeID('projectId'),
    sequenceId: t.exposeInt('sequenceId'),
    key: t.exposeString('key', { description: 'Human key, e.g. DEMO-12.' }),
    title: t.exposeString('title'),
    description: t.exposeString('description', { description: 'Markdown (converted from Tasker’s HTML).' }),
    richContent: t.field({ type: [RichContentEnum], resolve: (issue) => issue.richContent }),
    priority: t.field({ type: PriorityEnum, resolve: (issue) => issue.priority }),
    stateId: t.exposeID('stateId', { nullable: true }),
    stateGroup: t.field({ type: StateGroupEnum, nullable: true, resolve: (issue) => issue.stateGroup }),
    parentId: t.exposeID('parentId', { nullable: true }),
    labelIds: t.exposeIDList('labelIds'),
    assigneeIds: t.exposeIDList('assigneeIds'),
    cycleId: t.exposeID('cycleId', { nullable: true }),
    moduleIds: t.exposeIDList('moduleIds'),
    startDate: t.exposeString('startDate', { nullable: true, description: 'YYYY-MM-DD' }),
    targetDate: t.exposeString('targetDate', { nullable: true, description: 'YYYY-MM-DD' }),
    archived: t.exposeBoolean('archived'),
    draft: t.exposeBoolean('draft'),
    createdBy: t.field({ type: Actor, resolve: (issue) => issue.createdBy }),
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
    projectId: t.id({ required: true, description: 'Id or identifier (DEMO).' }),
    title: t.string({ required: true }),
    description: t.string({ description: 'Markdown.' }),
    priority: t.field({ type: PriorityEnum }),
    stateId: t.id({ description: 'Default: the project’s default state.' }),
    parentId: t.id({ description: 'Parent issue (sub-issue), same project.' }),
    labelIds: t.idList({ description: 'Needs labels:write.' }),
    assigneeIds: t.idList({ description: 'Member user ids, not guests (assignees:write).' }),
    startDate: t.string({ description: 'YYYY-MM-DD' }),
    targetDate: t.string({ description: 'YYYY-MM-DD' }),
    idempotencyKey: t.string(idempotencyKeyArg),
    dryRun: t.boolean(dryRunArg),
  }),
});

const UpdateIssueInput = builder.inputType('UpdateIssueInput', {
  fields: (t) => ({
    issueId: t.id({ required: true, description: 'Id or key (DEMO-12).' }),
    title: t.string(),
    description: t.string({ description: 'Markdown.' }),
    descriptionMode: t.field({ type: DescriptionModeEnum, description: 'replace (default), append or prepend.' }),
    confirmRichContentLoss: t.boolean({ description: 'Allow losing richContent when replacing.' }),
    priority: t.field({ type: PriorityEnum }),
    startDate: t.string({ description: 'YYYY-MM-DD' }),
    targetDate: t.string({ description: 'YYYY-MM-DD' }),
    parentId: t.id({ description: 'New parent, same project.' }),
    clearParent: t.boolean({ description: 'Make it top-level again.' }),
    idempotencyKey: t.string(idempotencyKeyArg),
    dryRun: t.boolean(dryRunArg),
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
      parentId: t.arg.id({ description: 'Only sub-issues of this issue (id or key).' }),
      search: t.arg.string(),
      includeArchived: t.arg.boolean(),
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
          parentId: idOrNull(args.parentId),
          search: args.search,
          includeArchived: args.includeArchived,
          first: args.first,
          after: args.after,
        }),
      ),
  }),
  searchIssues: t.field({
    type: IssueConnection,
    description: 'Agent: issues across every granted project (or those named), by text and filters, paged.',
    authScopes: { agentScope: 'issues:read' },
    args: {
      projectIds: t.arg.idList({ description: 'Ids or identifiers; default: every project granted with issues:read.' }),
      text: t.arg.string({ description: 'Matches the key (DEMO-12), title or description.' }),
      stateGroups: t.arg({ type: [StateGroupEnum], description: 'triage issues appear only when triage is asked for.' }),
      priorities: t.arg({ type: [PriorityEnum] }),
      labelIds: t.arg.idList(),
      assigneeIds: t.arg.idList(),
      parentId: t.arg.id({ description: 'Only sub-issues of this issue (id or key).' }),
      updatedSince: t.arg.string({ description: 'RFC 3339 timestamp.' }),
      includeArchived: t.arg.boolean(),
      orderBy: t.arg({ type: SearchOrderEnum, description: 'Default updated (newest first).' }),
      first: t.arg.int(),
      after: t.arg.string(),
    },
    resolve: (_root, args, ctx) =>
      reads.searchIssues(
        ctx.deps,
        ctx,
        withoutNulls({
          projectIds: idsOrNull(args.projectIds),
          text: args.text,
          stateGroups: args.stateGroups,
          priorities: args.priorities,
          labelIds: idsOrNull(args.labelIds),
          assigneeIds: idsOrNull(args.assigneeIds),
          parentId: idOrNull(args.parentId),
          updatedSince: args.updatedSince,
          includeArchived: args.includeArchived,
          orderBy: args.orderBy,
          first: args.first,
          after: args.after,
        }),
      ),
  }),
  issue: t.field({
    type: Issue,
    description: 'Agent: one issue by id or key (DEMO-12); its project must be granted with issues:read.',
    authScopes: { agentScope: 'issues:read' },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => reads.getIssue(ctx.deps, ctx, String(args.id)),
  }),
}));

builder.mutationFields((t) => ({
  createIssue: t.field({
    type: WriteResultRef,
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
          parentId: idOrNull(args.input.parentId),
          labelIds: idsOrNull(args.input.labelIds),
          assigneeIds: idsOrNull(args.input.assigneeIds),
        }),
      ),
  }),
  updateIssue: t.field({
    type: WriteResultRef,
    description: 'Changes title, description, priority, dates or parent; leave a field out to keep it.',
    authScopes: { agentScope: 'issues:write' },
    args: { input: t.arg({ type: UpdateIssueInput, required: true, validate: { schema: argSchema(writes.UpdateIssueInputSchema) } }) },
    resolve: (_root, args, ctx) =>
      writes.updateIssue(ctx.deps, ctx, {
        ...withoutNulls(args.input),
        issueId: String(args.input.issueId),
        ...(args.input.parentId == null ? {} : { parentId: String(args.input.parentId) }),
      }),
  }),
  moveIssue: t.field({
    type: WriteResultRef,
    authScopes: { agentScope: 'issues:write' },
    args: {
      issueId: t.arg.id({ required: true }),
      stateId: t.arg.id({ required: true }),
      idempotencyKey: t.arg.string(idempotencyKeyArg),
      dryRun: t.arg.boolean(dryRunArg),
    },
    resolve: (_root, args, ctx) =>
      writes.moveIssue(ctx.deps, ctx, { issueId: String(args.issueId), stateId: String(args.stateId), ...writeArgs(args) }),
  }),
}));
