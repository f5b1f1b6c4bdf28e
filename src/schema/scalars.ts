import { GraphQLError, Kind } from 'graphql';
import { z } from 'zod';
import { SCOPES, type Scope } from '../auth/scopes.js';
import { builder } from './builder.js';

builder.scalarType('DateTime', {
  description: 'An RFC 3339 timestamp in UTC, e.g. 2026-11-24T17:00:00.000Z.',
  serialize: (value) => value.toISOString(),
  parseValue: (value) => {
    const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an RFC 3339 string');
    return date;
  },
});

builder.scalarType('JSON', {
  description: 'Free-form JSON (audit event details).',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? ast.value : null),
});

/** GraphQL enum names cannot hold ':', so PROJECTS_READ stands for projects:read. */
export const ScopeEnum = builder.enumType('Scope', {
  description: 'What an agent may do. Grants pair a Tasker project with scopes; tokens carry a subset.',
  values: Object.fromEntries(
    SCOPES.map((scope) => [scope.replace(':', '_').toUpperCase(), { value: scope, description: scope }]),
  ) as Record<string, { value: Scope; description: string }>,
});

export const PageInfo = builder
  .objectRef<{ hasNextPage: boolean; endCursor: string | null }>('PageInfo')
  .implement({
    fields: (t) => ({
      hasNextPage: t.exposeBoolean('hasNextPage'),
      endCursor: t.exposeString('endCursor', { nullable: true }),
    }),
  });

/** GraphQL hands an explicit null for an omitted optional input; services treat both as absent. */
export function withoutNulls<T extends Record<string, unknown>>(input: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null)) as {
    [K in keyof T]: Exclude<T[K], null>;
  };
}

/**
 * The services' own zod schema, reused by plugin-zod to refuse bad arguments before a resolver
 * runs: one definition of what valid input is, whichever surface it arrives through.
 */
export function argSchema<Schema extends z.ZodType>(schema: Schema) {
  return z.preprocess((value) => (isPlainObject(value) ? withoutNulls(value) : value), schema);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
