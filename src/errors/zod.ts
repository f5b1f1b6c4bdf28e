import type { z } from 'zod';
import { GatewayError } from './gateway-error.js';

/** One readable sentence per problem, naming the field, so a person or a model can fix the input. */
export function describeZodIssues(error: z.ZodError): { message: string; issues: { path: string; message: string }[] } {
  const issues = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(input)',
    message: issue.message,
  }));
  const message = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return { message: `Invalid input: ${message}`, issues };
}

export function zodToGatewayError(error: z.ZodError): GatewayError {
  const { message, issues } = describeZodIssues(error);
  return new GatewayError('BAD_USER_INPUT', message, { details: { issues } });
}

/** The path to the first string holding a NUL character, which PostgreSQL cannot store in text. */
function findNul(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findNul(item, `${path}.${index}`);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = findNul(item, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return undefined;
}

/** Parse untrusted input at a service edge; a failure is the caller's mistake, never a 500. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const nul = findNul(input, '');
  if (nul !== undefined) {
    throw new GatewayError('BAD_USER_INPUT', `Invalid input: ${nul || '(input)'}: must not contain NUL characters`, {
      details: { issues: [{ path: nul || '(input)', message: 'must not contain NUL characters' }] },
    });
  }
  const result = schema.safeParse(input);
  if (!result.success) throw zodToGatewayError(result.error);
  return result.data;
}
