import { z } from 'zod';

/**
 * The scope vocabulary. A grant pairs a Tasker project with some of these; a token carries a subset
 * of its agent's granted scopes; a call is allowed only where the token's scope and the project's
 * grant both hold. The database checks the same list (migrations/0001_initial.ts).
 */
export const SCOPES = [
  'projects:read',
  'issues:read',
  'issues:write',
  'comments:write',
  'labels:write',
  'assignees:write',
] as const;

export type Scope = (typeof SCOPES)[number];

export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  'projects:read': 'Find a granted project and read its states, labels and members.',
  'issues:read': 'List and read issues of a granted project.',
  'issues:write': 'Create issues, edit their fields and move them between states.',
  'comments:write': 'Add comments to issues.',
  'labels:write': 'Set the labels of an issue.',
  'assignees:write': 'Set the assignees of an issue.',
};

export const ScopeSchema = z.enum(SCOPES, { message: `expected one of ${SCOPES.join(', ')}` });

export const ScopeListSchema = z
  .array(ScopeSchema)
  .min(1, { message: 'expected at least one scope' })
  .transform((scopes) => sortScopes(scopes));

/** Deduplicated, in vocabulary order, so stored and compared lists are canonical. */
export function sortScopes(scopes: Iterable<string>): Scope[] {
  const wanted = new Set(scopes);
  return SCOPES.filter((scope) => wanted.has(scope));
}
