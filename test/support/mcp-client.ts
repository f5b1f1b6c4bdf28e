import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** The real MCP SDK client, speaking Streamable HTTP to the gateway with an agent token. */
export async function connectMcp(gatewayUrl: string, token: string): Promise<Client> {
  const client = new Client({ name: 'gateway-tests', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', gatewayUrl), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

/** The text parts of a tool result (results of the older toolResult shape have none). */
export function textOf(result: object): string {
  const content = ('content' in result && Array.isArray(result.content) ? result.content : []) as { text?: string }[];
  return content.map((part) => part.text ?? '').join('\n');
}
