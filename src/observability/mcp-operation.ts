/**
 * The bounded name of an MCP message for logs and metrics: the tool a tools/call names when the
 * gateway has that tool, `unknown_tool` when it does not (a model's invention must not become a
 * label), the method for the protocol's own methods, `other` for anything else.
 */
const METHODS = new Set([
  'initialize',
  'ping',
  'tools/list',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'notifications/initialized',
  'notifications/cancelled',
  'server/discover',
]);

export function mcpOperationOf(body: unknown, toolNames: ReadonlySet<string>): string {
  if (typeof body !== 'object' || body === null || !('method' in body) || typeof body.method !== 'string') return 'other';
  if (body.method === 'tools/call') {
    const params = 'params' in body ? body.params : undefined;
    const name = typeof params === 'object' && params !== null && 'name' in params ? params.name : undefined;
    return typeof name === 'string' && toolNames.has(name) ? name : 'unknown_tool';
  }
  return METHODS.has(body.method) ? body.method : 'other';
}
