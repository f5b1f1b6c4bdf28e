import { z } from 'zod';
import { badInput, GatewayError } from '../../errors/gateway-error.js';
import { parseInput } from '../../errors/zod.js';
import { RELATION_TYPES, type TaskerIssue, type TaskerRelation } from '../../tasker/contract.js';
import type { CallContext, GatewayDeps } from '../context.js';
import { type AgentCall, noteTasker, runAgentCall } from './agent-call.js';
import { DryRunField, KeyField, TaskerIdSchema } from './inputs.js';
import { locateIssue } from './issue-access.js';
import { type RelationView, toRelationView } from './views.js';
import { writeToIssue } from './write-frame.js';
import { dryRun, written } from './write-result.js';

/** Only related issues in projects the agent may read are shown; the rest are none of its business. */
function visible(call: AgentCall, relations: TaskerRelation[]): RelationView[] {
  const shown = relations.filter((relation) => call.principal.grants.get(relation.issue.project_id)?.has('issues:read'));
  if (shown.length < relations.length) call.record.details.hiddenRelations = relations.length - shown.length;
  return shown.map(toRelationView);
}

export async function issueRelations(deps: GatewayDeps, ctx: CallContext, issueId: string): Promise<RelationView[]> {
  const ref = parseInput(TaskerIdSchema, issueId);
  return runAgentCall(deps, ctx, 'issueRelations', async (call) => {
    const issue = await locateIssue(deps, call, ref, 'issues:read');
    return visible(call, noteTasker(call, await deps.tasker.listRelations(call.caller, issue.id)));
  });
}

export const RelationInputSchema = z.strictObject({
  issueId: TaskerIdSchema,
  type: z.enum(RELATION_TYPES),
  relatedIssueId: TaskerIdSchema,
  remove: z.boolean().optional(),
  ...KeyField,
  ...DryRunField,
});

/** The other issue (by id or key) must be one the agent may read; otherwise it is as if it did not exist. */
async function relatedIssue(deps: GatewayDeps, call: AgentCall, ref: string): Promise<TaskerIssue> {
  const missing = () => badInput(`no issue ${ref} in the projects granted to this agent`, { field: 'relatedIssueId' });
  let related: TaskerIssue;
  try {
    related = noteTasker(call, await deps.tasker.getIssue(call.caller, ref));
  } catch (error) {
    if (error instanceof GatewayError && (error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN')) throw missing();
    throw error;
  }
  if (!call.principal.grants.get(related.project_id)?.has('issues:read')) throw missing();
  return related;
}

/** Adds (or with `remove`, removes) one relation: blocks, blocked_by, relates_to or duplicate_of. */
export async function relateIssues(deps: GatewayDeps, ctx: CallContext, rawInput: z.input<typeof RelationInputSchema>) {
  const { idempotencyKey, dryRun: isDryRun = false, issueId, type, relatedIssueId, remove = false } = parseInput(RelationInputSchema, rawInput);
  const tool = remove ? 'removeIssueRelation' : 'addIssueRelation';
  const spec = { tool, scope: 'relations:write' as const, issueRef: issueId, idempotencyKey, dryRun: isDryRun, input: { type, relatedIssueId, remove } };
  const describe = (related: TaskerIssue) => ({ type, issue: related.key });
  return writeToIssue(deps, ctx, spec, {
    check: async (call, { current }) => {
      const related = await relatedIssue(deps, call, relatedIssueId);
      if (related.id === current.id) throw badInput('an issue cannot be related to itself', { field: 'relatedIssueId' });
    },
    plan: async (call, { current }) => {
      const related = await relatedIssue(deps, call, relatedIssueId);
      const existing = noteTasker(call, await deps.tasker.listRelations(call.caller, current.id));
      const present = existing.some((relation) => relation.issue.id === related.id && relation.relation_type === type);
      if (remove && !present) throw new GatewayError('NOT_FOUND', `${current.key} has no ${type} relation to ${related.key}`);
      const other = existing.find((relation) => relation.issue.id === related.id && relation.relation_type !== type);
      if (!remove && other) {
        throw new GatewayError('CONFLICT', `${current.key} is already ${other.relation_type} ${related.key}; remove that relation first`);
      }
      if (present !== remove) return dryRun([]);
      return dryRun([{ field: 'relation', before: remove ? describe(related) : null, after: remove ? null : describe(related) }]);
    },
    write: async (call, key, { current }) => {
      const related = await relatedIssue(deps, call, relatedIssueId);
      const target = { idempotencyKey: key, issueId: current.id, projectId: current.project_id };
      const relations = remove
        ? noteTasker(call, await deps.tasker.removeRelation(call.caller, target, type, related.id))
        : noteTasker(call, await deps.tasker.addRelation(call.caller, target, type, related.id));
      const present = relations.some((relation) => relation.issue.id === related.id && relation.relation_type === type);
      if (present === remove) {
        throw new GatewayError('TASKER_WRITE_NOT_APPLIED', 'Tasker reported success but the relation list does not show the change; check the issue before retrying', {
          details: { mismatched: ['relations'] },
        });
      }
      return written([{ field: 'relation', before: remove ? describe(related) : null, after: remove ? null : describe(related) }], {
        relations: visible(call, relations),
      });
    },
  });
}
