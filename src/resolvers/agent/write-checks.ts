import { GatewayError } from '../../errors/gateway-error.js';
import type { IssueChanges, NewIssue, TaskerComment, TaskerIssue } from '../../tasker/contract.js';

/**
 * Writes are checked, not trusted: Tasker answers with the issue as it holds it after the write,
 * and each check compares that with what was asked. A "success" that changed nothing is a known
 * failure of tracker integrations; it becomes TASKER_WRITE_NOT_APPLIED instead of a false yes.
 */
function notApplied(what: string[]): GatewayError {
  return new GatewayError(
    'TASKER_WRITE_NOT_APPLIED',
    `Tasker reported success but the issue does not show the change (${what.join(', ')}); nothing is confirmed, check the issue before retrying`,
    { details: { mismatched: what } },
  );
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && new Set([...a, ...b]).size === new Set(a).size;

function changedFieldsMissing(issue: TaskerIssue, changes: IssueChanges): string[] {
  const missing: string[] = [];
  for (const field of ['title', 'description', 'priority', 'start_date', 'target_date'] as const) {
    if (changes[field] !== undefined && issue[field] !== changes[field]) missing.push(field);
  }
  return missing;
}

export function checkCreated(issue: TaskerIssue, asked: NewIssue): void {
  const missing = changedFieldsMissing(issue, asked);
  if (issue.project_id !== asked.project_id) missing.push('project_id');
  if (asked.state_id !== undefined && issue.state_id !== asked.state_id) missing.push('state_id');
  if (asked.label_ids !== undefined && !sameSet(issue.label_ids, asked.label_ids)) missing.push('label_ids');
  if (asked.assignee_ids !== undefined && !sameSet(issue.assignee_ids, asked.assignee_ids)) missing.push('assignee_ids');
  if (missing.length > 0) throw notApplied(missing);
}

export function checkUpdated(issue: TaskerIssue, changes: IssueChanges): void {
  const missing = changedFieldsMissing(issue, changes);
  if (missing.length > 0) throw notApplied(missing);
}

export function checkMoved(issue: TaskerIssue, stateId: string): void {
  if (issue.state_id !== stateId) throw notApplied(['state_id']);
}

export function checkLabels(issue: TaskerIssue, labelIds: string[]): void {
  if (!sameSet(issue.label_ids, labelIds)) throw notApplied(['label_ids']);
}

export function checkAssignees(issue: TaskerIssue, assigneeIds: string[]): void {
  if (!sameSet(issue.assignee_ids, assigneeIds)) throw notApplied(['assignee_ids']);
}

export function checkCommented(comment: TaskerComment, issueId: string, body: string): void {
  const missing: string[] = [];
  if (comment.issue_id !== issueId) missing.push('comment.issue_id');
  if (comment.body !== body) missing.push('comment.body');
  if (missing.length > 0) throw notApplied(missing);
}
