import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadToolManifest } from '../../src/mcp/manifest.js';
import { graphql } from '../support/gateway.js';
import { connectMcp, textOf } from '../support/mcp-client.js';
import { DEMO, startTestStack, type TestStack } from '../support/stack.js';

/** Reads a dotted path out of structured content; the assertions check what is found. */
const at = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((current, key) => (current as Record<string, unknown> | undefined)?.[key], value);

const ALL = ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE', 'COMMENTS_WRITE', 'LABELS_WRITE', 'ASSIGNEES_WRITE'];

let stack: TestStack;
let full: { agentId: string; token: string; tokenId: string };

beforeAll(async () => {
  stack = await startTestStack();
  full = await stack.agentWith({ [DEMO.id]: ALL }, 'MCP agent');
});
afterAll(() => stack.close());
beforeEach(() => stack.proxy.reset());

const post = (body: unknown, headers: Record<string, string> = {}, path = '/mcp') =>
  fetch(`${stack.gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

describe('MCP over Streamable HTTP with the SDK client', () => {
  it('negotiates the current protocol version and lists every tool for a fully scoped agent', async () => {
    const client = await connectMcp(stack.gateway.url, full.token);
    try {
      expect(client.getServerVersion()?.name).toBe('nodedc-tasker-agent-gateway');
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(loadToolManifest().tools.map((tool) => tool.name).sort());
      const create = tools.find((tool) => tool.name === 'create_issue')!;
      expect(create.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
      expect(tools.find((tool) => tool.name === 'list_issues')!.annotations).toMatchObject({ readOnlyHint: true });
      expect(create.outputSchema).toBeDefined();
    } finally {
      await client.close();
    }
  });

  it('lists only the tools the token’s scopes allow', async () => {
    const reader = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] }, 'Reader');
    const client = await connectMcp(stack.gateway.url, reader.token);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(['get_agent_session', 'get_issue', 'list_issues']);
    } finally {
      await client.close();
    }
  });

  it('calls each tool, with structuredContent matching its outputSchema and a text rendering', async () => {
    const client = await connectMcp(stack.gateway.url, full.token);
    try {
      await client.listTools(); // the SDK client checks structuredContent against the listed outputSchema
      const call = async (name: string, args: Record<string, unknown> = {}) => {
        const result = await client.callTool({ name, arguments: args });
        expect(result.isError, `${name}: ${textOf(result)}`).toBeFalsy();
        expect(JSON.parse(textOf(result))).toEqual(result.structuredContent);
        return result.structuredContent;
      };
      expect(at(await call('get_agent_session'), 'agentSession.agent.id')).toBe(full.agentId);
      expect(at(await call('list_projects'), 'projects.nodes.0.project.identifier')).toBe('DEMO');
      expect(at(await call('resolve_project', { query: 'DEMO' }), 'resolveProject.id')).toBe(DEMO.id);
      expect(at(await call('get_project_context', { projectId: DEMO.id }), 'projectContext.states')).toHaveLength(5);
      expect(at(await call('list_issues', { projectId: DEMO.id, first: 2 }), 'issues.nodes')).toHaveLength(2);
      const createdId = at(await call('create_issue', { input: { projectId: DEMO.id, title: 'From MCP', priority: 'low' } }), 'createIssue.id');
      expect(at(await call('get_issue', { issueId: createdId }), 'issue.title')).toBe('From MCP');
      expect(at(await call('update_issue', { input: { issueId: createdId, title: 'From MCP (edited)' } }), 'updateIssue.title')).toBe('From MCP (edited)');
      expect(at(await call('move_issue', { issueId: createdId, stateId: DEMO.states.done }), 'moveIssue.stateId')).toBe(DEMO.states.done);
      expect(at(await call('add_comment', { issueId: createdId, body: 'Done via MCP' }), 'addComment.comment.body')).toBe('Done via MCP');
      expect(at(await call('set_issue_labels', { issueId: createdId, labelIds: [DEMO.labels.docs] }), 'setIssueLabels.labelIds')).toEqual([DEMO.labels.docs]);
      expect(at(await call('set_issue_assignees', { issueId: createdId, assigneeIds: ['local-user'] }), 'setIssueAssignees.assigneeIds')).toEqual(['local-user']);
    } finally {
      await client.close();
    }
  });

  it('answers a denied call with isError and a message a model can act on, and audits it', async () => {
    const reader = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] }, 'Denied reader');
    const client = await connectMcp(stack.gateway.url, reader.token);
    try {
      const result = await client.callTool({ name: 'create_issue', arguments: { input: { projectId: DEMO.id, title: 'nope' } } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/^FORBIDDEN: .*issues:write.*Do not retry/);
      const denied = await stack.gateway.db
        .selectFrom('audit_events')
        .select(['action', 'outcome'])
        .where('agent_id', '=', reader.agentId)
        .where('action', '=', 'agent.createIssue')
        .execute();
      expect(denied).toEqual([{ action: 'agent.createIssue', outcome: 'denied' }]);
    } finally {
      await client.close();
    }
  });

  it('refuses malformed arguments naming the schema violation, without calling Tasker', async () => {
    const client = await connectMcp(stack.gateway.url, full.token);
    try {
      const missing = await client.callTool({ name: 'create_issue', arguments: { input: { projectId: DEMO.id } } });
      expect(missing.isError).toBe(true);
      expect(textOf(missing)).toContain("input: must have required property 'title'");
      const extra = await client.callTool({ name: 'list_issues', arguments: { projectId: DEMO.id, sql: 'drop table' } });
      expect(textOf(extra)).toContain('must NOT have additional properties (sql)');
      const wrongType = await client.callTool({ name: 'list_issues', arguments: { projectId: DEMO.id, first: 'ten' } });
      expect(textOf(wrongType)).toContain('first: must be integer');
      const unknown = await client.callTool({ name: 'drop_database', arguments: {} });
      expect(textOf(unknown)).toContain('there is no tool named drop_database');
      expect(stack.proxy.seen).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('replays an idempotent retry of a write instead of writing twice', async () => {
    const client = await connectMcp(stack.gateway.url, full.token);
    try {
      const args = { input: { projectId: DEMO.id, title: 'Exactly once', idempotencyKey: 'mcp-retry-1' } };
      const first = await client.callTool({ name: 'create_issue', arguments: args });
      const second = await client.callTool({ name: 'create_issue', arguments: args });
      expect(second.structuredContent).toEqual(first.structuredContent);
      const created = (await stack.tasker.activity()).filter((row) => row.action === 'issue.created' && row.agentId === full.agentId);
      expect(created.filter((row) => row.idempotencyKey?.includes('mcp-retry-1'))).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('stops a revoked token on the very next call inside an open session', async () => {
    const victim = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] }, 'Revoked mid-session');
    const client = await connectMcp(stack.gateway.url, victim.token);
    try {
      const before = await client.callTool({ name: 'list_issues', arguments: { projectId: DEMO.id } });
      expect(before.isError).toBeFalsy();
      await graphql(stack.gateway, 'mutation($id: ID!) { revokeToken(id: $id) { id } }', { token: stack.owner, variables: { id: victim.tokenId } });
      await expect(client.callTool({ name: 'list_issues', arguments: { projectId: DEMO.id } })).rejects.toThrow(/401|revoked/);
    } finally {
      await client.close();
    }
  });

  it('narrows the tools on the very next call when a grant is removed', async () => {
    const narrowing = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ', 'ISSUES_WRITE'] }, 'Narrowing');
    const client = await connectMcp(stack.gateway.url, narrowing.token);
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('create_issue');
      await graphql(stack.gateway, 'mutation($a: ID!, $p: String!) { removeGrant(agentId: $a, projectId: $p) { projectId } }', {
        token: stack.owner,
        variables: { a: narrowing.agentId, p: DEMO.id },
      });
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['get_agent_session']);
    } finally {
      await client.close();
    }
  });
});

describe('the /mcp HTTP boundary', () => {
  it('answers 401 with WWW-Authenticate when the token is missing or invalid', async () => {
    const missing = await post(INITIALIZE);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer realm="tasker-agent-gateway"/);
    const invalid = await post(INITIALIZE, { authorization: 'Bearer ndcag_nope' });
    expect(invalid.status).toBe(401);
    expect(invalid.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('refuses a token in the query string', async () => {
    const response = await post(INITIALIZE, {}, `/mcp?access_token=${full.token}`);
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).not.toContain(full.token);
  });

  it('refuses a foreign Origin with 403 (DNS rebinding defence)', async () => {
    const response = await post(INITIALIZE, { authorization: `Bearer ${full.token}`, origin: 'https://evil.example' });
    expect(response.status).toBe(403);
  });

  it('refuses an unsupported MCP-Protocol-Version with 400', async () => {
    const response = await post(
      { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} },
      { authorization: `Bearer ${full.token}`, 'mcp-protocol-version': '1999-01-01' },
    );
    expect(response.status).toBe(400);
  });

  it('speaks the current protocol version, 2025-11-25', async () => {
    const response = await post(INITIALIZE, { authorization: `Bearer ${full.token}` });
    const body = (await response.json()) as { result: { protocolVersion: string; capabilities: { tools?: object } } };
    expect(LATEST_PROTOCOL_VERSION).toBe('2025-11-25');
    expect(body.result.protocolVersion).toBe('2025-11-25');
    expect(body.result.capabilities.tools).toBeDefined();
  });

  it('accepts an older supported protocol version', async () => {
    const response = await post(
      { ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: '2025-03-26' } },
      { authorization: `Bearer ${full.token}` },
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: { protocolVersion: string } };
    expect(body.result.protocolVersion).toBe('2025-03-26');
  });

  it('keeps Launcher tokens out', async () => {
    const response = await post(INITIALIZE, { authorization: `Bearer ${stack.owner}` });
    expect(response.status).toBe(403);
  });
});
