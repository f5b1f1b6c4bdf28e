import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ToolManifest } from './tool-manifest.js';

/**
 * The committed build output of `npm run build:mcp`. The gateway serves its persisted operations;
 * the gateway's MCP endpoint and the local stdio wrapper both list its tools. A test rebuilds it
 * from the operation files and fails when this copy is stale.
 */
export const MANIFEST_PATH = fileURLToPath(new URL('./generated/tool-manifest.json', import.meta.url));

let cached: ToolManifest | undefined;

export function loadToolManifest(): ToolManifest {
  cached ??= JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as ToolManifest;
  return cached;
}

export function serializeManifest(manifest: ToolManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
