import { compactText } from './compact-text.js';
import type { CallToolResult } from '@modelcontextprotocol/server';

/**
 * How a GraphQL answer becomes an MCP tool result. Success carries the data as
 * structuredContent (matching the tool's outputSchema) and as readable JSON text. A refusal or
 * failure is a result with isError and a sentence a model can act on — what went wrong, and
 * what to do next — never a protocol error.
 */
export interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
  /** The answer's extensions: `idempotencyKey` names the key a write ran under. */
  extensions?: Record<string, unknown>;
}

const NEXT_STEP: Record<string, string> = {
  UNAUTHENTICATED: 'The agent token no longer works. Ask the user to pair this agent again (new pairing code in the NODE.DC Launcher).',
  FORBIDDEN: 'This agent is not allowed to do this. Do not retry; tell the user which grant or scope is missing.',
  PERSISTED_OPERATION_ONLY: 'Only the listed tools can be used.',
  PERSISTED_OPERATION_NOT_FOUND: 'The tool list is out of date; list the tools again.',
  BAD_USER_INPUT: 'Fix the arguments and call the tool again.',
  GRAPHQL_VALIDATION_FAILED: 'Fix the arguments and call the tool again.',
  NOT_FOUND: 'Check the id: list_projects, list_issues and get_project_context return valid ids.',
  CONFLICT: 'Make the request unambiguous (for example, use the project id) and call again.',
  IDEMPOTENCY_IN_PROGRESS: 'The same request is still running. Wait a few seconds, then retry with the same idempotencyKey.',
  IDEMPOTENCY_KEY_REUSED: 'This idempotencyKey belongs to a different request; use a new key for a new request.',
  RATE_LIMITED: 'Wait a minute before trying again.',
  RICH_CONTENT_WOULD_BE_LOST:
    'Use descriptionMode append or prepend, or read the issue and, only if the user agrees to lose that content, repeat with confirmRichContentLoss: true.',
  TASKER_UNAVAILABLE: 'Tasker is unavailable right now. Retry later; for writes, reuse the same idempotencyKey so nothing is done twice.',
  TASKER_TIMEOUT: 'Tasker did not answer in time. Retry later; for writes, reuse the same idempotencyKey so nothing is done twice.',
  TASKER_WRITE_NOT_APPLIED: 'The change is not confirmed. Read the issue with get_issue before trying again.',
  WRITE_OUTCOME_UNKNOWN: 'Do not change the arguments: call the tool again with the same arguments and the idempotencyKey below; it is never applied twice.',
  GATEWAY_UNREACHABLE: 'The gateway cannot be reached from this machine. Ask the user to run `tasker-agent doctor`.',
};
const DEFAULT_NEXT_STEP = 'The gateway could not complete this call. Tell the user; do not retry blindly.';

export function toToolResult(answer: GraphQLAnswer, requestId: string): CallToolResult {
  const errors = answer.errors ?? [];
  // Every write runs under an idempotency key, the agent's or one the gateway made (write-frame.ts).
  const key = typeof answer.extensions?.idempotencyKey === 'string' ? answer.extensions.idempotencyKey : undefined;
  const meta = key === undefined ? {} : { _meta: { idempotencyKey: key } };
  if (errors.length === 0 && answer.data) {
    return { content: [{ type: 'text', text: compactText(answer.data) }], structuredContent: answer.data, ...meta };
  }
  const result = toolError(
    errors.map((error) => {
      const code = error.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
      return { code, message: error.message };
    }),
    requestId,
    key === undefined ? undefined : `This write ran under idempotencyKey "${key}": to retry it, call the tool again with the same arguments and "idempotencyKey": "${key}".`,
  );
  return { ...result, ...meta };
}

export function toolError(problems: { code: string; message: string }[], requestId: string, retryWith?: string): CallToolResult {
  const lines = problems.map(({ code, message }) => `${code}: ${message}. ${NEXT_STEP[code] ?? DEFAULT_NEXT_STEP}`);
  if (retryWith !== undefined) lines.push(retryWith);
  return { isError: true, content: [{ type: 'text', text: `${lines.join('\n')}\n(request id ${requestId})` }] };
}
