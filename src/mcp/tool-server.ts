import { type CacheHint, type CallToolResult, ProtocolError, ProtocolErrorCode, Server } from '@modelcontextprotocol/server';
import type { Scope } from '../auth/scopes.js';
import { checkArguments } from './tool-arguments.js';
import { listedTools } from './tool-listing.js';
import { DEFAULT_TOOLSETS, type ToolsetName } from './toolsets.js';
import type { ToolDefinition, ToolManifest } from './tool-manifest.js';
import { compactText } from './compact-text.js';
import { type GraphQLAnswer, toolError, toToolResult } from './tool-results.js';

/**
 * One MCP server over the persisted operations, whatever carries it (Streamable HTTP in the
 * gateway, stdio in the local wrapper) and whichever protocol era the client speaks: the SDK
 * shapes the wire, this file only says what the tools are and how a call runs. How an operation
 * is executed is the carrier's business (the OperationExecutor).
 */
export interface OperationExecutor {
  execute(tool: ToolDefinition, variables: Record<string, unknown>): Promise<{ answer: GraphQLAnswer; requestId: string }>;
}

/** A call refused before its operation ran, so no other layer records it. */
export interface ToolCallRefusal {
  /** The name the client sent (bounded; it may name no tool at all). */
  toolName: string;
  tool: ToolDefinition | undefined;
  code: 'UNKNOWN_TOOL' | 'BAD_USER_INPUT';
  message: string;
  /** The arguments as sent, for what the record may take from them (the project they name). */
  args: Record<string, unknown>;
}

export interface ToolServerOptions {
  manifest: ToolManifest;
  /** The caller's effective scopes, read when tools are listed or called. */
  scopes: () => Promise<ReadonlySet<Scope>> | ReadonlySet<Scope>;
  executor: OperationExecutor;
  /** The toolsets the client selected (src/mcp/toolsets.ts); the defaults when it named none. */
  toolsets?: ReadonlySet<ToolsetName>;
  /** How long a 2026-07-28 client may reuse this caller's tools/list answer. */
  listCacheHint?: CacheHint;
  /** Records a refused call (the gateway writes its one audit event here). */
  recordRefusal?: (refusal: ToolCallRefusal) => Promise<void>;
  /** Logs an error nobody expected and returns the request id the caller may quote. */
  reportUnexpected: (error: unknown) => string;
}

export const SERVER_INFO = { name: 'nodedc-tasker-agent-gateway', version: '0.1.0' } as const;

const INSTRUCTIONS =
  'Tools for NODE.DC Tasker, used as an agent on behalf of its owner. Issues go by key (DEMO-12) or id, projects by ' +
  'identifier (DEMO) or id; text is Markdown. get_project_context gives the ids of states, labels and members. ' +
  'Every write takes dryRun (true: answer the change, make none) and idempotencyKey (reuse it when retrying: the first ' +
  'answer comes back, nothing is written twice). Lists take first (1-100, default 50) and after (the endCursor of the last page).';

const MAX_ECHOED_NAME = 128;
const bounded = (name: string) => name.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_ECHOED_NAME);

export function createToolServer(options: ToolServerOptions): Server {
  const server = new Server(SERVER_INFO, {
    capabilities: { tools: { listChanged: false }, resources: { listChanged: false } },
    instructions: INSTRUCTIONS,
    ...(options.listCacheHint ? { cacheHints: { 'tools/list': options.listCacheHint } } : {}),
  });
  const byName = new Map(options.manifest.tools.map((tool) => [tool.name, tool]));

  const toolsets = options.toolsets ?? new Set(DEFAULT_TOOLSETS);
  server.setRequestHandler('tools/list', async () => ({ tools: listedTools(options.manifest.tools, await options.scopes(), toolsets) }));

  server.setRequestHandler('tools/call', async (request): Promise<CallToolResult> => {
    const { name, arguments: args = {} } = request.params;
    const tool = byName.get(name);
    if (!tool) {
      // An unknown tool is a protocol error (-32602) in every era; the client's tool list is stale.
      const message = `Unknown tool: ${bounded(name)}; list the tools to see the ones this agent may use`;
      await options.recordRefusal?.({ toolName: bounded(name), tool: undefined, code: 'UNKNOWN_TOOL', message, args });
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, message);
    }
    // Scopes are not checked here: the operation's own path (shield, scope-auth, grants) refuses
    // and audits, so a call refused here and one refused there cannot disagree.
    const checked = checkArguments(tool, args);
    if (!checked.ok) {
      // Input validation failures are tool execution errors: a model can fix its arguments.
      const message = `arguments do not match the input schema of ${name}: ${checked.violations}`;
      await options.recordRefusal?.({ toolName: name, tool, code: 'BAD_USER_INPUT', message, args });
      return toolError([{ code: 'BAD_USER_INPUT', message }], 'none');
    }
    try {
      const { answer, requestId } = await options.executor.execute(tool, args);
      return server.projectCallToolResult(toToolResult(answer, requestId), tool.outputSchema);
    } catch (error) {
      const requestId = options.reportUnexpected(error);
      throw new ProtocolError(ProtocolErrorCode.InternalError, `Unexpected error (request id ${requestId})`, { requestId });
    }
  });

  registerIssueResources(server, options);
  return server;
}

/** `tasker://issue/{key}`: an issue as a resource a client can attach to its context. */
export const ISSUE_URI_TEMPLATE = 'tasker://issue/{key}';
const ISSUE_URI = /^tasker:\/\/issue\/([^/?#]{1,200})$/;

/**
 * Issues as resources. Reading one runs the get_issue tool's persisted operation, so it passes the
 * same grant checks and leaves the same audit event as the tool; an agent whose scopes do not list
 * get_issue sees no template. Issues are not enumerated (resources/list is empty): there are too
 * many, and search_issues finds them.
 */
function registerIssueResources(server: Server, options: ToolServerOptions): void {
  const getIssue = options.manifest.tools.find((tool) => tool.operationName === 'GetIssue');
  if (!getIssue) throw new Error('the GetIssue operation backs the issue resources; it is missing');
  const mayRead = async () => {
    const held = await options.scopes();
    return getIssue.scopes.every((scope) => held.has(scope));
  };
  server.setRequestHandler('resources/list', async () => ({ resources: [] }));
  server.setRequestHandler('resources/templates/list', async () => ({
    resourceTemplates: (await mayRead())
      ? [{ uriTemplate: ISSUE_URI_TEMPLATE, name: 'issue', title: 'Tasker issue', description: 'An issue by key (DEMO-12) or id, as Markdown.', mimeType: 'text/markdown' }]
      : [],
  }));
  server.setRequestHandler('resources/read', async (request) => {
    const match = ISSUE_URI.exec(request.params.uri);
    if (!match?.[1]) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `not an issue resource: use ${ISSUE_URI_TEMPLATE}`);
    const issueRef = decodeURIComponent(match[1]);
    let answer: GraphQLAnswer;
    try {
      ({ answer } = await options.executor.execute(getIssue, { issueId: issueRef }));
    } catch (error) {
      const requestId = options.reportUnexpected(error);
      throw new ProtocolError(ProtocolErrorCode.InternalError, `Unexpected error (request id ${requestId})`, { requestId });
    }
    const issue = answer.data?.issue as Record<string, unknown> | undefined;
    if (!issue || (answer.errors?.length ?? 0) > 0) {
      const error = answer.errors?.[0];
      // Unknown, hidden and ungranted issues read alike (the tool's NOT_FOUND), with the tool's reason.
      throw new ProtocolError(-32002 as ProtocolErrorCode, `${error?.extensions?.code ?? 'NOT_FOUND'}: ${error?.message ?? 'no such issue'}`);
    }
    return { contents: [{ uri: request.params.uri, mimeType: 'text/markdown', text: renderIssue(issue) }] };
  });
}

/** The issue as a Markdown document: title, facts, then the description. */
function renderIssue(issue: Record<string, unknown>): string {
  const { key, title, description, ...facts } = issue;
  return `# ${String(key)} ${String(title)}\n\n${compactText(facts)}\n\n${String(description ?? '')}`.trim();
}
