import { z } from 'zod';
import { sortScopes } from '../../auth/scopes.js';
import { forbidden, GatewayError } from '../../errors/gateway-error.js';
import { parseInput } from '../../errors/zod.js';
import type { CallContext, GatewayDeps } from '../context.js';
import { DEFAULT_PAGE_SIZE, type Page, PageSizeSchema } from '../pagination.js';
import { noteTasker, runAgentCall } from './agent-call.js';
import { grantedProject } from './project-access.js';
import { TaskerIdSchema } from './inputs.js';
import {
  type ProjectContextView,
  type ProjectView,
  toLabelView,
  toMemberView,
  toProjectView,
  toStateView,
} from './views.js';

export interface GrantedProjectView {
  project: ProjectView;
  scopes: ReturnType<typeof sortScopes>;
}

export const ListProjectsInputSchema = z.strictObject({
  first: PageSizeSchema.default(DEFAULT_PAGE_SIZE),
  after: z.string().max(200).optional(),
});

/**
 * The projects the agent may read, as Tasker describes them now. A grant on a project Tasker no
 * longer shows to the owner is left out (and named in the audit event), not an error for the rest.
 */
export async function listProjects(
  deps: GatewayDeps,
  ctx: CallContext,
  rawInput: z.input<typeof ListProjectsInputSchema>,
): Promise<Page<GrantedProjectView>> {
  const input = parseInput(ListProjectsInputSchema, rawInput);
  return runAgentCall(deps, ctx, 'projects', async (call) => {
    const granted = [...call.principal.grants]
      .filter(([, scopes]) => scopes.has('projects:read'))
      .map(([projectId]) => projectId)
      .sort();
    const after = input.after === undefined ? undefined : Buffer.from(input.after, 'base64url').toString('utf8');
    const remaining = after === undefined ? granted : granted.filter((projectId) => projectId > after);
    const page = remaining.slice(0, input.first);
    const unavailable: string[] = [];
    const nodes = (
      await Promise.all(
        page.map(async (projectId) => {
          try {
            // By exact id: a grant names one project, never whatever a search for it would find.
            const { project } = noteTasker(call, await deps.tasker.projectContext(call.caller, projectId));
            if (project.id !== projectId) throw new GatewayError('NOT_FOUND', `Tasker answered for another project than ${projectId}`);
            return { project: toProjectView(project), scopes: sortScopes(call.principal.grants.get(projectId) ?? []) };
          } catch (error) {
            if (error instanceof GatewayError && (error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN')) {
              unavailable.push(projectId);
              return undefined;
            }
            throw error;
          }
        }),
      )
    ).filter((node): node is GrantedProjectView => node !== undefined);
    if (unavailable.length > 0) call.record.details.unavailableProjects = unavailable;
    const last = page.at(-1);
    return {
      nodes,
      pageInfo: {
        hasNextPage: remaining.length > page.length,
        endCursor: last === undefined ? null : Buffer.from(last).toString('base64url'),
      },
    };
  });
}

export async function resolveProject(deps: GatewayDeps, ctx: CallContext, query: string): Promise<ProjectView> {
  const text = parseInput(z.string().trim().min(1, { message: 'query must not be empty' }).max(200), query);
  return runAgentCall(deps, ctx, 'resolveProject', async (call) => {
    call.record.details.query = text;
    // One answer for "no such project", "the owner is not a member" and "not granted", so the
    // search cannot tell an agent which projects exist beyond its grants.
    const noGrantedMatch = () => forbidden(`no project granted to this agent matches "${text}"; call list_projects to see them`);
    let project;
    try {
      project = noteTasker(call, await deps.tasker.resolveProject(call.caller, text));
    } catch (error) {
      if (error instanceof GatewayError && (error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN')) throw noGrantedMatch();
      throw error;
    }
    call.record.targetType = 'project';
    call.record.targetId = project.id;
    if (!call.principal.grants.get(project.id)?.has('projects:read')) throw noGrantedMatch();
    return toProjectView(project);
  });
}

export async function projectContext(deps: GatewayDeps, ctx: CallContext, projectId: string): Promise<ProjectContextView> {
  const id = parseInput(TaskerIdSchema, projectId);
  return runAgentCall(deps, ctx, 'projectContext', async (call) => {
    const projectId = await grantedProject(deps, call, id, 'projects:read');
    const context = noteTasker(call, await deps.tasker.projectContext(call.caller, projectId));
    // Another project's states, labels and members shown as this one's would leak them and
    // mislead every write planned from them.
    if (context.project.id !== projectId) {
      throw new GatewayError('TASKER_BAD_RESPONSE', `Tasker answered with the context of another project than ${projectId}`);
    }
    return {
      project: toProjectView(context.project),
      states: context.states.map(toStateView),
      labels: context.labels.map(toLabelView),
      members: context.members.map(toMemberView),
    };
  });
}
