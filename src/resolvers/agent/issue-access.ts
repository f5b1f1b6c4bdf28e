import type { Scope } from '../../auth/scopes.js';
import { forbidden } from '../../errors/gateway-error.js';
import type { TaskerIssue } from '../../tasker/contract.js';
import type { GatewayDeps } from '../context.js';
import { type AgentCall, noteTasker } from './agent-call.js';

/**
 * Issue-addressed calls learn the issue's project from Tasker first and are allowed only when the
 * agent holds `scope` on that project, so an issue id can never reach across a grant.
 */
export async function locateIssue(deps: GatewayDeps, call: AgentCall, issueId: string, scope: Scope): Promise<TaskerIssue> {
  call.record.targetType = 'issue';
  call.record.targetId = issueId;
  const issue = noteTasker(call, await deps.tasker.getIssue(call.caller, issueId));
  call.record.details.projectId = issue.project_id;
  if (!call.principal.grants.get(issue.project_id)?.has(scope)) {
    throw forbidden(`issue ${issueId} belongs to a project where this agent lacks ${scope}`, { issueId, scope });
  }
  return issue;
}
