import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as V1StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as V1StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/**
 * Real MCP clients speaking Streamable HTTP to the gateway with an agent token: the maintained
 * 2.x client in either protocol era, and the 1.x client older agents still ship.
 */
export type ClientKind = '2.x modern' | '2.x legacy' | '1.x';

export const MODERN_REVISION = '2026-07-28';

/** The surface the suites use, which every kind of client offers. */
export interface McpTestClient {
  listTools(): Promise<{ tools: { name: string; annotations?: Record<string, unknown>; outputSchema?: unknown }[] }>;
  callTool(params: { name: string; arguments?: Record<string, unknown> }): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function connectMcp(gatewayUrl: string, token: string, kind: ClientKind = '2.x modern'): Promise<McpTestClient> {
  const url = new URL('/mcp', gatewayUrl);
  const requestInit = { headers: { authorization: `Bearer ${token}` } };
  if (kind === '1.x') {
    const client = new V1Client({ name: 'gateway-tests-v1', version: '1.0.0' });
    await client.connect(new V1StreamableHTTPClientTransport(url, { requestInit }));
    return client;
  }
  const client = new Client({ name: 'gateway-tests', version: '1.0.0' }, clientOptions(kind));
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit }));
  return client;
}

const clientOptions = (kind: ClientKind) => (kind === '2.x modern' ? { versionNegotiation: { mode: { pin: MODERN_REVISION } } } : {});

/** The same clients over stdio, starting `command` as the server process. */
export async function connectStdio(server: { command: string; args: string[]; env: Record<string, string> }, kind: ClientKind): Promise<McpTestClient> {
  if (kind === '1.x') {
    const client = new V1Client({ name: 'stdio-test-v1', version: '1.0.0' });
    await client.connect(new V1StdioClientTransport({ ...server, stderr: 'pipe' }));
    return client;
  }
  const client = new Client({ name: 'stdio-test', version: '1.0.0' }, clientOptions(kind));
  await client.connect(new StdioClientTransport({ ...server, stderr: 'pipe' }));
  return client;
}

/** The text parts of a tool result (results of the older toolResult shape have none). */
export function textOf(result: object): string {
  const content = ('content' in result && Array.isArray(result.content) ? result.content : []) as { text?: string }[];
  return content.map((part) => part.text ?? '').join('\n');
}
