import { z } from 'zod';

/**
 * The Tasker internal adapter contract, as the gateway reads it (docs/TASKER_API_AUDIT.md).
 * Every response body is parsed with these schemas: a body that does not fit is
 * TASKER_BAD_RESPONSE, never passed on half-understood.
 */
export const TASKER_BASE_PATH = '/api/internal/nodedc/agent';

export const PRIORITIES = ['urgent', 'high', 'medium', 'low', 'none'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const STATE_GROUPS = ['backlog', 'unstarted', 'started', 'completed', 'cancelled'] as const;
export const MEMBER_ROLES = ['admin', 'member', 'guest'] as const;

const id = z.string().min(1);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const ProjectSchema = z.object({
  id,
  identifier: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  workspace: z.object({ id, slug: z.string(), name: z.string() }),
});
export type TaskerProject = z.infer<typeof ProjectSchema>;

export const StateSchema = z.object({
  id,
  name: z.string(),
  group: z.enum(STATE_GROUPS),
  color: z.string(),
  sequence: z.number(),
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

export const IssueSchema = z.object({
  id,
  project_id: id,
  sequence_id: z.number().int(),
  key: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  priority: z.enum(PRIORITIES),
  state_id: id,
  label_ids: z.array(id),
  assignee_ids: z.array(id),
  start_date: isoDate.nullable(),
  target_date: isoDate.nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type TaskerIssue = z.infer<typeof IssueSchema>;

export const CommentSchema = z.object({
  id,
  issue_id: id,
  body: z.string(),
  actor: z.object({ agent_id: z.string(), owner_user_id: z.string() }),
  created_at: z.string(),
});
export type TaskerComment = z.infer<typeof CommentSchema>;

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
  search?: string;
  cursor?: string;
  limit: number;
}

export interface NewIssue {
  project_id: string;
  title: string;
  description?: string | null;
  priority?: Priority;
  state_id?: string;
  label_ids?: string[];
  assignee_ids?: string[];
  start_date?: string | null;
  target_date?: string | null;
}

export interface IssueChanges {
  title?: string;
  description?: string | null;
  priority?: Priority;
  start_date?: string | null;
  target_date?: string | null;
}
