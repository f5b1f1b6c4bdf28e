import { z } from 'zod';

/**
 * The Tasker internal adapter contract, as the gateway reads it (docs/TASKER_API_AUDIT.md).
 * Every response body is parsed with these schemas: a body that does not fit is
 * TASKER_BAD_RESPONSE, never passed on half-understood.
 */
export const TASKER_BASE_PATH = '/api/internal/nodedc/agent';

export const PRIORITIES = ['urgent', 'high', 'medium', 'low', 'none'] as const;
export type Priority = (typeof PRIORITIES)[number];
/** Plane's state groups; `triage` holds intake issues. */
export const STATE_GROUPS = ['backlog', 'unstarted', 'started', 'completed', 'cancelled', 'triage'] as const;
export type StateGroup = (typeof STATE_GROUPS)[number];
export const MEMBER_ROLES = ['admin', 'member', 'guest'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];
export const RELATION_TYPES = ['blocks', 'blocked_by', 'relates_to', 'duplicate_of'] as const;
export type RelationType = (typeof RELATION_TYPES)[number];
export const CYCLE_STATUSES = ['current', 'upcoming', 'completed', 'draft'] as const;
export const MODULE_STATUSES = ['backlog', 'planned', 'in-progress', 'paused', 'completed', 'cancelled'] as const;
export const SEARCH_ORDERS = ['-updated_at', 'updated_at', '-created_at', 'created_at', 'priority', '-priority'] as const;
export type SearchOrder = (typeof SEARCH_ORDERS)[number];

const id = z.string().min(1);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const ProjectSchema = z.object({
  id,
  identifier: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  workspace: z.object({ id, slug: z.string(), name: z.string() }),
  owner_role: z.enum(MEMBER_ROLES),
  default_state_id: id.nullable(),
  default_assignee_id: id.nullable(),
});
export type TaskerProject = z.infer<typeof ProjectSchema>;

export const StateSchema = z.object({
  id,
  name: z.string(),
  group: z.enum(STATE_GROUPS),
  color: z.string(),
  sequence: z.number(),
  is_default: z.boolean(),
});
export type TaskerState = z.infer<typeof StateSchema>;

export const LabelSchema = z.object({ id, name: z.string(), color: z.string() });
export type TaskerLabel = z.infer<typeof LabelSchema>;

export const MemberSchema = z.object({
  user_id: id,
  email: z.string(),
  display_name: z.string(),
  role: z.enum(MEMBER_ROLES),
});
export type TaskerMember = z.infer<typeof MemberSchema>;

/** A person, or an agent acting on behalf of that person (`agent_id` set). */
export const ActorSchema = z.object({ user_id: id, display_name: z.string(), agent_id: id.nullable() });
export type TaskerActor = z.infer<typeof ActorSchema>;

export const IssueSchema = z.object({
  id,
  project_id: id,
  sequence_id: z.number().int(),
  key: z.string(),
  title: z.string(),
  description_html: z.string(),
  priority: z.enum(PRIORITIES),
  state_id: id.nullable(),
  state_group: z.enum(STATE_GROUPS).nullable(),
  parent_id: id.nullable(),
  label_ids: z.array(id),
  assignee_ids: z.array(id),
  cycle_id: id.nullable(),
  module_ids: z.array(id),
  start_date: isoDate.nullable(),
  target_date: isoDate.nullable(),
  archived_at: z.string().nullable(),
  is_draft: z.boolean(),
  created_by: ActorSchema,
  created_at: z.string(),
  updated_at: z.string(),
});
export type TaskerIssue = z.infer<typeof IssueSchema>;

export const CommentSchema = z.object({
  id,
  issue_id: id,
  comment_html: z.string(),
  actor: ActorSchema,
  created_at: z.string(),
  edited_at: z.string().nullable(),
});
export type TaskerComment = z.infer<typeof CommentSchema>;

export const ActivitySchema = z.object({
  id,
  issue_id: id,
  verb: z.string(),
  field: z.string().nullable(),
  old_value: z.string().nullable(),
  new_value: z.string().nullable(),
  actor: ActorSchema,
  created_at: z.string(),
});
export type TaskerActivity = z.infer<typeof ActivitySchema>;

export const IssueRefSchema = z.object({ id, key: z.string(), project_id: id, title: z.string(), state_group: z.enum(STATE_GROUPS).nullable() });
export const RelationSchema = z.object({ relation_type: z.enum(RELATION_TYPES), issue: IssueRefSchema });
export type TaskerRelation = z.infer<typeof RelationSchema>;

export const LinkSchema = z.object({ id, url: z.string(), title: z.string().nullable(), actor: ActorSchema, created_at: z.string() });
export type TaskerLink = z.infer<typeof LinkSchema>;

export const CycleSchema = z.object({
  id,
  name: z.string(),
  description: z.string(),
  start_date: isoDate.nullable(),
  end_date: isoDate.nullable(),
  status: z.enum(CYCLE_STATUSES),
});
export type TaskerCycle = z.infer<typeof CycleSchema>;

export const ModuleSchema = z.object({
  id,
  name: z.string(),
  description: z.string(),
  status: z.enum(MODULE_STATUSES),
  start_date: isoDate.nullable(),
  target_date: isoDate.nullable(),
  lead_id: id.nullable(),
});
export type TaskerModule = z.infer<typeof ModuleSchema>;

export const ProjectResponse = z.object({ project: ProjectSchema });
export const ProjectContextResponse = z.object({
  project: ProjectSchema,
  states: z.array(StateSchema),
  labels: z.array(LabelSchema),
  members: z.array(MemberSchema),
});
export type TaskerProjectContext = z.infer<typeof ProjectContextResponse>;
export const IssueListResponse = z.object({ issues: z.array(IssueSchema), next_cursor: z.string().nullable() });
export type TaskerIssueList = z.infer<typeof IssueListResponse>;
export const IssueResponse = z.object({ issue: IssueSchema });
export const CommentResponse = z.object({ issue: IssueSchema, comment: CommentSchema });
export const CommentListResponse = z.object({ comments: z.array(CommentSchema), next_cursor: z.string().nullable() });
export type TaskerCommentList = z.infer<typeof CommentListResponse>;
export const ActivityListResponse = z.object({ activity: z.array(ActivitySchema), next_cursor: z.string().nullable() });
export type TaskerActivityList = z.infer<typeof ActivityListResponse>;
export const RelationListResponse = z.object({ relations: z.array(RelationSchema) });
export const LinkListResponse = z.object({ links: z.array(LinkSchema) });
export const CycleListResponse = z.object({ cycles: z.array(CycleSchema) });
export const ModuleListResponse = z.object({ modules: z.array(ModuleSchema) });

export const ErrorEnvelopeSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

export interface IssueFilter {
  projectId: string;
  stateId?: string;
  labelId?: string;
  assigneeId?: string;
  parentId?: string;
  search?: string;
  includeArchived?: boolean;
  includeDrafts?: boolean;
  cursor?: string;
  limit: number;
}

/** POST /issues/search: the gateway always names the granted projects; Tasker skips any the owner left. */
export interface IssueSearch {
  project_ids: string[];
  text?: string;
  state_groups?: StateGroup[];
  priorities?: Priority[];
  label_ids?: string[];
  assignee_ids?: string[];
  parent_id?: string;
  updated_since?: string;
  include_archived?: boolean;
  include_drafts?: boolean;
  order_by?: SearchOrder;
  cursor?: string;
  limit: number;
}

export interface NewIssue {
  project_id: string;
  title: string;
  description_html?: string;
  priority?: Priority;
  state_id?: string;
  parent_id?: string;
  label_ids?: string[];
  assignee_ids?: string[];
  start_date?: string | null;
  target_date?: string | null;
}

export interface IssueChanges {
  title?: string;
  description_html?: string;
  description_append_html?: string;
  description_prepend_html?: string;
  if_description_sha256?: string;
  priority?: Priority;
  start_date?: string | null;
  target_date?: string | null;
  parent_id?: string | null;
}

/** A change to a set: what to add and what to remove, the rest left alone. */
export interface SetDelta {
  add: string[];
  remove: string[];
}
