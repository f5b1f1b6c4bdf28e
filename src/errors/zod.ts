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

/** Parse untrusted input at a service edge; a failure is the caller's mistake, never a 500. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (!result.success) throw zodToGatewayError(result.error);
  return result.data;
}
