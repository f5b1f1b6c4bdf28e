import { z } from 'zod';
import { parseInput } from '../../errors/zod.js';
import type { SetDelta, TaskerIssue } from '../../tasker/contract.js';
import type { CallContext, GatewayDeps } from '../context.js';
import { type AgentCall, noteTasker } from './agent-call.js';
import { DryRunField, IdListSchema, KeyField, TaskerIdSchema } from './inputs.js';
import { toIssueView } from './views.js';
import * as checks from './write-checks.js';
import { checkAssigneesMayBeAssigned, checkLabelsInProject } from './write-guards.js';
import { writeToIssue } from './write-frame.js';
import { dryRun, issueChanges, written } from './write-result.js';

/**
 * Labels and assignees change either as a whole set (`ids`) or by delta (`add`/`remove`), so two
 * agents editing one issue do not undo each other.
 */
const ONE_MODE = (whole: string, add: string, remove: string) => ({
  message: `give either ${whole} (the whole set) or ${add}/${remove} (a change), not both and not neither`,
});
const oneMode = (whole: unknown, add: unknown, remove: unknown) => (whole !== undefined) !== (add !== undefined || remove !== undefined);

export const SetIssueLabelsInputSchema = z
  .strictObject({
    issueId: TaskerIdSchema,
    labelIds: IdListSchema.optional(),
    addLabelIds: IdListSchema.optional(),
    removeLabelIds: IdListSchema.optional(),
    ...KeyField,
    ...DryRunField,
  })
  .refine((input) => oneMode(input.labelIds, input.addLabelIds, input.removeLabelIds), ONE_MODE('labelIds', 'addLabelIds', 'removeLabelIds'));

export const SetIssueAssigneesInputSchema = z
  .strictObject({
    issueId: TaskerIdSchema,
    assigneeIds: IdListSchema.optional(),
    addAssigneeIds: IdListSchema.optional(),
    removeAssigneeIds: IdListSchema.optional(),
    ...KeyField,
    ...DryRunField,
  })
  .refine(
    (input) => oneMode(input.assigneeIds, input.addAssigneeIds, input.removeAssigneeIds),
    ONE_MODE('assigneeIds', 'addAssigneeIds', 'removeAssigneeIds'),
  );

type Change = { whole: string[] } | { delta: SetDelta };

function apply(current: readonly string[], change: Change): string[] {
  if ('whole' in change) return change.whole;
  const removed = new Set(change.delta.remove.filter((id) => !change.delta.add.includes(id)));
  return [...new Set([...current, ...change.delta.add])].filter((id) => !removed.has(id));
}

interface SetKind {
  tool: 'setIssueLabels' | 'setIssueAssignees';
  scope: 'labels:write' | 'assignees:write';
  field: 'label_ids' | 'assignee_ids';
  guard: (deps: GatewayDeps, call: AgentCall, projectId: string, ids: readonly string[]) => Promise<void>;
  replace: (deps: GatewayDeps, call: AgentCall, key: string, issue: TaskerIssue, ids: string[]) => Promise<TaskerIssue>;
  change: (deps: GatewayDeps, call: AgentCall, key: string, issue: TaskerIssue, delta: SetDelta) => Promise<TaskerIssue>;
}

const LABELS: SetKind = {
  tool: 'setIssueLabels',
  scope: 'labels:write',
  field: 'label_ids',
  guard: checkLabelsInProject,
  replace: async (deps, call, key, issue, ids) => noteTasker(call, await deps.tasker.setLabels(call.caller, key, issue.id, issue.project_id, ids)),
  change: async (deps, call, key, issue, delta) =>
    noteTasker(call, await deps.tasker.changeLabels(call.caller, { idempotencyKey: key, issueId: issue.id, projectId: issue.project_id }, delta)),
};

const ASSIGNEES: SetKind = {
  tool: 'setIssueAssignees',
  scope: 'assignees:write',
  field: 'assignee_ids',
  guard: checkAssigneesMayBeAssigned,
  replace: async (deps, call, key, issue, ids) => noteTasker(call, await deps.tasker.setAssignees(call.caller, key, issue.id, issue.project_id, ids)),
  change: async (deps, call, key, issue, delta) =>
    noteTasker(call, await deps.tasker.changeAssignees(call.caller, { idempotencyKey: key, issueId: issue.id, projectId: issue.project_id }, delta)),
};

async function changeSet(
  deps: GatewayDeps,
  ctx: CallContext,
  kind: SetKind,
  issueId: string,
  change: Change,
  options: { idempotencyKey: string | undefined; dryRun: boolean; input: Record<string, unknown> },
) {
  const spec = { tool: kind.tool, scope: kind.scope, issueRef: issueId, idempotencyKey: options.idempotencyKey, dryRun: options.dryRun, input: options.input };
  const added = 'whole' in change ? change.whole : change.delta.add;
  return writeToIssue(deps, ctx, spec, {
    // Removing needs no check: an id that is not there is simply not there afterwards.
    check: async (call, { current }) => kind.guard(deps, call, current.project_id, added),
    plan: async (_call, { current }) =>
      dryRun(issueChanges(toIssueView(current), toIssueView({ ...current, [kind.field]: apply(current[kind.field], change) }))),
    write: async (call, key, { current }) => {
      const issue = 'whole' in change ? await kind.replace(deps, call, key, current, change.whole) : await kind.change(deps, call, key, current, change.delta);
      if ('whole' in change) (kind === LABELS ? checks.checkLabels : checks.checkAssignees)(issue, change.whole);
      else checks.checkDelta(issue[kind.field], change.delta, kind.field);
      const view = toIssueView(issue);
      return written(issueChanges(toIssueView(current), view), { issue: view });
    },
  });
}

const changeOf = (whole: string[] | undefined, add: string[] | undefined, remove: string[] | undefined): Change =>
  whole !== undefined ? { whole } : { delta: { add: add ?? [], remove: remove ?? [] } };

export async function setIssueLabels(deps: GatewayDeps, ctx: CallContext, rawInput: z.input<typeof SetIssueLabelsInputSchema>) {
  const { idempotencyKey, dryRun: isDryRun = false, issueId, ...input } = parseInput(SetIssueLabelsInputSchema, rawInput);
  const change = changeOf(input.labelIds, input.addLabelIds, input.removeLabelIds);
  return changeSet(deps, ctx, LABELS, issueId, change, { idempotencyKey, dryRun: isDryRun, input });
}

export async function setIssueAssignees(deps: GatewayDeps, ctx: CallContext, rawInput: z.input<typeof SetIssueAssigneesInputSchema>) {
  const { idempotencyKey, dryRun: isDryRun = false, issueId, ...input } = parseInput(SetIssueAssigneesInputSchema, rawInput);
  const change = changeOf(input.assigneeIds, input.addAssigneeIds, input.removeAssigneeIds);
  return changeSet(deps, ctx, ASSIGNEES, issueId, change, { idempotencyKey, dryRun: isDryRun, input });
}
