import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadToolManifest } from '../../src/mcp/manifest.js';
import { DEFAULT_TOOLSETS } from '../../src/mcp/toolsets.js';
import { createAgent, createToken } from '../support/fixtures.js';
import { graphql, startTestGateway } from '../support/gateway.js';
import { type ClientKind, connectMcp, MODERN_REVISION, textOf } from '../support/mcp-client.js';
import { DEMO, OPS, startTestStack, type TestStack } from '../support/stack.js';

/** Reads a dotted path out of structured content; the assertions check what is found. */
const at = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((current, key) => (current as Record<string, unknown> | undefined)?.[key], value);

const ALL = ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE', 'COMMENTS_WRITE', 'LABELS_WRITE', 'ASSIGNEES_WRITE', 'RELATIONS_WRITE', 'LINKS_WRITE', 'PLANNING_WRITE'];

let stack: TestStack;
let full: { agentId: string; token: string; tokenId: string };

beforeAll(async () => {
  stack = await startTestStack();
  full = await stack.agentWith({ [DEMO.id]: ALL }, 'MCP agent');
});
afterAll(() => stack.close());
beforeEach(() => stack.proxy.reset());

const post = (body: unknown, headers: Record<string, string> = {}, path = '/mcp', base = stack.gateway.url) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

const CLIENTS: ClientKind[] = ['2.x modern', '2.x legacy', '1.x'];

describe.each(CLIENTS)('MCP over Streamable HTTP with the %s client', (kind) => {
  const connect = (token: string) => connectMcp(stack.gateway.url, token, kind);

  it('lists every tool for a fully scoped agent', async () => {
    const client = await connect(full.token);
    try {
      const { tools } = await client.listTools();
      // Without a selection the default toolsets are listed (src/mcp/toolsets.ts).
      const defaults = loadToolManifest().tools.filter((tool) => DEFAULT_TOOLSETS.includes(tool.toolset));
      expect(tools.map((tool) => tool.name).sort()).toEqual(defaults.map((tool) => tool.name).sort());
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
    const client = await connect(reader.token);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual([
        'get_agent_session', 'get_issue', 'get_issue_activity', 'list_comments', 'list_issues', 'search_issues',
      ]);
    } finally {
      await client.close();
    }
  });

  it('calls each tool, with structuredContent matching its outputSchema and a text rendering', async () => {
    const client = await connect(full.token);
    try {
      await client.listTools(); // the SDK client checks structuredContent against the listed outputSchema
      const call = async (name: string, args: Record<string, unknown> = {}) => {
        const result = await client.callTool({ name, arguments: args });
        expect(result.isError, `${name}: ${textOf(result)}`).toBeFalsy();
        // The text is a compact rendering of the same data, not a JSON copy of it.
        const text = textOf(result);
        expect(text.length).toBeGreaterThan(0);
        expect(() => JSON.parse(text)).toThrow();
        expect(text).toContain(`${Object.keys(result.structuredContent as object)[0]}:`);
        return result.structuredContent;
      };
      expect(at(await call('get_agent_session'), 'agentSession.agent.id')).toBe(full.agentId);
      expect(at(await call('list_projects'), 'projects.nodes.0.project.identifier')).toBe('DEMO');
      expect(at(await call('resolve_project', { query: 'DEMO' }), 'resolveProject.id')).toBe(DEMO.id);
      expect(at(await call('get_project_context', { projectId: 'DEMO' }), 'projectContext.states')).toHaveLength(5);
      expect(at(await call('list_issues', { projectId: DEMO.id, first: 2 }), 'issues.nodes')).toHaveLength(2);
      const createdId = at(await call('create_issue', { input: { projectId: DEMO.id, title: 'From MCP', priority: 'low' } }), 'createIssue.issue.id');
      expect(at(await call('get_issue', { issueId: createdId }), 'issue.title')).toBe('From MCP');
      expect(at(await call('update_issue', { input: { issueId: createdId, title: 'From MCP (edited)' } }), 'updateIssue.changes.0.after')).toBe('From MCP (edited)');
      expect(at(await call('move_issue', { issueId: createdId, stateId: DEMO.states.done }), 'moveIssue.changes.0.after')).toBe(DEMO.states.done);
      expect(at(await call('add_comment', { issueId: createdId, body: 'Done via MCP' }), 'addComment.changes.0.after')).toBe('Done via MCP');
      expect(at(await call('set_issue_labels', { issueId: createdId, labelIds: [DEMO.labels.docs] }), 'setIssueLabels.changes.0.after')).toEqual([DEMO.labels.docs]);
      expect(at(await call('set_issue_assignees', { issueId: createdId, assigneeIds: ['local-user'] }), 'setIssueAssignees.changes.0.after')).toEqual(['local-user']);
      expect(at(await call('get_issue', { issueId: createdId }), 'issue')).toMatchObject({
        title: 'From MCP (edited)', stateId: DEMO.states.done, labelIds: [DEMO.labels.docs], assigneeIds: ['local-user'],
      });
    } finally {
      await client.close();
    }
  });

  const auditRows = (agentId: string) =>
    stack.gateway.db.selectFrom('audit_events').select(['action', 'outcome', 'request_id', 'details']).where('agent_id', '=', agentId).where('actor_kind', '=', 'agent').orderBy('occurred_at').execute();

  it('answers a call on a project outside the grants with isError and a message a model can act on, audited once', async () => {
    const writer = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ', 'ISSUES_WRITE'] }, 'Writer on DEMO only');
    const client = await connect(writer.token);
    try {
      const result = await client.callTool({ name: 'create_issue', arguments: { input: { projectId: OPS.id, title: 'nope' } } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/^FORBIDDEN: .*no grant on project.*Do not retry/);
      expect((await auditRows(writer.agentId)).map(({ action, outcome }) => ({ action, outcome }))).toEqual([{ action: 'agent.createIssue', outcome: 'denied' }]);
    } finally {
      await client.close();
    }
  });

  it('refuses a tool whose scope the token lacks with 403 insufficient_scope, audited once', async () => {
    const reader = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] }, 'Denied reader');
    const client = await connect(reader.token);
    try {
      await expect(client.callTool({ name: 'create_issue', arguments: { input: { projectId: DEMO.id, title: 'nope' } } })).rejects.toThrow(/403|insufficient_scope|issues:write/);
      const rows = await auditRows(reader.agentId);
      expect(rows.map(({ action, outcome }) => ({ action, outcome }))).toEqual([{ action: 'agent.mcp.create_issue', outcome: 'denied' }]);
      expect(rows[0]!.details).toMatchObject({ tokenId: reader.tokenId, tool: 'create_issue' });
      expect(stack.proxy.seen).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('refuses malformed arguments naming the schema violation, without calling Tasker, one audit event each', async () => {
    const caller = await stack.agentWith({ [DEMO.id]: ALL }, 'Sloppy caller');
    const client = await connect(caller.token);
    try {
      const missing = await client.callTool({ name: 'create_issue', arguments: { input: { projectId: DEMO.id } } });
      expect(missing.isError).toBe(true);
      expect(textOf(missing)).toContain("input: must have required property 'title'");
      const extra = await client.callTool({ name: 'list_issues', arguments: { projectId: DEMO.id, sql: 'drop table' } });
      expect(textOf(extra)).toContain('must NOT have additional properties (sql)');
      const wrongType = await client.callTool({ name: 'list_issues', arguments: { projectId: DEMO.id, first: 'ten' } });
      expect(textOf(wrongType)).toContain('first: must be integer');
      expect(stack.proxy.seen).toEqual([]);
      const rows = await auditRows(caller.agentId);
      expect(rows.map(({ action, outcome }) => ({ action, outcome }))).toEqual([
        { action: 'agent.mcp.create_issue', outcome: 'failed' },
        { action: 'agent.mcp.list_issues', outcome: 'failed' },
        { action: 'agent.mcp.list_issues', outcome: 'failed' },
      ]);
      expect(new Set(rows.map((row) => row.request_id)).size).toBe(3);
      for (const row of rows) expect(row.details).toMatchObject({ tokenId: caller.tokenId });
    } finally {
      await client.close();
    }
  });

  it('answers an unknown tool with the -32602 protocol error, audited once', async () => {
    const caller = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] }, 'Guessing caller');
    const client = await connect(caller.token);
    try {
      await expect(client.callTool({ name: 'drop_database', arguments: {} })).rejects.toThrow(/Unknown tool: drop_database/);
      const rows = await auditRows(caller.agentId);
      expect(rows.map(({ action, outcome }) => ({ action, outcome }))).toEqual([{ action: 'agent.mcp.unknown_tool', outcome: 'failed' }]);
      expect(rows[0]!.details).toMatchObject({ tokenId: caller.tokenId, tool: 'drop_database' });
    } finally {
      await client.close();
    }
  });

  it('replays an idempotent retry of a write instead of writing twice', async () => {
    const client = await connect(full.token);
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
    const client = await connect(victim.token);
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
    const client = await connect(narrowing.token);
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

  it('answers a 2025-11-25 initialize with plain JSON, statelessly (no session id)', async () => {
    const response = await post(INITIALIZE, { authorization: `Bearer ${full.token}` });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('mcp-session-id')).toBeNull();
    const body = (await response.json()) as { result: { protocolVersion: string; capabilities: { tools?: object } } };
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

  it('refuses JSON-RPC batches without running any of them', async () => {
    const batch = Array.from({ length: 5 }, (_, i) => ({
      jsonrpc: '2.0',
      id: i + 1,
      method: 'tools/call',
      params: { name: 'create_issue', arguments: { input: { projectId: DEMO.id, title: `batched ${i}` } } },
    }));
    const response = await post(batch, { authorization: `Bearer ${full.token}` });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600, message: expect.stringContaining('batches') } });
    expect(stack.proxy.seen).toEqual([]);
  });
});

describe('the 2026-07-28 revision on the wire', () => {
  const envelope = { 'io.modelcontextprotocol/protocolVersion': MODERN_REVISION, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };
  const modern = (method: string, params: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    post(
      { jsonrpc: '2.0', id: 7, method, params: { ...params, _meta: envelope } },
      {
        authorization: `Bearer ${full.token}`,
        'mcp-protocol-version': MODERN_REVISION,
        'mcp-method': method,
        ...(typeof params.name === 'string' ? { 'mcp-name': params.name } : {}),
        ...headers,
      },
    );

  it('answers server/discover with the revisions it serves and its identity', async () => {
    const response = await modern('server/discover');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: Record<string, unknown> };
    expect(body.result).toMatchObject({ resultType: 'complete', supportedVersions: expect.arrayContaining([MODERN_REVISION]), capabilities: { tools: {} } });
    expect(JSON.stringify(body.result)).toContain('nodedc-tasker-agent-gateway');
  });

  it('lists tools with a private cache hint of 0 by default: a grant change is seen at once', async () => {
    const response = await modern('tools/list');
    const body = (await response.json()) as { result: { tools: unknown[]; ttlMs: number; cacheScope: string; resultType: string } };
    expect(body.result).toMatchObject({ resultType: 'complete', ttlMs: 0, cacheScope: 'private' });
    expect(body.result.tools).toHaveLength(loadToolManifest().tools.filter((tool) => DEFAULT_TOOLSETS.includes(tool.toolset)).length);
  });

  it('caps a configured tool-list lifetime at the token’s expiry', async () => {
    const gateway = await startTestGateway({ MCP_TOOLS_LIST_TTL_SECONDS: '60' });
    try {
      const owner = await gateway.launcherToken({ sub: 'local-user' });
      const agentId = await createAgent(gateway, owner, 'Cached lister');
      const { secret, id } = await createToken(gateway, owner, agentId);
      const list = async () => {
        const response = await post(
          { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: envelope } },
          { authorization: `Bearer ${secret}`, 'mcp-protocol-version': MODERN_REVISION, 'mcp-method': 'tools/list' },
          '/mcp',
          gateway.url,
        );
        return ((await response.json()) as { result: { ttlMs: number; cacheScope: string } }).result;
      };
      expect(await list()).toMatchObject({ ttlMs: 60_000, cacheScope: 'private' });
      const { expires_at } = await gateway.db.selectFrom('agent_tokens').select('expires_at').where('id', '=', id).executeTakeFirstOrThrow();
      gateway.clock.offsetMs = expires_at.getTime() - Date.now() - 20_000;
      const near = await list();
      expect(near.ttlMs).toBeGreaterThan(0);
      expect(near.ttlMs).toBeLessThanOrEqual(20_000);
    } finally {
      await gateway.close();
    }
  });

  it('answers tools/call with resultType and refuses an unknown tool with -32602', async () => {
    const ok = await modern('tools/call', { name: 'get_agent_session', arguments: {} });
    expect(((await ok.json()) as { result: Record<string, unknown> }).result).toMatchObject({ resultType: 'complete', structuredContent: { agentSession: { agent: { id: full.agentId } } } });
    const unknown = await modern('tools/call', { name: 'drop_database', arguments: {} });
    expect(await unknown.json()).toMatchObject({ id: 7, error: { code: -32602, message: expect.stringContaining('Unknown tool: drop_database') } });
  });

  it('refuses a request whose Mcp-Method or Mcp-Name header disagrees with its body (-32020)', async () => {
    const wrongMethod = await modern('tools/list', {}, { 'mcp-method': 'tools/call' });
    expect(wrongMethod.status).toBe(400);
    expect(((await wrongMethod.json()) as { error: { code: number } }).error.code).toBe(-32020);
    const wrongName = await modern('tools/call', { name: 'get_agent_session', arguments: {} }, { 'mcp-name': 'list_issues' });
    expect(wrongName.status).toBe(400);
    expect(((await wrongName.json()) as { error: { code: number } }).error.code).toBe(-32020);
  });

  it('refuses an envelope naming a revision it does not serve, listing the ones it does', async () => {
    const response = await post(
      { jsonrpc: '2.0', id: 3, method: 'tools/list', params: { _meta: { ...envelope, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } } },
      { authorization: `Bearer ${full.token}`, 'mcp-protocol-version': '2099-01-01', 'mcp-method': 'tools/list' },
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: -32022, data: { supported: expect.arrayContaining([MODERN_REVISION]) } } });
  });

  it('keeps Launcher tokens out', async () => {
    const response = await post(INITIALIZE, { authorization: `Bearer ${stack.owner}` });
    expect(response.status).toBe(403);
  });
});

describe('browser origins (DNS-rebinding defence)', () => {
  const withOrigin = (origin: string, base = stack.gateway.url, token = full.token) =>
    post(INITIALIZE, { authorization: `Bearer ${token}`, origin }, '/mcp', base);

  it('accepts loopback origins on any port when the gateway listens on loopback', async () => {
    for (const origin of [new URL(stack.gateway.url).origin, 'http://localhost:6274', 'http://[::1]:8080', 'https://127.0.0.1']) {
      expect((await withOrigin(origin)).status, origin).toBe(200);
    }
  });

  it('refuses foreign, rebinding and opaque origins with 403', async () => {
    const port = new URL(stack.gateway.url).port;
    for (const origin of ['https://evil.example', `http://evil.example:${port}`, 'null', 'http://localhost.evil.example']) {
      const response = await withOrigin(origin);
      expect(response.status, origin).toBe(403);
      expect(await response.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } });
    }
  });

  it('accepts its own public origin, and no loopback origin, when listening on every interface', async () => {
    const gateway = await startTestGateway({ HOST: '0.0.0.0', PUBLIC_URL: 'https://agents.example.test/gateway' });
    try {
      const owner = await gateway.launcherToken({ sub: 'local-user' });
      const { secret } = await createToken(gateway, owner, await createAgent(gateway, owner, 'Public'));
      expect((await withOrigin('https://agents.example.test', gateway.url, secret)).status).toBe(200);
      expect((await withOrigin('http://localhost:6274', gateway.url, secret)).status).toBe(403);
      expect((await withOrigin('https://agents.example.test:8443', gateway.url, secret)).status).toBe(403);
    } finally {
      await gateway.close();
    }
  });
});

describe('an unexpected failure on /mcp', () => {
  it('answers a JSON-RPC error naming the request id, without internals, and logs the stack', async () => {
    const logLines: string[] = [];
    const gateway = await startTestGateway({}, { logLines });
    const owner = await gateway.launcherToken({ sub: 'local-user' });
    const { secret } = await createToken(gateway, owner, await createAgent(gateway, owner, 'Doomed'));
    try {
      await gateway.db.destroy();
      const response = await post(
        { jsonrpc: '2.0', id: 9, method: 'tools/list', params: {} },
        { authorization: `Bearer ${secret}`, 'x-request-id': 'mcp-fault-1' },
        '/mcp',
        gateway.url,
      );
      expect(response.status).toBeGreaterThanOrEqual(500);
      // The caller's X-Request-Id is only a correlation id; the answer names the gateway's own id.
      const requestId = response.headers.get('x-request-id');
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({ jsonrpc: '2.0', error: { code: -32603, message: expect.stringContaining(requestId!), data: { requestId } } });
      expect(text).not.toMatch(/kysely|pglite|pool|\/src\/|at .*\(/i);
      const logged = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.requestId === requestId);
      expect(logged).toMatchObject({ level: 'error', stack: expect.stringContaining('\n') });
    } finally {
      await gateway.close().catch(() => {});
    }
  });
});
