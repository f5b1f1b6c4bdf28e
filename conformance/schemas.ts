import { z } from 'zod';

/**
 * The contract's response shapes, strict: a missing, extra or mistyped field is drift and
 * fails the check that received it.
 */
const Id = z.string().min(1);
const STATE_GROUPS = ['backlog', 'unstarted', 'started', 'completed', 'cancelled', 'triage'] as const;
const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be #rrggbb');
const DateOnly = z.iso.date();
const Timestamp = z.iso
  .datetime({ offset: true })
  .refine((value) => value.endsWith('Z') || value.endsWith('+00:00'), 'must be UTC (RFC 3339)');

export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNSIGNED_REQUEST',
  'STALE_REQUEST',
  'UNKNOWN_SIGNING_KEY',
  'BAD_SIGNATURE',
  'REPLAYED_REQUEST',
  'FORBIDDEN',
  'GUEST_READ_ONLY',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'IDEMPOTENCY_IN_PROGRESS',
  'AMBIGUOUS_PROJECT',
  'AMBIGUOUS_ISSUE_KEY',
  'DESCRIPTION_CHANGED',
  'RELATION_EXISTS',
  'LINK_EXISTS',
  'CYCLE_COMPLETED',
  'PAYLOAD_TOO_LARGE',
  'IDEMPOTENCY_KEY_REUSED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ProjectSchema = z.strictObject({
  id: Id,
  identifier: z
    .string()
    .min(1)
    .refine((value) => value === value.toUpperCase(), 'must be uppercase'),
  name: z.string().min(1),
  description: z.string().nullable(),
  workspace: z.strictObject({ id: Id, slug: z.string().min(1), name: z.string().min(1) }),
  owner_role: z.enum(['admin', 'member', 'guest']),
  default_state_id: Id.nullable(),
  default_assignee_id: Id.nullable(),
});

export const StateSchema = z.strictObject({
  id: Id,
  name: z.string().min(1),
  group: z.enum(STATE_GROUPS),
  color: Color,
  sequence: z.number(),
  is_default: z.boolean(),
});

export const LabelSchema = z.strictObject({ id: Id, name: z.string().min(1), color: Color });

export const MemberSchema = z.strictObject({
  user_id: Id,
  email: z.string().min(1),
  display_name: z.string(),
  role: z.enum(['admin', 'member', 'guest']),
});

export const ActorSchema = z.strictObject({ user_id: Id, display_name: z.string(), agent_id: Id.nullable() });

export const IssueSchema = z
  .strictObject({
    id: Id,
    project_id: Id,
    sequence_id: z.number().int().positive(),
    key: z.string().regex(/^[A-Z0-9_]+-[0-9]+$/i, 'must look like DEMO-12'),
    title: z.string().min(1),
    description_html: z.string(),
    priority: z.enum(['urgent', 'high', 'medium', 'low', 'none']),
    state_id: Id.nullable(),
    state_group: z.enum(STATE_GROUPS).nullable(),
    parent_id: Id.nullable(),
    label_ids: z.array(Id),
    assignee_ids: z.array(Id),
    cycle_id: Id.nullable(),
    module_ids: z.array(Id),
    start_date: DateOnly.nullable(),
    target_date: DateOnly.nullable(),
    archived_at: Timestamp.nullable(),
    is_draft: z.boolean(),
    created_by: ActorSchema,
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .refine((issue) => issue.key.endsWith(`-${issue.sequence_id}`), 'key must end with -<sequence_id>');

export const CommentSchema = z.strictObject({
  id: Id,
  issue_id: Id,
  comment_html: z.string().min(1),
  actor: ActorSchema,
  created_at: Timestamp,
  edited_at: Timestamp.nullable(),
});

export const ActivitySchema = z.strictObject({
  id: Id,
  issue_id: Id,
  verb: z.enum(['created', 'updated', 'added', 'removed']),
  field: z.string().nullable(),
  old_value: z.string().nullable(),
  new_value: z.string().nullable(),
  actor: ActorSchema,
  created_at: Timestamp,
});

export const RelationSchema = z.strictObject({
  relation_type: z.enum(['blocks', 'blocked_by', 'relates_to', 'duplicate_of']),
  issue: z.strictObject({ id: Id, key: z.string(), project_id: Id, title: z.string(), state_group: z.enum(STATE_GROUPS).nullable() }),
});

export const LinkSchema = z.strictObject({ id: Id, url: z.string().url(), title: z.string().nullable(), actor: ActorSchema, created_at: Timestamp });

export const CycleSchema = z.strictObject({
  id: Id,
  name: z.string().min(1),
  description: z.string(),
  start_date: DateOnly.nullable(),
  end_date: DateOnly.nullable(),
  status: z.enum(['current', 'upcoming', 'completed', 'draft']),
});

export const ModuleSchema = z.strictObject({
  id: Id,
  name: z.string().min(1),
  description: z.string(),
  status: z.enum(['backlog', 'planned', 'in-progress', 'paused', 'completed', 'cancelled']),
  start_date: DateOnly.nullable(),
  target_date: DateOnly.nullable(),
  lead_id: Id.nullable(),
});

export const ResolveResponse = z.strictObject({ project: ProjectSchema });
export const ContextResponse = z.strictObject({
  project: ProjectSchema,
  states: z.array(StateSchema),
  labels: z.array(LabelSchema),
  members: z.array(MemberSchema),
});
export const IssueListResponse = z.strictObject({ issues: z.array(IssueSchema), next_cursor: z.string().min(1).nullable() });
export const IssueResponse = z.strictObject({ issue: IssueSchema });
export const CommentResponse = z.strictObject({ issue: IssueSchema, comment: CommentSchema });
export const ProjectResponse = z.strictObject({ project: ProjectSchema });
export const CommentListResponse = z.strictObject({ comments: z.array(CommentSchema), next_cursor: z.string().min(1).nullable() });
export const ActivityListResponse = z.strictObject({ activity: z.array(ActivitySchema), next_cursor: z.string().min(1).nullable() });
export const RelationListResponse = z.strictObject({ relations: z.array(RelationSchema) });
export const LinkListResponse = z.strictObject({ links: z.array(LinkSchema) });
export const CycleListResponse = z.strictObject({ cycles: z.array(CycleSchema) });
export const ModuleListResponse = z.strictObject({ modules: z.array(ModuleSchema) });

export const ErrorEnvelopeSchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(ERROR_CODES),
    message: z.string().min(1),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

export type Project = z.output<typeof ProjectSchema>;
export type State = z.output<typeof StateSchema>;
export type Label = z.output<typeof LabelSchema>;
export type Member = z.output<typeof MemberSchema>;
export type Issue = z.output<typeof IssueSchema>;
export type Comment = z.output<typeof CommentSchema>;
export type ProjectContext = z.output<typeof ContextResponse>;
export type ErrorEnvelope = z.output<typeof ErrorEnvelopeSchema>;
