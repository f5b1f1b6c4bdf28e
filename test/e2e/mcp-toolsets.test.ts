import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadToolManifest } from '../../src/mcp/manifest.js';
import { DEFAULT_TOOLSETS, TOOLSET_NAMES } from '../../src/mcp/toolsets.js';
import { connectMcp, textOf } from '../support/mcp-client.js';
import { ALL_SCOPES, DEMO, OPS, startTestStack, type TestStack } from '../support/stack.js';

/**
 * The MCP presentation of the toolset: toolsets chosen by scopes and narrowed by the client, a
 * tools/list small enough for a model's context, compact text results, and issues as resources.
 */
let stack: TestStack;
let token: string;
let agentId: string;

beforeAll(async () => {
  stack = await startTestStack();
  ({ token, agentId } = await stack.agentWith({ [DEMO.id]: ALL_SCOPES }, 'Toolsets agent'));
});
afterAll(() => stack.close());

/** tools/list over raw Streamable HTTP (2025-era request, no session), with an optional toolset header. */
async function listTools(headers: Record<string, string> = {}, bearer = token) {
  const post = (body: unknown, extra: Record<string, string> = {}) =>
    fetch(`${stack.gateway.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${bearer}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-11-25',
        ...headers,
        ...extra,
      },
      body: JSON.stringify(body),
    });
  const response = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} });
  const text = await response.text();
  const json = text.startsWith('{') ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? text);
  return { status: response.status, body: JSON.parse(json) as { result?: { tools: { name: string }[] }; error?: { message: string } } };
}

const names = (toolsets: readonly string[]) =>
  loadToolManifest()
    .tools.filter((tool) => toolsets.includes(tool.toolset))
    .map((tool) => tool.name)
    .sort();

describe('toolsets', () => {
  it('lists the default toolsets without a selection, in under 12 KB', async () => {
    const { status, body } = await listTools();
    expect(status).toBe(200);
    expect(body.result!.tools.map((tool) => tool.name).sort()).toEqual(names(DEFAULT_TOOLSETS));
    expect(Buffer.byteLength(JSON.stringify(body.result))).toBeLessThan(12 * 1024);
  });

  it('narrows to the toolsets the client names, or widens to all', async () => {
    expect((await listTools({ 'x-mcp-toolsets': 'relations, planning' })).body.result!.tools.map((tool) => tool.name).sort()).toEqual(
      names(['relations', 'planning']),
    );
    expect((await listTools({ 'x-mcp-toolsets': 'all' })).body.result!.tools).toHaveLength(loadToolManifest().tools.length);
    const unknown = await listTools({ 'x-mcp-toolsets': 'issues,bogus' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error!.message).toContain('unknown toolset bogus');
    expect(unknown.body.error!.message).toContain(TOOLSET_NAMES.join(', '));
  });

  it('still follows the token’s scopes inside a selection', async () => {
    const reader = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] }, 'Reader');
    const listed = await listTools({ 'x-mcp-toolsets': 'all' }, reader.token);
    expect(listed.body.result!.tools.map((tool) => tool.name).sort()).toEqual([
      'get_agent_session', 'get_issue', 'get_issue_activity', 'get_issue_relations', 'list_comments', 'list_issues', 'search_issues',
    ]);
  });
});

describe('results and resources', () => {
  it('answers a tool call with compact text beside the structured content', async () => {
    const client = await connectMcp(stack.gateway.url, token);
    try {
      const result = await client.callTool({ name: 'get_issue', arguments: { issueId: 'DEMO-2' } });
      const text = textOf(result);
      expect(text).toContain('key: DEMO-2');
      expect(text).toContain('createdBy: {kind: person, displayName: Local User}');
      expect(text).not.toContain('"key"');
      expect((result.structuredContent as { issue: { key: string } }).issue.key).toBe('DEMO-2');
    } finally {
      await client.close();
    }
  });

  it('serves issues through the tasker://issue/{key} template, with the same grant checks and audit', async () => {
    const client = await connectMcp(stack.gateway.url, token) as unknown as {
      listResourceTemplates(): Promise<{ resourceTemplates: { uriTemplate: string }[] }>;
      readResource(params: { uri: string }): Promise<{ contents: { text: string; mimeType: string }[] }>;
      close(): Promise<void>;
    };
    try {
      const { resourceTemplates } = await client.listResourceTemplates();
      expect(resourceTemplates.map((template) => template.uriTemplate)).toEqual(['tasker://issue/{key}']);
      const { contents } = await client.readResource({ uri: 'tasker://issue/DEMO-2' });
      expect(contents[0]!.mimeType).toBe('text/markdown');
      expect(contents[0]!.text).toMatch(/^# DEMO-2 Login redirect loops after session expiry/);
      expect(contents[0]!.text).toContain('After the session expires the login page redirects to itself.');
      await expect(client.readResource({ uri: `tasker://issue/OPS-1` })).rejects.toThrow(/NOT_FOUND/);
      const events = await stack.gateway.db
        .selectFrom('audit_events')
        .select(['action', 'outcome'])
        .where('agent_id', '=', agentId)
        .where('action', '=', 'agent.issue')
        .execute();
      expect(events).toEqual(expect.arrayContaining([{ action: 'agent.issue', outcome: 'succeeded' }, { action: 'agent.issue', outcome: 'denied' }]));
    } finally {
      await client.close();
    }
    expect(OPS.id).toBeTruthy();
  });
});
