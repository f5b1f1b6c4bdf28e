import { htmlToMarkdown, type RichContentKind } from '../../rich-text/index.js';
import type {
  MemberRole,
  Priority,
  RelationType,
  StateGroup,
  TaskerActivity,
  TaskerActor,
  TaskerComment,
  TaskerCycle,
  TaskerIssue,
  TaskerLabel,
  TaskerLink,
  TaskerMember,
  TaskerModule,
  TaskerProject,
  TaskerRelation,
  TaskerState,
} from '../../tasker/contract.js';
import { stripInvisible, stripInvisibleOrNull } from '../../tasker/text-safety.js';

/** Tasker's answers as agents see them: camelCase, Markdown for HTML, and every human-written text made safe. */
export interface ProjectView {
  id: string;
  identifier: string;
  name: string;
  description: string | null;
  workspace: { id: string; slug: string; name: string };
  /** The owner's role in the project; a guest's agent may read but not write. */
  ownerRole: MemberRole;
}

export interface StateView {
  id: string;
  name: string;
  group: StateGroup;
  color: string;
  sequence: number;
  isDefault: boolean;
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
  role: MemberRole;
}

export interface ProjectContextView {
  project: ProjectView;
  states: StateView[];
  labels: LabelView[];
  members: MemberView[];
}

/** Who did something: a person, or an agent acting for that person. */
export interface ActorView {
  kind: 'person' | 'agent';
  userId: string;
  displayName: string;
  agentId: string | null;
}

export interface IssueView {
  id: string;
  projectId: string;
  sequenceId: number;
  key: string;
  title: string;
  /** Markdown, converted from Tasker's HTML. */
  description: string;
  /** What the description holds that Markdown cannot carry (replacing it needs confirmation). */
  richContent: RichContentKind[];
  priority: Priority;
  stateId: string | null;
  stateGroup: StateGroup | null;
  parentId: string | null;
  labelIds: string[];
  assigneeIds: string[];
  cycleId: string | null;
  moduleIds: string[];
  startDate: string | null;
  targetDate: string | null;
  archived: boolean;
  draft: boolean;
  createdBy: ActorView;
  createdAt: string;
  updatedAt: string;
}

export interface CommentView {
  id: string;
  issueId: string;
  /** Markdown. */
  body: string;
  author: ActorView;
  createdAt: string;
  editedAt: string | null;
}

export interface ActivityView {
  id: string;
  verb: string;
  field: string | null;
  oldValue: string | null;
  newValue: string | null;
  actor: ActorView;
  createdAt: string;
}

export interface RelationView {
  type: RelationType;
  issue: { id: string; key: string; projectId: string; title: string; stateGroup: StateGroup | null };
}

export interface LinkView {
  id: string;
  url: string;
  title: string | null;
  createdBy: ActorView;
  createdAt: string;
}

export interface CycleView {
  id: string;
  name: string;
  status: TaskerCycle['status'];
  startDate: string | null;
  endDate: string | null;
}

export interface ModuleView {
  id: string;
  name: string;
  status: TaskerModule['status'];
  startDate: string | null;
  targetDate: string | null;
}

export const toProjectView = (project: TaskerProject): ProjectView => ({
  id: project.id,
  identifier: stripInvisible(project.identifier),
  name: stripInvisible(project.name),
  description: stripInvisibleOrNull(project.description),
  workspace: { id: project.workspace.id, slug: project.workspace.slug, name: stripInvisible(project.workspace.name) },
  ownerRole: project.owner_role,
});

export const toStateView = (state: TaskerState): StateView => ({
  id: state.id,
  name: stripInvisible(state.name),
  group: state.group,
  color: state.color,
  sequence: state.sequence,
  isDefault: state.is_default,
});
export const toLabelView = (label: TaskerLabel): LabelView => ({ ...label, name: stripInvisible(label.name) });
export const toMemberView = (member: TaskerMember): MemberView => ({
  userId: member.user_id,
  email: member.email,
  displayName: stripInvisible(member.display_name),
  role: member.role,
});

export const toActorView = (actor: TaskerActor): ActorView => ({
  kind: actor.agent_id === null ? 'person' : 'agent',
  userId: actor.user_id,
  displayName: stripInvisible(actor.display_name),
  agentId: actor.agent_id,
});

/** Tasker's HTML as Markdown, with invisible characters stripped. */
export function readableText(html: string): { markdown: string; richContent: RichContentKind[] } {
  const view = htmlToMarkdown(html);
  return { markdown: stripInvisible(view.markdown), richContent: view.richContent };
}

export const toIssueView = (issue: TaskerIssue): IssueView => {
  // Turning the description's HTML into Markdown is by far the costliest part of a view, so it
  // happens when the description is read: a list that does not ask for it never pays for it.
  let description: ReturnType<typeof readableText> | undefined;
  const readable = () => (description ??= readableText(issue.description_html));
  return {
    id: issue.id,
    projectId: issue.project_id,
    sequenceId: issue.sequence_id,
    key: issue.key,
    title: stripInvisible(issue.title),
    get description() {
      return readable().markdown;
    },
    get richContent() {
      return readable().richContent;
    },
    priority: issue.priority,
    stateId: issue.state_id,
    stateGroup: issue.state_group,
    parentId: issue.parent_id,
    labelIds: issue.label_ids,
    assigneeIds: issue.assignee_ids,
    cycleId: issue.cycle_id,
    moduleIds: issue.module_ids,
    startDate: issue.start_date,
    targetDate: issue.target_date,
    archived: issue.archived_at !== null,
    draft: issue.is_draft,
    createdBy: toActorView(issue.created_by),
    createdAt: issue.created_at,
    updatedAt: issue.updated_at,
  };
};

export const toCommentView = (comment: TaskerComment): CommentView => ({
  id: comment.id,
  issueId: comment.issue_id,
  body: readableText(comment.comment_html).markdown,
  author: toActorView(comment.actor),
  createdAt: comment.created_at,
  editedAt: comment.edited_at,
});

export const toActivityView = (entry: TaskerActivity): ActivityView => ({
  id: entry.id,
  verb: entry.verb,
  field: entry.field,
  // Values may be description HTML; agents read them as Markdown like the rest.
  oldValue: entry.old_value === null ? null : readableText(entry.old_value).markdown,
  newValue: entry.new_value === null ? null : readableText(entry.new_value).markdown,
  actor: toActorView(entry.actor),
  createdAt: entry.created_at,
});

export const toRelationView = (relation: TaskerRelation): RelationView => ({
  type: relation.relation_type,
  issue: {
    id: relation.issue.id,
    key: relation.issue.key,
    projectId: relation.issue.project_id,
    title: stripInvisible(relation.issue.title),
    stateGroup: relation.issue.state_group,
  },
});

export const toLinkView = (link: TaskerLink): LinkView => ({
  id: link.id,
  url: link.url,
  title: stripInvisibleOrNull(link.title),
  createdBy: toActorView(link.actor),
  createdAt: link.created_at,
});

export const toCycleView = (cycle: TaskerCycle): CycleView => ({
  id: cycle.id,
  name: stripInvisible(cycle.name),
  status: cycle.status,
  startDate: cycle.start_date,
  endDate: cycle.end_date,
});

export const toModuleView = (module: TaskerModule): ModuleView => ({
  id: module.id,
  name: stripInvisible(module.name),
  status: module.status,
  startDate: module.start_date,
  targetDate: module.target_date,
});
