import type { Scope } from '../../auth/scopes.js';
import { conflict, GatewayError } from '../../errors/gateway-error.js';
import type { GatewayDeps } from '../context.js';
import { type AgentCall, noteTasker, requireProjectScope } from './agent-call.js';
import { PROJECT_IDENTIFIER_PATTERN } from './inputs.js';

/**
 * The project a tool names, by id or by identifier (DEMO), checked against the grant for `scope`.
 * A granted id is taken as it is; anything else that looks like an identifier is resolved by
 * Tasker and accepted only on an exact identifier match, so a name or a substring never stands in
 * for a project. What does not resolve to a granted project gets the ordinary "no grant" refusal,
 * whether the project exists or not.
 */
export async function grantedProject(deps: GatewayDeps, call: AgentCall, projectRef: string, scope: Scope): Promise<string> {
  call.record.targetType = 'project';
  call.record.targetId = projectRef;
  const projectId = call.principal.grants.has(projectRef) ? projectRef : await identifierToId(deps, call, projectRef);
  call.record.targetId = projectId;
  requireProjectScope(call, projectId, scope);
  return projectId;
}

async function identifierToId(deps: GatewayDeps, call: AgentCall, projectRef: string): Promise<string> {
  if (!PROJECT_IDENTIFIER_PATTERN.test(projectRef)) return projectRef;
  let project;
  try {
    project = noteTasker(call, await deps.tasker.resolveProject(call.caller, projectRef));
  } catch (error) {
    if (error instanceof GatewayError && (error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN')) return projectRef;
    if (error instanceof GatewayError && error.code === 'CONFLICT') {
      throw conflict(`"${projectRef}" names several projects; use the project id from list_projects`);
    }
    throw error;
  }
  // A project found but not granted is refused under the name the agent used, never its id.
  if (project.identifier.toLowerCase() !== projectRef.toLowerCase() || !call.principal.grants.has(project.id)) return projectRef;
  call.record.details.projectRef = projectRef;
  return project.id;
}
