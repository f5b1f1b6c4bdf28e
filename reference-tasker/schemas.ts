import { z } from 'zod';
import { ISSUE_PRIORITIES, RELATION_TYPES, STATE_GROUPS } from './contract.js';

/** Request shapes. Strict objects everywhere: an unknown field is an error, not something to ignore. */
const id = z.string().min(1).max(255);
const idList = z.array(id).max(50);
const title = z.string().min(1).max(255);
/** HTML, as Plane stores it; 200 000 characters leaves room for markup around 100 000 of text. */
const html = z.string().max(200_000);
const priority = z.enum(ISSUE_PRIORITIES);
const date = z.iso.date().nullable();
const bool = z.enum(['true', 'false']).transform((value) => value === 'true');

export const ResolveProjectBody = z.strictObject({
  query: z
    .string()
    .min(1)
    .max(200)
    .refine((query) => query.trim() !== '', 'query must not be blank'),
});

/** Plane's rule: a start date after the target date is refused. */
const datesInOrder = (body: { start_date?: string | null | undefined; target_date?: string | null | undefined }) =>
  !(body.start_date && body.target_date && body.start_date > body.target_date);
const DATES_MESSAGE = { message: 'start_date cannot be after target_date', path: ['start_date'] };

export const CreateIssueBody = z
  .strictObject({
    project_id: id,
    title,
    description_html: html.optional(),
    priority: priority.optional(),
    state_id: id.optional(),
    parent_id: id.optional(),
    label_ids: idList.optional(),
    assignee_ids: idList.optional(),
    start_date: date.optional(),
    target_date: date.optional(),
  })
  .refine(datesInOrder, DATES_MESSAGE);

export const UpdateIssueBody = z
  .strictObject({
    project_id: id,
    title: title.optional(),
    description_html: html.optional(),
    description_append_html: html.optional(),
    description_prepend_html: html.optional(),
    /** Replace only if the stored description_html still has this SHA-256 (hex): no lost update. */
    if_description_sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    priority: priority.optional(),
    start_date: date.optional(),
    target_date: date.optional(),
    parent_id: id.nullable().optional(),
  })
  .refine((body) => Object.keys(body).some((field) => field !== 'project_id' && field !== 'if_description_sha256'), {
    message: 'name at least one field to change besides project_id',
  })
  .refine(
    (body) => [body.description_html, body.description_append_html, body.description_prepend_html].filter((v) => v !== undefined).length <= 1,
    { message: 'give at most one of description_html, description_append_html, description_prepend_html', path: ['description_html'] },
  )
  .refine(datesInOrder, DATES_MESSAGE);

export const MoveIssueBody = z.strictObject({ project_id: id, state_id: id });

export const CommentBody = z.strictObject({ project_id: id, comment_html: html.min(1) });

export const SetLabelsBody = z.strictObject({ project_id: id, label_ids: idList });
export const ChangeLabelsBody = z
  .strictObject({ project_id: id, add_label_ids: idList.default([]), remove_label_ids: idList.default([]) })
  .refine((body) => body.add_label_ids.length + body.remove_label_ids.length > 0, { message: 'name labels to add or remove' });

export const SetAssigneesBody = z.strictObject({ project_id: id, assignee_ids: idList });
export const ChangeAssigneesBody = z
  .strictObject({ project_id: id, add_assignee_ids: idList.default([]), remove_assignee_ids: idList.default([]) })
  .refine((body) => body.add_assignee_ids.length + body.remove_assignee_ids.length > 0, { message: 'name assignees to add or remove' });

export const RelationBody = z.strictObject({ project_id: id, relation_type: z.enum(RELATION_TYPES), related_issue_id: id });

export const LinkBody = z.strictObject({
  project_id: id,
  url: z
    .string()
    .max(2000)
    .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'url must be an http(s) URL'),
  title: z.string().min(1).max(255).nullable().optional(),
});
export const RemoveLinkBody = z.strictObject({ project_id: id, link_id: id });

export const SetCycleBody = z.strictObject({ project_id: id, cycle_id: id.nullable() });
export const ChangeModulesBody = z
  .strictObject({ project_id: id, add_module_ids: idList.default([]), remove_module_ids: idList.default([]) })
  .refine((body) => body.add_module_ids.length + body.remove_module_ids.length > 0, { message: 'name modules to add or remove' });

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
  parent_id: id.optional(),
  search: z.string().optional(),
  include_archived: bool.optional(),
  include_drafts: bool.optional(),
  cursor: z.string().max(200).optional(),
  limit: limit.optional(),
});

export const PageQuery = z.strictObject({ cursor: z.string().max(200).optional(), limit: limit.optional() });
export const ActivityQuery = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: limit.optional(),
  since: z.iso.datetime({ offset: true }).optional(),
});

export const SearchBody = z.strictObject({
  project_ids: z.array(id).min(1).max(100),
  text: z.string().trim().min(1).max(200).optional(),
  state_groups: z.array(z.enum(STATE_GROUPS)).min(1).max(6).optional(),
  priorities: z.array(priority).min(1).max(5).optional(),
  label_ids: idList.min(1).optional(),
  assignee_ids: idList.min(1).optional(),
  parent_id: id.optional(),
  updated_since: z.iso.datetime({ offset: true }).optional(),
  include_archived: z.boolean().optional(),
  include_drafts: z.boolean().optional(),
  order_by: z.enum(['-updated_at', 'updated_at', '-created_at', 'created_at', 'priority', '-priority']).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.number().int().min(1).max(100).optional(),
});

/** `Idempotency-Key`: 1..255 printable ASCII characters. */
export const IdempotencyKey = z.string().regex(/^[\x20-\x7e]{1,255}$/, 'must be 1 to 255 printable ASCII characters');
