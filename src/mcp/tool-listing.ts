import type { Scope } from '../auth/scopes.js';
import type { ToolDefinition } from './tool-manifest.js';
import { TOOLSET_NAMES, type ToolsetName } from './toolsets.js';

const EVERY_TOOLSET: ReadonlySet<ToolsetName> = new Set(TOOLSET_NAMES);

/**
 * The tools an agent may see: every scope a tool needs is among the agent's effective scopes, and
 * its toolset is selected (every toolset when none is named: the caller decides the defaults).
 */
export function toolsFor(tools: readonly ToolDefinition[], scopes: ReadonlySet<Scope>, toolsets: ReadonlySet<ToolsetName> = EVERY_TOOLSET): ToolDefinition[] {
  return tools.filter((tool) => toolsets.has(tool.toolset) && tool.scopes.every((scope) => scopes.has(scope)));
}

/** A tool as `tools/list` shows it: what a model reads, nothing of the gateway's bookkeeping. */
export function listedTools(tools: readonly ToolDefinition[], scopes: ReadonlySet<Scope>, toolsets?: ReadonlySet<ToolsetName>) {
  return toolsFor(tools, scopes, toolsets).map((tool) => ({
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema,
    annotations: tool.annotations,
  }));
}
