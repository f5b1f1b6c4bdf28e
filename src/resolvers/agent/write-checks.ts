import { GatewayError } from '../../errors/gateway-error.js';
import { htmlToMarkdown } from '../../rich-text/index.js';
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

/**
 * Tasker sanitizes HTML as Plane does, so markup may come back spelled differently; what must
 * survive is the text, compared as Markdown.
 */
const text = (html: string) => htmlToMarkdown(html).markdown;
const holdsText = (stored: string, sent: string) => text(stored).includes(text(sent));

function changedFieldsMissing(issue: TaskerIssue, changes: IssueChanges | NewIssue): string[] {
  const missing: string[] = [];
  for (const field of ['title', 'priority', 'start_date', 'target_date', 'parent_id'] as const) {
    const wanted = (changes as Record<string, unknown>)[field];
    if (wanted !== undefined && issue[field] !== wanted) missing.push(field);
  }
  const description =
    changes.description_html ??
    ('description_append_html' in changes ? changes.description_append_html : undefined) ??
    ('description_prepend_html' in changes ? changes.description_prepend_html : undefined);
  if (description !== undefined && !holdsText(issue.description_html, description)) missing.push('description_html');
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

/** A delta is applied when every added id is there and every removed one is gone. */
export function checkDelta(actual: readonly string[], delta: { add: readonly string[]; remove: readonly string[] }, field: string): void {
  const has = new Set(actual);
  if (delta.add.some((id) => !has.has(id)) || delta.remove.some((id) => has.has(id) && !delta.add.includes(id))) throw notApplied([field]);
}

export function checkCycle(issue: TaskerIssue, cycleId: string | null): void {
  if (issue.cycle_id !== cycleId) throw notApplied(['cycle_id']);
}

export function checkCommented(comment: TaskerComment, issueId: string, html: string): void {
  const missing: string[] = [];
  if (comment.issue_id !== issueId) missing.push('comment.issue_id');
  if (!holdsText(comment.comment_html, html)) missing.push('comment.comment_html');
  if (missing.length > 0) throw notApplied(missing);
}
