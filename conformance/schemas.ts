import { z } from 'zod';

/**
 * The contract's response shapes, strict: a missing, extra or mistyped field is drift and
 * fails the check that received it.
 */
const Id = z.string().min(1);
const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be #rrggbb');
const DateOnly = z.iso.date();
const Timestamp = z.iso
  .datetime({ offset: true })
  .refine((value) => value.endsWith('Z') || value.endsWith('+00:00'), 'must be UTC (RFC 3339)');

export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNSIGNED_REQUEST',
  'STALE_REQUEST',
  'BAD_SIGNATURE',
  'REPLAYED_REQUEST',
  'FORBIDDEN',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'IDEMPOTENCY_IN_PROGRESS',
  'AMBIGUOUS_PROJECT',
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
});

export const StateSchema = z.strictObject({
  id: Id,
  name: z.string().min(1),
  group: z.enum(['backlog', 'unstarted', 'started', 'completed', 'cancelled']),
  color: Color,
  sequence: z.number(),
});

export const LabelSchema = z.strictObject({ id: Id, name: z.string().min(1), color: Color });

export const MemberSchema = z.strictObject({
  user_id: Id,
  email: z.string().min(1),
  display_name: z.string(),
  role: z.enum(['admin', 'member', 'guest']),
});

export const IssueSchema = z
  .strictObject({
    id: Id,
    project_id: Id,
    sequence_id: z.number().int().positive(),
    key: z.string().regex(/^[A-Z0-9_]+-[0-9]+$/i, 'must look like DEMO-12'),
    title: z.string().min(1),
    description: z.string().nullable(),
    priority: z.enum(['urgent', 'high', 'medium', 'low', 'none']),
    state_id: Id,
    label_ids: z.array(Id),
    assignee_ids: z.array(Id),
    start_date: DateOnly.nullable(),
    target_date: DateOnly.nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .refine((issue) => issue.key.endsWith(`-${issue.sequence_id}`), 'key must end with -<sequence_id>');

export const CommentSchema = z.strictObject({
  id: Id,
  issue_id: Id,
  body: z.string().min(1),
  actor: z.strictObject({ agent_id: Id, owner_user_id: Id }),
  created_at: Timestamp,
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
