import * as planning from '../resolvers/agent/planning.js';
import type { CycleView, ModuleView } from '../resolvers/agent/views.js';
import { CYCLE_STATUSES, MODULE_STATUSES } from '../tasker/contract.js';
import { dryRunArg, idempotencyKeyArg, idsOrNull, writeArgs } from './args.js';
import { builder } from './builder.js';
import { withoutNulls } from './scalars.js';
import { WriteResultRef } from './writes.js';

const CycleStatusEnum = builder.enumType('CycleStatus', { values: CYCLE_STATUSES });
const ModuleStatusEnum = builder.enumType('ModuleStatus', { values: MODULE_STATUSES.map((status) => status.replace('-', '_')) });

const Cycle = builder.objectRef<CycleView>('Cycle').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    status: t.field({ type: CycleStatusEnum, resolve: (cycle) => cycle.status }),
    startDate: t.exposeString('startDate', { nullable: true }),
    endDate: t.exposeString('endDate', { nullable: true }),
  }),
});

const Module = builder.objectRef<ModuleView>('Module').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    status: t.field({ type: ModuleStatusEnum, resolve: (module) => module.status.replace('-', '_') }),
    startDate: t.exposeString('startDate', { nullable: true }),
    targetDate: t.exposeString('targetDate', { nullable: true }),
  }),
});

const Planning = builder.objectRef<planning.PlanningView>('ProjectPlanning').implement({
  fields: (t) => ({
    cycles: t.field({ type: [Cycle], resolve: (view) => view.cycles }),
    modules: t.field({ type: [Module], resolve: (view) => view.modules }),
  }),
});

builder.queryFields((t) => ({
  projectPlanning: t.field({
    type: Planning,
    description: 'Agent: a project’s cycles (with dates and status) and modules.',
    authScopes: { agentScope: 'projects:read' },
    args: { projectId: t.arg.id({ required: true, description: 'Project id or identifier (e.g. DEMO).' }) },
    resolve: (_root, args, ctx) => planning.projectPlanning(ctx.deps, ctx, String(args.projectId)),
  }),
}));

builder.mutationFields((t) => ({
  planIssue: t.field({
    type: WriteResultRef,
    description: 'Puts an issue into a cycle (cycleId) or out of it (leaveCycle), or into and out of modules.',
    authScopes: { agentScope: 'planning:write' },
    args: {
      issueId: t.arg.id({ required: true }),
      cycleId: t.arg.id(),
      leaveCycle: t.arg.boolean(),
      addModuleIds: t.arg.idList(),
      removeModuleIds: t.arg.idList(),
      idempotencyKey: t.arg.string(idempotencyKeyArg),
      dryRun: t.arg.boolean(dryRunArg),
    },
    resolve: (_root, args, ctx) =>
      planning.planIssue(ctx.deps, ctx, {
        issueId: String(args.issueId),
        ...withoutNulls({
          cycleId: args.cycleId == null ? null : String(args.cycleId),
          leaveCycle: args.leaveCycle,
          addModuleIds: idsOrNull(args.addModuleIds),
          removeModuleIds: idsOrNull(args.removeModuleIds),
        }),
        ...writeArgs(args),
      }),
  }),
}));
