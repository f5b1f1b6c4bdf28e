import { z } from 'zod';

/**
 * The scope vocabulary. A grant pairs a Tasker project with some of these; a token carries a subset
 * of its agent's granted scopes; a call is allowed only where the token's scope and the project's
 * grant both hold. The database checks the same list (migrations/0005_toolset_scopes.ts).
 */
export const SCOPES = [
  'projects:read',
  'issues:read',
  'issues:write',
  'comments:write',
  'labels:write',
  'assignees:write',
  'relations:write',
  'links:write',
  'planning:write',
] as const;

export type Scope = (typeof SCOPES)[number];

export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  'projects:read': 'Find a granted project and read its states, labels, members, cycles and modules.',
  'issues:read': 'Search, list and read issues of a granted project, with their comments, history, sub-issues, relations and links.',
  'issues:write': 'Create issues and sub-issues, edit their fields and parent, and move them between states.',
  'comments:write': 'Add comments to issues.',
  'labels:write': 'Set, add or remove the labels of an issue.',
  'assignees:write': 'Set, add or remove the assignees of an issue.',
  'relations:write': 'Add or remove relations between issues (blocks, blocked by, relates to, duplicate of).',
  'links:write': 'Attach links (a pull request, a commit, a CI run) to issues, or remove them.',
  'planning:write': 'Put issues into cycles and modules, or take them out.',
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
