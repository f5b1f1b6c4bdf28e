import { z } from 'zod';
import { ISSUE_PRIORITIES } from './contract.js';

/** Request shapes. Strict objects everywhere: an unknown field is an error, not something to ignore. */
const id = z.string().min(1).max(255);
const idList = z.array(id).max(50);
const title = z.string().min(1).max(255);
const description = z.string().max(100_000).nullable();
const priority = z.enum(ISSUE_PRIORITIES);
const date = z.iso.date().nullable();

export const ResolveProjectBody = z.strictObject({
  query: z
    .string()
    .min(1)
    .max(200)
    .refine((query) => query.trim() !== '', 'query must not be blank'),
});

export const CreateIssueBody = z.strictObject({
  project_id: id,
  title,
  description: description.optional(),
  priority: priority.optional(),
  state_id: id.optional(),
  label_ids: idList.optional(),
  assignee_ids: idList.optional(),
  start_date: date.optional(),
  target_date: date.optional(),
});

export const UpdateIssueBody = z
  .strictObject({
    project_id: id,
    title: title.optional(),
    description: description.optional(),
    priority: priority.optional(),
    start_date: date.optional(),
    target_date: date.optional(),
  })
  .refine((body) => Object.keys(body).some((field) => field !== 'project_id'), {
    message: 'name at least one field to change besides project_id',
  });

export const MoveIssueBody = z.strictObject({ project_id: id, state_id: id });

export const CommentBody = z.strictObject({ project_id: id, body: z.string().min(1).max(20_000) });

export const SetLabelsBody = z.strictObject({ project_id: id, label_ids: idList });

export const SetAssigneesBody = z.strictObject({ project_id: id, assignee_ids: idList });

const limit = z
  .string()
  .regex(/^[0-9]{1,4}$/, 'limit must be a whole number from 1 to 100')
  .transform(Number)
  .pipe(z.number().int().min(1).max(100));

export const ListIssuesQuery = z.strictObject({
  project_id: id,
  state_id: id.optional(),
  label_id: id.optional(),
  assignee_id: id.optional(),
  search: z.string().optional(),
  cursor: z.string().max(200).optional(),
  limit: limit.optional(),
});

/** `Idempotency-Key`: 1..255 printable ASCII characters. */
export const IdempotencyKey = z.string().regex(/^[\x20-\x7e]{1,255}$/, 'must be 1 to 255 printable ASCII characters');
