import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MANIFEST_PATH, serializeManifest } from '../src/mcp/manifest.js';
import { readOperationFiles } from '../src/mcp/operation-files.js';
import { buildToolManifest } from '../src/mcp/tool-manifest.js';
import { renderToolsContract } from '../src/mcp/tools-contract.js';
import { pothosSchema } from '../src/schema/index.js';

/**
 * `npm run build:mcp`: src/mcp/operations/*.graphql → the persisted-operation manifest and tool
 * definitions (src/mcp/generated/tool-manifest.json) and docs/MCP_TOOLS_CONTRACT.md.
 */
export const CONTRACT_PATH = fileURLToPath(new URL('../docs/MCP_TOOLS_CONTRACT.md', import.meta.url));

const manifest = buildToolManifest(pothosSchema, readOperationFiles());
writeFileSync(MANIFEST_PATH, serializeManifest(manifest));
writeFileSync(CONTRACT_PATH, renderToolsContract(manifest));
process.stdout.write(`${manifest.tools.length} tools: ${manifest.tools.map((tool) => tool.name).join(', ')}\n`);
