import type { Scope } from '../auth/scopes.js';
import type { ToolDefinition } from './tool-manifest.js';

/** The tools an agent may see: every scope a tool needs is among the agent's effective scopes. */
export function toolsFor(tools: readonly ToolDefinition[], scopes: ReadonlySet<Scope>): ToolDefinition[] {
  return tools.filter((tool) => tool.scopes.every((scope) => scopes.has(scope)));
}

/** A tool as `tools/list` shows it: what a model reads, nothing of the gateway's bookkeeping. */
export function listedTools(tools: readonly ToolDefinition[], scopes: ReadonlySet<Scope>) {
  return toolsFor(tools, scopes).map((tool) => ({
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema,
    annotations: tool.annotations,
  }));
}
