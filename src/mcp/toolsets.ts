/**
 * Tools come in toolsets, as github-mcp-server groups them: a client that needs only some can ask
 * for only those and keep its model's context small. An agent sees a tool when its token holds the
 * tool's scopes and the tool's toolset is selected; without a selection the defaults are. Selecting
 * narrows the list only: a call is checked the same way whatever was listed.
 */
export const TOOLSETS = {
  context: 'who the agent is, its projects and their states, labels and members',
  issues: 'find, read, create and change issues, labels and assignees',
  comments: 'read and write comments, read history',
  relations: 'relations between issues, and links (pull requests, commits, CI runs)',
  planning: 'cycles and modules',
} as const;

export type ToolsetName = keyof typeof TOOLSETS;
export const TOOLSET_NAMES = Object.keys(TOOLSETS) as ToolsetName[];

/** What a client gets when it selects nothing. */
export const DEFAULT_TOOLSETS: readonly ToolsetName[] = ['context', 'issues', 'comments'];

export const isToolset = (name: string): name is ToolsetName => Object.hasOwn(TOOLSETS, name);

/**
 * A selection as clients write it (`issues,comments`, or `all`), for the `X-MCP-Toolsets` header
 * and the stdio wrapper's `--toolsets`. Absent or empty: the defaults. An unknown name is an error
 * naming the known ones, never silently dropped.
 */
export function parseToolsets(value: string | null | undefined): { ok: true; toolsets: ReadonlySet<ToolsetName> } | { ok: false; message: string } {
  const names = (value ?? '').split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  if (names.length === 0) return { ok: true, toolsets: new Set(DEFAULT_TOOLSETS) };
  if (names.includes('all')) return { ok: true, toolsets: new Set(TOOLSET_NAMES) };
  const unknown = names.filter((name) => !isToolset(name));
  if (unknown.length > 0) {
    return { ok: false, message: `unknown toolset ${unknown.join(', ')}; known: ${TOOLSET_NAMES.join(', ')}, or all` };
  }
  return { ok: true, toolsets: new Set(names as ToolsetName[]) };
}
