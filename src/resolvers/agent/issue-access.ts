import type { Scope } from '../../auth/scopes.js';
import { forbidden, GatewayError, notFound } from '../../errors/gateway-error.js';
import type { TaskerIssue } from '../../tasker/contract.js';
import type { GatewayDeps } from '../context.js';
import { type AgentCall, noteTasker } from './agent-call.js';

/**
 * One answer for "no such issue", "the owner cannot see it in Tasker" and "its project is not
 * granted to this agent", so an issue id or key tells an agent nothing beyond its grants.
 */
const issueNotFound = (issueRef: string) =>
  notFound(`no issue ${issueRef} in the projects granted to this agent`);

/**
 * Issue-addressed calls learn the issue's project from Tasker first and are allowed only when the
 * agent holds `scope` on that project, so an issue id can never reach across a grant.
 */
export async function locateIssue(deps: GatewayDeps, call: AgentCall, issueId: string, scope: Scope): Promise<TaskerIssue> {
  call.record.targetType = 'issue';
  call.record.targetId = issueId;
  let issue: TaskerIssue;
  try {
    issue = noteTasker(call, await deps.tasker.getIssue(call.caller, issueId));
  } catch (error) {
    if (error instanceof GatewayError && (error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN')) throw issueNotFound(issueId);
    throw error;
  }
  call.record.details.projectId = issue.project_id;
  // Addressed by key (DEMO-12): the audit keeps the id, and the key the agent used.
  if (issue.id !== issueId) {
    call.record.targetId = issue.id;
    call.record.details.issueRef = issueId;
  }
  const granted = call.principal.grants.get(issue.project_id);
  if (granted === undefined) {
    call.record.denial = `FORBIDDEN: issue ${issueId} belongs to project ${issue.project_id}, which is not granted to this agent`;
    throw issueNotFound(issueId);
  }
  if (!granted.has(scope)) {
    throw forbidden(`the agent's grant on project ${issue.project_id} does not include ${scope}; ask its owner to add it in the Launcher`, {
      projectId: issue.project_id,
      scope,
    });
  }
  return issue;
}
