import { type CacheHint, type CallToolResult, ProtocolError, ProtocolErrorCode, Server } from '@modelcontextprotocol/server';
import type { Scope } from '../auth/scopes.js';
import { checkArguments } from './tool-arguments.js';
import { listedTools } from './tool-listing.js';
import type { ToolDefinition, ToolManifest } from './tool-manifest.js';
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
}

export interface ToolServerOptions {
  manifest: ToolManifest;
  /** The caller's effective scopes, read when tools are listed or called. */
  scopes: () => Promise<ReadonlySet<Scope>> | ReadonlySet<Scope>;
  executor: OperationExecutor;
  /** How long a 2026-07-28 client may reuse this caller's tools/list answer. */
  listCacheHint?: CacheHint;
  /** Records a refused call (the gateway writes its one audit event here). */
  recordRefusal?: (refusal: ToolCallRefusal) => Promise<void>;
  /** Logs an error nobody expected and returns the request id the caller may quote. */
  reportUnexpected: (error: unknown) => string;
}

export const SERVER_INFO = { name: 'nodedc-tasker-agent-gateway', version: '0.1.0' } as const;

const INSTRUCTIONS =
  'Tools for NODE.DC Tasker, used as an agent on behalf of its owner. Start with list_projects or resolve_project, ' +
  'read states, labels and members with get_project_context, then read or change issues. Pass an idempotencyKey on ' +
  'writes and reuse it when retrying.';

const MAX_ECHOED_NAME = 128;
const bounded = (name: string) => name.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_ECHOED_NAME);

export function createToolServer(options: ToolServerOptions): Server {
  const server = new Server(SERVER_INFO, {
    capabilities: { tools: { listChanged: false } },
    instructions: INSTRUCTIONS,
    ...(options.listCacheHint ? { cacheHints: { 'tools/list': options.listCacheHint } } : {}),
  });
  const byName = new Map(options.manifest.tools.map((tool) => [tool.name, tool]));

  server.setRequestHandler('tools/list', async () => ({ tools: listedTools(options.manifest.tools, await options.scopes()) }));

  server.setRequestHandler('tools/call', async (request): Promise<CallToolResult> => {
    const { name, arguments: args = {} } = request.params;
    const tool = byName.get(name);
    if (!tool) {
      // An unknown tool is a protocol error (-32602) in every era; the client's tool list is stale.
      const message = `Unknown tool: ${bounded(name)}; list the tools to see the ones this agent may use`;
      await options.recordRefusal?.({ toolName: bounded(name), tool: undefined, code: 'UNKNOWN_TOOL', message });
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, message);
    }
    // Scopes are not checked here: the operation's own path (shield, scope-auth, grants) refuses
    // and audits, so a call refused here and one refused there cannot disagree.
    const checked = checkArguments(tool, args);
    if (!checked.ok) {
      // Input validation failures are tool execution errors: a model can fix its arguments.
      const message = `arguments do not match the input schema of ${name}: ${checked.violations}`;
      await options.recordRefusal?.({ toolName: name, tool, code: 'BAD_USER_INPUT', message });
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

  return server;
}
