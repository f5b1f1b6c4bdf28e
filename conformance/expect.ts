import type { z } from 'zod';
import type { AdapterResponse } from './client.js';
import { ErrorEnvelopeSchema, type ErrorCode, type ErrorEnvelope } from './schemas.js';

/** A contract violation; its message is what the report prints. */
export class ConformanceFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceFailure';
  }
}

export function ensure(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ConformanceFailure(message);
}

function snippet(response: AdapterResponse): string {
  const text = response.text.length > 300 ? `${response.text.slice(0, 300)}…` : response.text;
  return `${response.status} ${text}`;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length === 0 ? '(root)' : issue.path.join('.')}: ${issue.message}`)
    .join('; ');
}

function expectJson(response: AdapterResponse, what: string): void {
  const type = response.headers['content-type'] ?? '';
  ensure(type.startsWith('application/json'), `${what}: Content-Type is "${type}", expected application/json`);
}

/** Asserts the status, then validates the body against the contract's shape and returns it typed. */
export function expectOk<Schema extends z.ZodType>(
  response: AdapterResponse,
  status: number,
  schema: Schema,
  what: string,
): z.output<Schema> {
  ensure(response.status === status, `${what}: expected ${status}, got ${snippet(response)}`);
  expectJson(response, what);
  const parsed = schema.safeParse(response.json);
  if (!parsed.success) throw new ConformanceFailure(`${what}: response does not match the contract: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Asserts an error answer: status, the envelope's exact shape, and the code. */
export function expectError(response: AdapterResponse, status: number, code: ErrorCode, what: string): ErrorEnvelope {
  ensure(response.status === status, `${what}: expected ${status} ${code}, got ${snippet(response)}`);
  expectJson(response, what);
  const parsed = ErrorEnvelopeSchema.safeParse(response.json);
  if (!parsed.success) throw new ConformanceFailure(`${what}: error envelope is malformed: ${describeIssues(parsed.error)}`);
  ensure(parsed.data.error.code === code, `${what}: expected code ${code}, got ${parsed.data.error.code}`);
  return parsed.data;
}

export function expectEqual<T>(actual: T, expected: T, what: string): void {
  const same = JSON.stringify(actual) === JSON.stringify(expected);
  ensure(same, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

export function expectSameSet(actual: readonly string[], expected: readonly string[], what: string): void {
  expectEqual([...actual].sort(), [...expected].sort(), what);
}
