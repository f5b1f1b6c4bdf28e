import type { z } from 'zod';
import { validationFailed } from '../errors.js';

function fieldOf(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code === 'unrecognized_keys') return issue.keys[0];
  return issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
}

/** Validates with a zod schema, turning a failure into 400 VALIDATION_FAILED naming the field. */
export function parseWith<Schema extends z.ZodType>(schema: Schema, input: unknown, what: string): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 10).map((issue) => ({ field: fieldOf(issue), message: issue.message }));
  const first = issues[0];
  const where = first?.field === undefined ? '' : `${first.field}: `;
  throw validationFailed(`invalid ${what}: ${where}${first?.message ?? 'rejected'}`, {
    ...(first?.field === undefined ? {} : { field: first.field }),
    issues,
  });
}

/**
 * The query string as an object of single values. A repeated parameter is refused rather than
 * guessed at, and an empty value counts as absent, so `?state_id=&limit=` means "no filter".
 */
export function queryObject(query: URLSearchParams): Record<string, string> {
  const result: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [name, value] of query) {
    if (seen.has(name)) throw validationFailed(`query parameter ${name} is given more than once`, { field: name });
    seen.add(name);
    if (value !== '') result[name] = value;
  }
  return result;
}
