import type { Priority, TaskerComment, TaskerIssue, TaskerLabel, TaskerMember, TaskerProject, TaskerState } from '../../tasker/contract.js';
import { stripInvisible, stripInvisibleOrNull } from '../../tasker/text-safety.js';

/** Tasker's answers as agents see them: camelCase, and every human-written text made safe. */
export interface ProjectView {
  id: string;
  identifier: string;
  name: string;
  description: string | null;
  workspace: { id: string; slug: string; name: string };
}

export interface StateView {
  id: string;
  name: string;
  group: TaskerState['group'];
  color: string;
  sequence: number;
}

export interface LabelView {
  id: string;
  name: string;
  color: string;
}

export interface MemberView {
  userId: string;
  email: string;
  displayName: string;
  role: TaskerMember['role'];
}

export interface ProjectContextView {
  project: ProjectView;
  states: StateView[];
  labels: LabelView[];
  members: MemberView[];
}

export interface IssueView {
  id: string;
  projectId: string;
  sequenceId: number;
  key: string;
  title: string;
  description: string | null;
  priority: Priority;
  stateId: string;
  labelIds: string[];
  assigneeIds: string[];
  startDate: string | null;
  targetDate: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CommentView {
  id: string;
  issueId: string;
  body: string;
  agentId: string;
  ownerUserId: string;
  createdAt: string;
}

export const toProjectView = (project: TaskerProject): ProjectView => ({
  id: project.id,
  identifier: stripInvisible(project.identifier),
  name: stripInvisible(project.name),
  description: stripInvisibleOrNull(project.description),
  workspace: { id: project.workspace.id, slug: project.workspace.slug, name: stripInvisible(project.workspace.name) },
});

export const toStateView = (state: TaskerState): StateView => ({ ...state, name: stripInvisible(state.name) });
export const toLabelView = (label: TaskerLabel): LabelView => ({ ...label, name: stripInvisible(label.name) });
export const toMemberView = (member: TaskerMember): MemberView => ({
  userId: member.user_id,
  email: member.email,
  displayName: stripInvisible(member.display_name),
  role: member.role,
});

export const toIssueView = (issue: TaskerIssue): IssueView => ({
  id: issue.id,
  projectId: issue.project_id,
  sequenceId: issue.sequence_id,
  key: issue.key,
  title: stripInvisible(issue.title),
  description: stripInvisibleOrNull(issue.description),
  priority: issue.priority,
  stateId: issue.state_id,
  labelIds: issue.label_ids,
  assigneeIds: issue.assignee_ids,
  startDate: issue.start_date,
  targetDate: issue.target_date,
  createdAt: issue.created_at,
  updatedAt: issue.updated_at,
});

export const toCommentView = (comment: TaskerComment): CommentView => ({
  id: comment.id,
  issueId: comment.issue_id,
  body: stripInvisible(comment.body),
  agentId: comment.actor.agent_id,
  ownerUserId: comment.actor.owner_user_id,
  createdAt: comment.created_at,
});
