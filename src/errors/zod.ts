import type { z } from 'zod';
import { findIllFormedText, describeTextProblem } from '../validation/text.js';
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

/**
 * Refuses input holding NUL or a lone surrogate anywhere (src/validation/text.ts): the edges call
 * it on whole bodies, variables and tool arguments, so such text never reaches a query or insert.
 */
export function assertWellFormedText(input: unknown, rootPath = ''): void {
  const problem = findIllFormedText(input, rootPath);
  if (problem) {
    throw new GatewayError('BAD_USER_INPUT', describeTextProblem(problem), {
      details: { issues: [{ path: problem.path || '(input)', message: problem.message }] },
    });
  }
}

/** Parse untrusted input at a service edge; a failure is the caller's mistake, never a 500. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  assertWellFormedText(input);
  const result = schema.safeParse(input);
  if (!result.success) throw zodToGatewayError(result.error);
  return result.data;
}
