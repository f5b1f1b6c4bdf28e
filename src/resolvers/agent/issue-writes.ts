import { createHash } from 'node:crypto';
import { z } from 'zod';
import { badInput, GatewayError } from '../../errors/gateway-error.js';
import { parseInput } from '../../errors/zod.js';
import { markdownToHtml } from '../../rich-text/index.js';
import { type IssueChanges, type NewIssue, PRIORITIES, type TaskerIssue } from '../../tasker/contract.js';
import type { CallContext, GatewayDeps } from '../context.js';
import { type AgentCall, noteTasker } from './agent-call.js';
import { DryRunField, IdListSchema, IsoDateSchema, KeyField, MarkdownSchema, TaskerIdSchema, TitleSchema } from './inputs.js';
import { checkAssigneesMayBeAssigned, checkParent, checkStateInProject } from './write-guards.js';
import { toIssueView } from './views.js';
import * as checks from './write-checks.js';
import { writeToIssue, writeToProject, type WriteTarget } from './write-frame.js';
import { dryRun, issueChanges, written } from './write-result.js';

/** Plane refuses a start date after the target date, also against the stored one. */
function checkDates(start: string | null | undefined, target: string | null | undefined): void {
  if (start && target && start > target) {
    throw badInput(`startDate ${start} is after targetDate ${target}; a start cannot come after the target`, { field: 'startDate' });
  }
}

export const CreateIssueInputSchema = z.strictObject({
  projectId: TaskerIdSchema,
  title: TitleSchema,
  description: MarkdownSchema.optional(),
  priority: z.enum(PRIORITIES).optional(),
  stateId: TaskerIdSchema.optional(),
  parentId: TaskerIdSchema.optional(),
  labelIds: IdListSchema.optional(),
  assigneeIds: IdListSchema.optional(),
  startDate: IsoDateSchema.nullable().optional(),
  targetDate: IsoDateSchema.nullable().optional(),
  ...KeyField,
  ...DryRunField,
});

/** The issue a create would make, as Tasker would make it: its defaults for state and assignee. */
function predictCreated(asked: NewIssue, target: WriteTarget<null>): TaskerIssue {
  const { project } = target;
  return {
    id: '',
    project_id: project.id,
    sequence_id: 0,
    key: `${project.identifier}-?`,
    title: asked.title,
    description_html: asked.description_html ?? '<p></p>',
    priority: asked.priority ?? 'none',
    state_id: asked.state_id ?? project.default_state_id,
    state_group: null,
    parent_id: asked.parent_id ?? null,
    label_ids: asked.label_ids ?? [],
    assignee_ids: asked.assignee_ids ?? (project.default_assignee_id === null ? [] : [project.default_assignee_id]),
    cycle_id: null,
    module_ids: [],
    start_date: asked.start_date ?? null,
    target_date: asked.target_date ?? null,
    archived_at: null,
    is_draft: false,
    created_by: { user_id: '', display_name: '', agent_id: null },
    created_at: '',
    updated_at: '',
  };
}

export async function createIssue(deps: GatewayDeps, ctx: CallContext, rawInput: z.input<typeof CreateIssueInputSchema>) {
  const { idempotencyKey, dryRun: isDryRun = false, ...input } = parseInput(CreateIssueInputSchema, rawInput);
  checkDates(input.startDate, input.targetDate);
  const ask = (projectId: string): NewIssue => ({
    project_id: projectId,
    title: input.title,
    ...(input.description !== undefined ? { description_html: markdownToHtml(input.description) } : {}),
    ...(input.priority !== undefined ? { priority: input.priority } : {}),
    ...(input.stateId !== undefined ? { state_id: input.stateId } : {}),
    ...(input.parentId !== undefined ? { parent_id: input.parentId } : {}),
    ...(input.labelIds !== undefined ? { label_ids: input.labelIds } : {}),
    ...(input.assigneeIds !== undefined ? { assignee_ids: input.assigneeIds } : {}),
    ...(input.startDate !== undefined ? { start_date: input.startDate } : {}),
    ...(input.targetDate !== undefined ? { target_date: input.targetDate } : {}),
  });
  const spec = {
    tool: 'createIssue',
    projectRef: input.projectId,
    scopes: [
      'issues:write' as const,
      ...(input.labelIds !== undefined ? ['labels:write' as const] : []),
      ...(input.assigneeIds !== undefined ? ['assignees:write' as const] : []),
    ] as const,
    idempotencyKey,
    dryRun: isDryRun,
    input,
  };
  /** The parent may be named by key; Tasker needs its id. */
  const parentOf = async (call: AgentCall, target: WriteTarget<null>) =>
    input.parentId === undefined ? undefined : (await checkParent(deps, call, target.project.id, input.parentId, null)).id;
  return writeToProject(deps, ctx, spec, {
    check: async (call, target) => {
      if (input.assigneeIds !== undefined) await checkAssigneesMayBeAssigned(deps, call, target.project.id, input.assigneeIds);
      if (isDryRun && input.stateId !== undefined) await checkStateInProject(deps, call, target.project.id, input.stateId);
    },
    plan: async (call, target) => {
      const parentId = await parentOf(call, target);
      const asked = { ...ask(target.project.id), ...(parentId === undefined ? {} : { parent_id: parentId }) };
      return dryRun(issueChanges(null, toIssueView(predictCreated(asked, target))));
    },
    write: async (call, key, target) => {
      const parentId = await parentOf(call, target);
      const asked = { ...ask(target.project.id), ...(parentId === undefined ? {} : { parent_id: parentId }) };
      const issue = noteTasker(call, await deps.tasker.createIssue(call.caller, key, asked));
      checks.checkCreated(issue, asked);
      const view = toIssueView(issue);
      return written(issueChanges(null, view), { issue: view });
    },
  });
}

export const DESCRIPTION_MODES = ['replace', 'append', 'prepend'] as const;

export const UpdateIssueInputSchema = z
  .strictObject({
    issueId: TaskerIdSchema,
    title: TitleSchema.optional(),
    description: MarkdownSchema.optional(),
    descriptionMode: z.enum(DESCRIPTION_MODES).optional(),
    confirmRichContentLoss: z.boolean().optional(),
    priority: z.enum(PRIORITIES).optional(),
    startDate: IsoDateSchema.nullable().optional(),
    targetDate: IsoDateSchema.nullable().optional(),
    parentId: TaskerIdSchema.optional(),
    /** Makes the issue top-level again (no parent). */
    clearParent: z.boolean().optional(),
    ...KeyField,
    ...DryRunField,
  })
  .refine(
    (input) => [input.title, input.description, input.priority, input.startDate, input.targetDate, input.parentId, input.clearParent || undefined].some((v) => v !== undefined),
    { message: 'name at least one field to change (title, description, priority, startDate, targetDate, parentId, clearParent)' },
  )
  .refine((input) => !(input.parentId !== undefined && input.clearParent), { message: 'give parentId or clearParent, not both' });

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** What a PATCH would leave: the stored issue with the asked changes applied, as Tasker applies them. */
function predictUpdated(current: TaskerIssue, changes: IssueChanges): TaskerIssue {
  const stored = current.description_html === '<p></p>' ? '' : current.description_html;
  const description =
    changes.description_html ??
    (changes.description_append_html === undefined ? undefined : stored + changes.description_append_html) ??
    (changes.description_prepend_html === undefined ? undefined : changes.description_prepend_html + stored);
  return {
    ...current,
    ...(changes.title === undefined ? {} : { title: changes.title }),
    ...(description === undefined ? {} : { description_html: description }),
    ...(changes.priority === undefined ? {} : { priority: changes.priority }),
    ...(changes.start_date === undefined ? {} : { start_date: changes.start_date }),
    ...(changes.target_date === undefined ? {} : { target_date: changes.target_date }),
    ...(changes.parent_id === undefined ? {} : { parent_id: changes.parent_id }),
  };
}

export async function updateIssue(deps: GatewayDeps, ctx: CallContext, rawInput: z.input<typeof UpdateIssueInputSchema>) {
  const { idempotencyKey, dryRun: isDryRun = false, issueId, ...fields } = parseInput(UpdateIssueInputSchema, rawInput);
  const mode = fields.descriptionMode ?? 'replace';
  const html = fields.description === undefined ? undefined : markdownToHtml(fields.description);
  const spec = { tool: 'updateIssue', scope: 'issues:write' as const, issueRef: issueId, idempotencyKey, dryRun: isDryRun, input: fields };
  /** The PATCH body, once the stored issue is known (a replacement is bound to the text it replaces). */
  const changesFor = async (call: AgentCall, current: TaskerIssue): Promise<IssueChanges> => ({
    ...(fields.title !== undefined ? { title: fields.title } : {}),
    ...(html === undefined
      ? {}
      : mode === 'append'
        ? { description_append_html: html }
        : mode === 'prepend'
          ? { description_prepend_html: html }
          : { description_html: html, if_description_sha256: sha256(current.description_html) }),
    ...(fields.priority !== undefined ? { priority: fields.priority } : {}),
    ...(fields.startDate !== undefined ? { start_date: fields.startDate } : {}),
    ...(fields.targetDate !== undefined ? { target_date: fields.targetDate } : {}),
    ...(fields.clearParent ? { parent_id: null } : {}),
    ...(fields.parentId === undefined ? {} : { parent_id: (await checkParent(deps, call, current.project_id, fields.parentId, current.id)).id }),
  });
  return writeToIssue(deps, ctx, spec, {
    check: async (_call, { current }) => {
      const issue = current;
      checkDates(fields.startDate === undefined ? issue.start_date : fields.startDate, fields.targetDate === undefined ? issue.target_date : fields.targetDate);
      if (html !== undefined && mode === 'replace' && !fields.confirmRichContentLoss) {
        const rich = toIssueView(issue).richContent;
        if (rich.length > 0) {
          throw new GatewayError(
            'RICH_CONTENT_WOULD_BE_LOST',
            `the description holds ${rich.join(', ')} that Markdown cannot carry; replacing it would delete them. Use descriptionMode append or prepend, or confirmRichContentLoss: true if that loss is wanted`,
            { details: { richContent: rich } },
          );
        }
      }
    },
    plan: async (call, { current }) => {
      const before = toIssueView(current);
      return dryRun(issueChanges(before, toIssueView(predictUpdated(current, await changesFor(call, current)))));
    },
    write: async (call, key, { current }) => {
      const changes = await changesFor(call, current);
      const issue = noteTasker(call, await deps.tasker.updateIssue(call.caller, key, current.id, current.project_id, changes));
      checks.checkUpdated(issue, changes);
      const view = toIssueView(issue);
      return written(issueChanges(toIssueView(current), view), { issue: view });
    },
  });
}

export const MoveIssueInputSchema = z.strictObject({ issueId: TaskerIdSchema, stateId: TaskerIdSchema, ...KeyField, ...DryRunField });

export async function moveIssue(deps: GatewayDeps, ctx: CallContext, rawInput: z.input<typeof MoveIssueInputSchema>) {
  const { idempotencyKey, dryRun: isDryRun = false, issueId, stateId } = parseInput(MoveIssueInputSchema, rawInput);
  const spec = {
    tool: 'moveIssue',
    scope: 'issues:write' as const,
    issueRef: issueId,
    idempotencyKey,
    dryRun: isDryRun,
    input: { stateId },
    details: { stateId },
  };
  return writeToIssue(deps, ctx, spec, {
    check: async (call, { current }) => {
      if (isDryRun) await checkStateInProject(deps, call, current.project_id, stateId);
    },
    plan: async (_call, { current }) => dryRun(issueChanges(toIssueView(current), toIssueView({ ...current, state_id: stateId }))),
    write: async (call, key, { current }) => {
      const issue = noteTasker(call, await deps.tasker.moveIssue(call.caller, key, current.id, current.project_id, stateId));
      checks.checkMoved(issue, stateId);
      const view = toIssueView(issue);
      return written(issueChanges(toIssueView(current), view), { issue: view });
    },
  });
}
