import type { CacheHint, Server } from '@modelcontextprotocol/server';
import type { ExecutionResult } from 'graphql';
import { recordAudit } from '../audit/audit-log.js';
import { namedProjectOf } from '../audit/named-project.js';
import { type AgentPrincipal, agentScopes } from '../auth/principal.js';
import type { Db } from '../db/database.js';
import type { NodeServerContext } from '../http/request-context.js';
import type { GatewayYoga } from '../http/yoga.js';
import type { CallContext } from '../resolvers/context.js';
import type { ToolManifest } from './tool-manifest.js';
import type { GraphQLAnswer } from './tool-results.js';
import { createToolServer, type OperationExecutor, type ToolCallRefusal } from './tool-server.js';
import type { ToolsetName } from './toolsets.js';

/**
 * The tool server for one authenticated POST to /mcp: the agent's own tools, its calls run as
 * their persisted operations, and the calls refused before an operation runs audited here (the
 * operation's path audits everything else), so every call leaves exactly one event.
 */
export interface AgentMcpCall {
  ctx: CallContext & { principal: AgentPrincipal };
  request: Request;
  server: NodeServerContext;
  /** The toolsets the client selected (X-MCP-Toolsets), or the defaults. */
  toolsets: ReadonlySet<ToolsetName>;
}

export interface GatewayToolsDeps {
  manifest: ToolManifest;
  yoga: GatewayYoga;
  db: Db;
  now: () => Date;
  toolsListTtlSeconds: number;
  reportUnexpected: (error: unknown, requestId: string) => void;
}

/**
 * Runs a tool's persisted operation in process, as the principal the endpoint already resolved:
 * through Yoga's own handling of GraphQL parameters — the persisted-operations gate, the document
 * limits, shield, scope-auth, the resolvers' audit and idempotency, the refusal audit and error
 * masking, exactly as for a request to /graphql — but without a second HTTP request, a second
 * authentication, or the answer serialised to JSON and parsed back.
 */
function inProcessExecutor(yoga: GatewayYoga, call: AgentMcpCall): OperationExecutor {
  const { requestId } = call.ctx.meta;
  return {
    async execute(tool, variables) {
      const result = await yoga.getResultForParams(
        {
          // The MCP request itself: its Authorization header and its abort signal are the call's.
          request: call.request,
          params: { operationName: tool.operationName, variables, extensions: { persistedQuery: { version: 1, sha256Hash: tool.operationId } } },
        },
        { ...call.server, resolved: call.ctx },
      );
      return { answer: answerOf(result), requestId };
    },
  };
}

function answerOf(result: ExecutionResult | AsyncIterable<ExecutionResult> | undefined): GraphQLAnswer {
  if (result === undefined || Symbol.asyncIterator in result) throw new Error('a persisted operation answered with a stream');
  const data = (result.data ?? null) as GraphQLAnswer['data'];
  const extensions = result.extensions === undefined ? {} : { extensions: result.extensions };
  if (!result.errors) return { data, ...extensions };
  return { data, ...extensions, errors: result.errors.map((error) => ({ message: error.message, extensions: error.extensions as { code?: string } })) };
}

/**
 * How long a client may reuse this caller's tool list. The list follows the token's grants, which
 * its owner may change at any moment, so by default the hint is 0 (revalidate every time) and can
 * never outlive a change. An operator may allow reuse (MCP_TOOLS_LIST_TTL_SECONDS), accepting a
 * list that lags a change by at most that long; the hint is then capped at the token's expiry and
 * kept `private` (never shared between callers). A stale list grants nothing: every call is
 * checked again (403 insufficient_scope, or FORBIDDEN for a project).
 */
export function toolsListCacheHint(principal: AgentPrincipal, ttlSeconds: number, now: Date): CacheHint {
  const untilExpiry = Math.max(0, principal.tokenExpiresAt.getTime() - now.getTime());
  return { ttlMs: Math.min(ttlSeconds * 1000, untilExpiry), cacheScope: 'private' };
}

/** The one audit event of a tool call refused by the MCP layer itself. */
export async function auditToolRefusal(
  db: Db,
  ctx: AgentMcpCall['ctx'],
  refusal: { toolName: string; code: ToolCallRefusal['code'] | 'INSUFFICIENT_SCOPE'; message: string; args: unknown },
): Promise<void> {
  await recordAudit(db, ctx.principal, ctx.meta, {
    action: refusal.code === 'UNKNOWN_TOOL' ? 'agent.mcp.unknown_tool' : `agent.mcp.${refusal.toolName}`,
    outcome: refusal.code === 'INSUFFICIENT_SCOPE' ? 'denied' : 'failed',
    ownerUserId: ctx.principal.ownerUserId,
    reason: `${refusal.code}: ${refusal.message}`,
    details: { tokenId: ctx.principal.tokenId, tool: refusal.toolName, ...namedProjectOf(refusal.args) },
  });
}

export function createGatewayToolServer(deps: GatewayToolsDeps, call: AgentMcpCall): Server {
  const { principal, meta } = call.ctx;
  return createToolServer({
    manifest: deps.manifest,
    scopes: () => agentScopes(principal),
    toolsets: call.toolsets,
    executor: inProcessExecutor(deps.yoga, call),
    listCacheHint: toolsListCacheHint(principal, deps.toolsListTtlSeconds, deps.now()),
    recordRefusal: (refusal) => auditToolRefusal(deps.db, call.ctx, refusal),
    reportUnexpected: (error) => {
      deps.reportUnexpected(error, meta.requestId);
      return meta.requestId;
    },
  });
}
