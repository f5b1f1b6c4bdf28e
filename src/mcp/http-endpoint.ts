import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Authenticator } from '../auth/authenticate.js';
import { agentScopes } from '../auth/principal.js';
import type { FetchHandler } from '../http/router.js';
import { jsonResponse } from '../http/errors.js';
import { type NodeServerContext, resolveCallContext } from '../http/request-context.js';
import type { GatewayYoga } from '../http/yoga.js';
import type { Logger } from '../logging/logger.js';
import { describeUnexpected } from '../logging/logger.js';
import type { ToolManifest } from './tool-manifest.js';
import type { GraphQLAnswer } from './tool-results.js';
import { createToolServer, type OperationExecutor } from './tool-server.js';

/**
 * Streamable HTTP at /mcp. Stateless: every POST is authenticated afresh and served by a new
 * server, so a revoked token, disabled agent or removed grant holds from the very next message.
 * Tool calls run their persisted operation through Yoga — the same path, plugins and audit as any
 * GraphQL request — with the agent's own Authorization header, which never leaves the gateway.
 */
export interface McpEndpointOptions {
  manifest: ToolManifest;
  yoga: GatewayYoga;
  authenticator: Authenticator;
  trustProxy: boolean;
  /** Browser origins allowed to call (DNS-rebinding defence); requests without Origin are fine. */
  allowedOrigins: readonly string[];
  logger: Logger;
}

const REALM = 'Bearer realm="tasker-agent-gateway", resource="/mcp"';
const QUERY_CREDENTIALS = /^(access_?token|token|api_?key|key|auth|authorization|bearer)$/i;

const rpcError = (status: number, message: string, headers: Record<string, string> = {}) =>
  jsonResponse(status, { jsonrpc: '2.0', error: { code: -32600, message }, id: null }, headers);

function graphqlExecutor(yoga: GatewayYoga, request: Request, server: NodeServerContext, requestId: string): OperationExecutor {
  return {
    async execute(tool, variables) {
      const response = await yoga.fetch(
        new Request(new URL('/graphql', request.url), {
          method: 'POST',
          headers: {
            authorization: request.headers.get('authorization') ?? '',
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            'x-request-id': requestId,
          },
          body: JSON.stringify({
            operationName: tool.operationName,
            variables,
            extensions: { persistedQuery: { version: 1, sha256Hash: tool.operationId } },
          }),
        }),
        server,
      );
      return { answer: (await response.json()) as GraphQLAnswer, requestId };
    },
  };
}

export function createMcpEndpoint(options: McpEndpointOptions): FetchHandler {
  return async (request, server) => {
    const url = new URL(request.url);
    if ([...url.searchParams.keys()].some((key) => QUERY_CREDENTIALS.test(key))) {
      return rpcError(400, 'credentials in the URL are refused; send the agent token as Authorization: Bearer <token>');
    }
    const origin = request.headers.get('origin');
    if (origin !== null && !options.allowedOrigins.includes(origin)) {
      return rpcError(403, `origin ${origin} is not allowed to use this MCP endpoint`);
    }
    if (request.method !== 'POST') {
      // Stateless server: no standalone SSE stream to GET, no session to DELETE.
      return rpcError(405, 'this MCP endpoint takes POST only (stateless Streamable HTTP)', { allow: 'POST' });
    }

    const ctx = await resolveCallContext(request, server, { authenticator: options.authenticator, trustProxy: options.trustProxy });
    if (ctx.principal.kind === 'anonymous') {
      const reason = ctx.principal.rejection ?? 'an agent token is required';
      return rpcError(401, reason, { 'www-authenticate': `${REALM}, error="invalid_token", error_description="${reason.replace(/"/g, "'")}"` });
    }
    if (ctx.principal.kind !== 'agent') return rpcError(403, 'the MCP endpoint is for agent tokens, not Launcher tokens');
    const principal = ctx.principal;

    const toolServer = createToolServer({
      manifest: options.manifest,
      scopes: () => agentScopes(principal),
      executor: graphqlExecutor(options.yoga, request, server, ctx.meta.requestId),
    });
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    try {
      await toolServer.connect(transport);
      const response = await transport.handleRequest(request);
      response.headers.set('x-request-id', ctx.meta.requestId);
      return response;
    } catch (error) {
      options.logger.error('MCP request failed', { requestId: ctx.meta.requestId, ...describeUnexpected(error) });
      return jsonResponse(500, { jsonrpc: '2.0', error: { code: -32603, message: 'Unexpected error.' }, id: null });
    } finally {
      await toolServer.close();
    }
  };
}
