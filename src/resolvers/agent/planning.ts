import { z } from 'zod';
import { badInput } from '../../errors/gateway-error.js';
import { parseInput } from '../../errors/zod.js';
import type { CallContext, GatewayDeps } from '../context.js';
import { noteTasker, runAgentCall } from './agent-call.js';
import { DryRunField, IdListSchema, KeyField, TaskerIdSchema } from './inputs.js';
import { grantedProject } from './project-access.js';
import { type CycleView, type ModuleView, toCycleView, toIssueView, toModuleView } from './views.js';
import * as checks from './write-checks.js';
import { writeToIssue } from './write-frame.js';
import { dryRun, issueChanges, written } from './write-result.js';

export interface PlanningView {
  cycles: CycleView[];
  modules: ModuleView[];
}

/** A project's cycles (with dates and Plane's computed status) and modules. */
export async function projectPlanning(deps: GatewayDeps, ctx: CallContext, projectRef: string): Promise<PlanningView> {
  const ref = parseInput(TaskerIdSchema, projectRef);
  return runAgentCall(deps, ctx, 'projectPlanning', async (call) => {
    const projectId = await grantedProject(deps, call, ref, 'projects:read');
    const [cycles, modules] = await Promise.all([deps.tasker.listCycles(call.caller, projectId), deps.tasker.listModules(call.caller, projectId)]);
    return { cycles: noteTasker(call, cycles).map(toCycleView), modules: noteTasker(call, modules).map(toModuleView) };
  });
}

export const PlanIssueInputSchema = z
  .strictObject({
    issueId: TaskerIdSchema,
    /** The cycle to put the issue in (an issue is in at most one cycle). */
    cycleId: TaskerIdSchema.optional(),
    /** Takes the issue out of its cycle. */
    leaveCycle: z.boolean().optional(),
    addModuleIds: IdListSchema.optional(),
    removeModuleIds: IdListSchema.optional(),
    ...KeyField,
    ...DryRunField,
  })
  .refine((input) => [input.cycleId, input.leaveCycle || undefined, input.addModuleIds, input.removeModuleIds].filter((v) => v !== undefined).length === 1
    || (input.addModuleIds !== undefined && input.removeModuleIds !== undefined && input.cycleId === undefined && !input.leaveCycle), {
    message: 'do one thing per call: cycleId, leaveCycle, or addModuleIds/removeModuleIds',
  });

/** Puts an issue into a cycle or takes it out, or adds it to and removes it from modules. */
export async function planIssue(deps: GatewayDeps, ctx: CallContext, rawInput: z.input<typeof PlanIssueInputSchema>) {
  const { idempotencyKey, dryRun: isDryRun = false, issueId, leaveCycle, ...rest } = parseInput(PlanIssueInputSchema, rawInput);
  const input = { ...rest, ...(leaveCycle ? { cycleId: null } : {}) } as { cycleId?: string | null; addModuleIds?: string[]; removeModuleIds?: string[] };
  const spec = { tool: 'planIssue', scope: 'planning:write' as const, issueRef: issueId, idempotencyKey, dryRun: isDryRun, input };
  const delta = { add: input.addModuleIds ?? [], remove: (input.removeModuleIds ?? []).filter((id) => !(input.addModuleIds ?? []).includes(id)) };
  return writeToIssue(deps, ctx, spec, {
    check: async (call, { current }) => {
      if (input.cycleId !== undefined && input.cycleId !== null) {
        const cycle = noteTasker(call, await deps.tasker.listCycles(call.caller, current.project_id)).find((candidate) => candidate.id === input.cycleId);
        if (!cycle) throw badInput(`cycle ${input.cycleId} is not a cycle of this project; get_project_planning lists them`, { field: 'cycleId' });
        if (cycle.status === 'completed') throw badInput(`cycle ${cycle.name} is completed; Tasker adds no issues to a completed cycle`, { field: 'cycleId' });
      }
      if (delta.add.length + delta.remove.length > 0) {
        const known = new Set(noteTasker(call, await deps.tasker.listModules(call.caller, current.project_id)).map((module) => module.id));
        const unknown = [...delta.add, ...delta.remove].filter((id) => !known.has(id));
        if (unknown.length > 0) throw badInput(`not modules of this project: ${unknown.join(', ')}`, { field: 'addModuleIds', unknown });
      }
    },
    plan: async (_call, { current }) => {
      const next =
        input.cycleId !== undefined
          ? { ...current, cycle_id: input.cycleId }
          : { ...current, module_ids: [...new Set([...current.module_ids, ...delta.add])].filter((id) => !delta.remove.includes(id)) };
      return dryRun(issueChanges(toIssueView(current), toIssueView(next)));
    },
    write: async (call, key, { current }) => {
      const target = { idempotencyKey: key, issueId: current.id, projectId: current.project_id };
      const issue =
        input.cycleId !== undefined
          ? noteTasker(call, await deps.tasker.setCycle(call.caller, target, input.cycleId))
          : noteTasker(call, await deps.tasker.changeModules(call.caller, target, delta));
      if (input.cycleId !== undefined) checks.checkCycle(issue, input.cycleId);
      else checks.checkDelta(issue.module_ids, delta, 'module_ids');
      const view = toIssueView(issue);
      return written(issueChanges(toIssueView(current), view), { issue: view });
    },
  });
}
