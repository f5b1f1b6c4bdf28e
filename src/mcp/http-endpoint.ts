import { type AuthInfo, isJsonContentType, type McpRequestContext } from '@modelcontextprotocol/server';
import { parseToolsets } from './toolsets.js';
import { describeTextProblem, findIllFormedText } from '../validation/text.js';
import { recordAudit } from '../audit/audit-log.js';
import type { Authenticator } from '../auth/authenticate.js';
import { agentScopes } from '../auth/principal.js';
import { SCOPES } from '../auth/scopes.js';
import type { Db } from '../db/database.js';
import type { FetchHandler } from '../http/router.js';
import { jsonResponse, knownError } from '../http/errors.js';
import { requestIdOf, resolveCallContext } from '../http/request-context.js';
import type { GatewayYoga } from '../http/yoga.js';
import type { Logger } from '../logging/logger.js';
import { describeUnexpected } from '../logging/logger.js';
import { mcpOperationOf } from '../observability/mcp-operation.js';
import { noteOperation } from '../observability/request-observation.js';
import { type AgentMcpCall, auditToolRefusal, createGatewayToolServer } from './gateway-tools.js';
import type { OriginPolicy } from './origin-policy.js';
import { createEraRouter } from './protocol-eras.js';
import type { ToolManifest } from './tool-manifest.js';

/**
 * Streamable HTTP at /mcp, for both protocol eras. This gate holds the gateway's own rules before
 * the SDK sees a byte: no credentials in the URL, browser origins checked, the agent token
 * authenticated afresh on every POST (so a revoked token, disabled agent or removed grant holds
 * from the very next message), one JSON-RPC message per POST, and a call for a tool whose scope
 * the token lacks refused with an OAuth `insufficient_scope` challenge.
 */
export interface McpEndpointOptions {
  manifest: ToolManifest;
  yoga: GatewayYoga;
  db: Db;
  authenticator: Authenticator;
  trustProxy: boolean;
  /** Browser origins allowed to call (DNS-rebinding defence); requests without Origin are fine. */
  originAllowed: OriginPolicy;
  toolsListTtlSeconds: number;
  /** This endpoint as an OAuth protected resource, when OAuth sign-in is available for the request. */
  protectedResource: (request: Request) => { resource: string; resourceMetadata: string } | undefined;
  now: () => Date;
  logger: Logger;
}

const REALM = 'Bearer realm="tasker-agent-gateway"';
const QUERY_CREDENTIALS = /^(access_?token|token|api_?key|key|auth|authorization|bearer)$/i;

type JsonRpcId = string | number | null;

const rpcError = (status: number, code: number, message: string, options: { id?: JsonRpcId; headers?: Record<string, string>; data?: unknown } = {}) =>
  jsonResponse(status, { jsonrpc: '2.0', id: options.id ?? null, error: { code, message, ...(options.data === undefined ? {} : { data: options.data }) } }, options.headers);

const quoted = (text: string) => text.replace(/["\\]/g, "'");

/** The id of a single JSON-RPC request, when the body is one, for echoing in an error. */
function idOf(body: unknown): JsonRpcId {
  if (typeof body !== 'object' || body === null || !('id' in body)) return null;
  const { id } = body;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

/** The tool a tools/call names, when the body is one. */
function calledToolName(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('method' in body) || body.method !== 'tools/call') return undefined;
  const params = 'params' in body ? body.params : undefined;
  if (typeof params !== 'object' || params === null || !('name' in params)) return undefined;
  return typeof params.name === 'string' ? params.name : undefined;
}

/** The arguments of a tools/call, when the body is one. */
function calledToolArguments(body: unknown): unknown {
  const params = typeof body === 'object' && body !== null && 'params' in body ? body.params : undefined;
  return typeof params === 'object' && params !== null && 'arguments' in params ? params.arguments : undefined;
}

async function readJson(request: Request): Promise<{ ok: true; body: unknown } | { ok: false }> {
  try {
    return { ok: true, body: JSON.parse(await request.text()) };
  } catch {
    return { ok: false };
  }
}

export function createMcpEndpoint(options: McpEndpointOptions): FetchHandler {
  const { logger } = options;
  const toolNames = new Set(options.manifest.tools.map((tool) => tool.name));
  const reportUnexpected = (error: unknown, requestId: string) =>
    logger.error('MCP request failed', { requestId, ...describeUnexpected(error), ...(error instanceof Error ? { stack: error.stack } : {}) });

  // The SDK sees only an AuthInfo; the call it stands for is looked up here, never re-derived.
  const calls = new WeakMap<AuthInfo, AgentMcpCall>();
  const serverFor = ({ authInfo }: McpRequestContext) => {
    const call = authInfo && calls.get(authInfo);
    if (!call) throw new Error('an MCP server was requested for an unauthenticated request');
    return createGatewayToolServer(
      { manifest: options.manifest, yoga: options.yoga, db: options.db, now: options.now, toolsListTtlSeconds: options.toolsListTtlSeconds, reportUnexpected },
      call,
    );
  };
  // Rejections the SDK answers itself (bad envelope, header mismatch) are the client's; real faults carry a stack.
  const route = createEraRouter(serverFor, (error) => logger.debug('MCP request refused by the protocol layer', describeUnexpected(error)));

  const serve: FetchHandler = async (request, server) => {
    const url = new URL(request.url);
    if ([...url.searchParams.keys()].some((key) => QUERY_CREDENTIALS.test(key))) {
      return rpcError(400, -32600, 'credentials in the URL are refused; send the agent token as Authorization: Bearer <token>');
    }
    const origin = request.headers.get('origin');
    if (origin !== null && !options.originAllowed(origin)) {
      return rpcError(403, -32600, `origin ${origin} is not allowed to use this MCP endpoint`);
    }
    if (request.method !== 'POST') {
      // Stateless in both eras: no standalone SSE stream to GET, no session to DELETE.
      return rpcError(405, -32600, 'this MCP endpoint takes POST only (stateless Streamable HTTP)', { headers: { allow: 'POST' } });
    }

    const protectedResource = options.protectedResource(request);
    // RFC 9728 §5.1: every challenge says where the resource's metadata is, so a client can sign in.
    const discovery = protectedResource ? `, resource_metadata="${protectedResource.resourceMetadata}"` : '';
    const ctx = await resolveCallContext(request, server, {
      authenticator: options.authenticator,
      trustProxy: options.trustProxy,
      resource: protectedResource?.resource,
    });
    const requestIdHeader = { 'x-request-id': ctx.meta.requestId };
    if (ctx.principal.kind === 'anonymous') {
      const reason = ctx.principal.rejection?.message ?? 'an agent token is required';
      const presented = request.headers.has('authorization');
      return rpcError(401, -32600, reason, {
        headers: {
          ...requestIdHeader,
          'www-authenticate': `${REALM}${discovery}, scope="${SCOPES.join(' ')}"${presented ? `, error="invalid_token", error_description="${quoted(reason)}"` : ''}`,
        },
      });
    }
    if (ctx.principal.kind !== 'agent') {
      return rpcError(403, -32600, 'the MCP endpoint is for agent tokens, not Launcher tokens', { headers: requestIdHeader });
    }
    const principal = ctx.principal;
    /** A request refused before its message could be read: nothing else will record it, so its one event is written here. */
    const refuseUnread = async (status: number, rpcCode: number, message: string) => {
      await recordAudit(options.db, principal, ctx.meta, { action: 'agent.mcp.request', outcome: 'failed', reason: `BAD_USER_INPUT: ${message}` });
      return rpcError(status, rpcCode, message, { headers: requestIdHeader });
    };
    // A client may narrow the listed tools to some toolsets (github-mcp-server's X-MCP-Toolsets).
    const selection = parseToolsets(request.headers.get('x-mcp-toolsets'));
    if (!selection.ok) return refuseUnread(400, -32600, `X-MCP-Toolsets: ${selection.message}`);
    const call: AgentMcpCall = { ctx: { ...ctx, principal }, request, server, toolsets: selection.toolsets };

    if (!isJsonContentType(request.headers.get('content-type'))) return refuseUnread(415, -32600, 'Content-Type must be application/json');
    const parsed = await readJson(request);
    if (!parsed.ok) return refuseUnread(400, -32700, 'Parse error: the body is not JSON');
    const body = parsed.body;
    noteOperation(ctx.meta.requestId, mcpOperationOf(body, toolNames));
    const illFormed = findIllFormedText(body);
    if (illFormed) {
      // A tool call refused here reaches no other layer: its one event is written here.
      const calledName = calledToolName(body);
      if (calledName !== undefined) {
        await auditToolRefusal(options.db, call.ctx, {
          toolName: toolNames.has(calledName) ? calledName : 'unknown_tool',
          code: 'BAD_USER_INPUT',
          message: describeTextProblem(illFormed),
          args: calledToolArguments(body),
        });
      }
      // JSON-RPC "invalid params": the message is JSON but holds text that is not text (NUL, a lone surrogate).
      return rpcError(400, -32602, describeTextProblem(illFormed), {
        id: idOf(body),
        headers: requestIdHeader,
        data: { code: 'BAD_USER_INPUT', requestId: ctx.meta.requestId, details: { issues: [{ path: illFormed.path || '(input)', message: illFormed.message }] } },
      });
    }
    if (Array.isArray(body)) {
      // Batches are gone from the protocol since 2025-06-18; one message per POST keeps every call bounded and audited.
      const message = 'JSON-RPC batches are not accepted; send one message per POST';
      // None of the batch's calls ran: the refusal is its one event.
      await recordAudit(options.db, call.ctx.principal, ctx.meta, {
        action: 'agent.mcp.batch',
        outcome: 'failed',
        reason: `BAD_USER_INPUT: ${message}`,
        details: { messages: body.length },
      });
      return rpcError(400, -32600, message, { headers: requestIdHeader });
    }

    const toolName = calledToolName(body);
    const tool = toolName === undefined ? undefined : options.manifest.tools.find((candidate) => candidate.name === toolName);
    if (tool) {
      const held = agentScopes(call.ctx.principal);
      const missing = tool.scopes.filter((scope) => !held.has(scope));
      if (missing.length > 0) {
        const message = `this agent's token does not carry ${missing.join(', ')}, which ${tool.name} needs; ask its owner to grant it`;
        await auditToolRefusal(options.db, call.ctx, { toolName: tool.name, code: 'INSUFFICIENT_SCOPE', message, args: calledToolArguments(body) });
        return rpcError(403, -32600, message, {
          id: idOf(body),
          headers: {
            ...requestIdHeader,
            'www-authenticate': `Bearer error="insufficient_scope", scope="${tool.scopes.join(' ')}"${discovery}, error_description="${quoted(message)}"`,
          },
        });
      }
    }

    const authInfo: AuthInfo = {
      token: '',
      clientId: call.ctx.principal.agentId,
      scopes: [...agentScopes(call.ctx.principal)],
      expiresAt: Math.floor(call.ctx.principal.tokenExpiresAt.getTime() / 1000),
    };
    calls.set(authInfo, call);
    const response = await route(request, { authInfo, parsedBody: body });
    if (response.status >= 500) {
      // Whatever failed inside the protocol layer was logged there; the caller gets an id, not internals.
      return rpcError(500, -32603, `Unexpected error (request id ${ctx.meta.requestId})`, {
        id: idOf(body),
        headers: requestIdHeader,
        data: { requestId: ctx.meta.requestId },
      });
    }
    response.headers.set('x-request-id', ctx.meta.requestId);
    return response;
  };

  return async (request, server) => {
    try {
      return await serve(request, server);
    } catch (error) {
      // The outermost catch: nothing unexpected leaves /mcp as anything but a JSON-RPC error.
      const requestId = requestIdOf(request);
      // Known refusals keep their status and headers, as on every surface: a rate limit (429 with
      // Retry-After and RateLimit fields), a database that does not answer (503 with Retry-After).
      const known = knownError(error);
      if (known) {
        if (known.httpStatus >= 500) reportUnexpected(error, requestId);
        return rpcError(known.httpStatus, known.httpStatus >= 500 ? -32603 : -32600, `${known.code}: ${known.message} (request id ${requestId})`, {
          headers: {
            'x-request-id': requestId,
            ...known.headers,
            ...(known.retryAfterSeconds !== undefined ? { 'retry-after': String(known.retryAfterSeconds) } : {}),
          },
          data: { requestId, code: known.code, ...(known.details ? { details: known.details } : {}) },
        });
      }
      reportUnexpected(error, requestId);
      return rpcError(500, -32603, `Unexpected error (request id ${requestId})`, { headers: { 'x-request-id': requestId }, data: { requestId } });
    }
  };
}
