import {
  type AuthInfo,
  createMcpHandler,
  isLegacyRequest,
  type McpServerFactory,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';

/**
 * Both protocol eras on one endpoint, from one server factory. A request that carries the
 * 2026-07-28 `_meta` envelope goes to the SDK's modern handler (stateless by design: version and
 * client info in every request, `server/discover`, `Mcp-Method`/`Mcp-Name` checked against the
 * body, cacheable list results). Anything else is a 2025-era request (2025-11-25, 2025-06-18 and
 * older): served statelessly by a fresh server over the 2025 transport, answering plain JSON, as
 * the gateway always has. The SDK's own predicate decides, so the two legs cannot disagree.
 */
export interface EraRequest {
  authInfo: AuthInfo;
  /** The body, already read and parsed by the gate. */
  parsedBody: unknown;
}

export type EraRouter = (request: Request, options: EraRequest) => Promise<Response>;

export function createEraRouter(factory: McpServerFactory, onerror: (error: Error) => void): EraRouter {
  const modern = createMcpHandler(factory, { legacy: 'reject', onerror });

  const legacy = async (request: Request, { authInfo, parsedBody }: EraRequest): Promise<Response> => {
    const server = await factory({ era: 'legacy', authInfo, requestInfo: request });
    // No session id: every 2025-era POST stands alone, like a 2026-07-28 one.
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    transport.onerror = onerror;
    try {
      await server.connect(transport);
      return await transport.handleRequest(request, { authInfo, parsedBody });
    } finally {
      await server.close();
    }
  };

  return async (request, options) =>
    (await isLegacyRequest(request, options.parsedBody)) ? legacy(request, options) : modern.fetch(request, options);
}
