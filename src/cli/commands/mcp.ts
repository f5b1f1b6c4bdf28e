import { randomUUID } from 'node:crypto';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Scope } from '../../auth/scopes.js';
import { loadToolManifest } from '../../mcp/manifest.js';
import { createToolServer } from '../../mcp/tool-server.js';
import { loadCredentials } from '../credentials.js';
import { GatewayUnreachable, runPersistedOperation } from '../gateway-client.js';
import type { CommandIO } from '../io.js';
import { fetchSession } from '../session.js';

/**
 * `tasker-agent mcp`: an MCP server on stdin/stdout for Codex and other local clients. Each tool
 * call goes to the gateway as its persisted operation with the stored token; the tool list follows
 * the token's current scopes. stdout carries only the protocol; diagnostics go to stderr.
 */
export async function mcp(io: CommandIO): Promise<number> {
  const loaded = await loadCredentials();
  if (!loaded.ok) return io.fail(loaded.problem);
  const { gateway, token } = loaded.credentials;
  const manifest = loadToolManifest();

  const scopes = async (): Promise<ReadonlySet<Scope>> => {
    try {
      const result = await fetchSession(gateway, token, manifest);
      if (result.ok) return new Set(result.session.scopes);
      io.err(`tasker-agent: the gateway refused the stored token (${result.code}: ${result.message})`);
    } catch (error) {
      io.err(`tasker-agent: ${(error as Error).message}`);
    }
    return new Set();
  };

  const server = createToolServer({
    manifest,
    scopes,
    executor: {
      async execute(tool, variables) {
        const requestId = randomUUID();
        try {
          return { answer: await runPersistedOperation(gateway, token, tool, variables), requestId };
        } catch (error) {
          const message = error instanceof GatewayUnreachable ? error.message : 'the gateway answered with something unreadable';
          return { answer: { errors: [{ message, extensions: { code: 'GATEWAY_UNREACHABLE' } }] }, requestId };
        }
      },
    },
  });
  const transport = new StdioServerTransport();
  await server.connect(transport);
  await new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.close();
  return 0;
}
