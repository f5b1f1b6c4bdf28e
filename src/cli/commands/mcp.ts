import { randomUUID } from 'node:crypto';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { Scope } from '../../auth/scopes.js';
import { loadToolManifest } from '../../mcp/manifest.js';
import { createToolServer } from '../../mcp/tool-server.js';
import { parseToolsets } from '../../mcp/toolsets.js';
import { loadCredentials } from '../credentials.js';
import { GatewayUnreachable, runPersistedOperation } from '../gateway-client.js';
import type { CommandIO } from '../io.js';
import { fetchSession } from '../session.js';

/**
 * `tasker-agent mcp`: an MCP server on stdin/stdout for Codex and other local clients. Each tool
 * call goes to the gateway as its persisted operation with the stored token; the tool list follows
 * the token's current scopes. stdout carries only the protocol; diagnostics go to stderr.
 */
export async function mcp(io: CommandIO, options: { toolsets?: string | undefined } = {}): Promise<number> {
  const selection = parseToolsets(options.toolsets);
  if (!selection.ok) return io.fail(`tasker-agent: --toolsets: ${selection.message}`);
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

  // One factory for both eras: the opening message decides which one this connection speaks.
  const handle = serveStdio(
    () =>
      createToolServer({
        manifest,
        scopes,
        toolsets: selection.toolsets,
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
        reportUnexpected: (error) => {
          const requestId = randomUUID();
          io.err(`tasker-agent: unexpected error (request id ${requestId}): ${(error as Error).stack ?? String(error)}`);
          return requestId;
        },
      }),
    { onerror: (error) => io.err(`tasker-agent: ${error.message}`) },
  );
  // The client closing stdin ends the connection; the process then has nothing left to wait for.
  await new Promise<void>((resolve) => process.stdin.once('close', resolve).once('end', resolve));
  await handle.close();
  return 0;
}
