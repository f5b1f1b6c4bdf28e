import { z } from 'zod';
import { IdempotencyKeySchema } from '../../idempotency/idempotency.js';
import { cleanName } from '../../validation/text.js';

/** The argument shapes agent tools share, validated once at the edge of every surface. */
/** Plane's project identifier: the short key in issue keys (DEMO in DEMO-12), at most 12 characters. */
export const PROJECT_IDENTIFIER_PATTERN = /^[A-Za-z0-9]{1,12}$/;

export const TaskerIdSchema = z.string().trim().min(1, { message: 'must not be empty' }).max(200);

export const IsoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'expected a date as YYYY-MM-DD' })
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), {
    message: 'not a real calendar date',
  });

/**
 * An issue's title is one line people read in lists, notifications and terminals: like a name, it
 * may not hold CR/LF, ESC, BEL, other controls or bidi overrides (src/validation/text.ts).
 */
export const TitleSchema = cleanName('title', { max: 255, emptyMessage: 'title must not be empty' });
/** A link's title: one line, the same rule. */
export const LinkTitleSchema = cleanName('link title', { max: 255 });
export const DescriptionSchema = z.string().max(100_000, { message: 'description is at most 100000 characters' });

export const IdListSchema = z
  .array(TaskerIdSchema)
  .max(50, { message: 'at most 50 ids' })
  .refine((ids) => new Set(ids).size === ids.length, { message: 'ids must not repeat' });

/** Every write accepts an idempotency key (the write frame makes one when the agent gives none). */
export const KeyField = { idempotencyKey: IdempotencyKeySchema.optional() };

/** Every write can be tried first: `dryRun: true` answers what would change and writes nothing. */
export const DryRunField = { dryRun: z.boolean().optional() };

/** Markdown an agent writes; Tasker receives it as sanitized HTML. */
export const MarkdownSchema = z.string().max(100_000, { message: 'text is at most 100000 characters' });
