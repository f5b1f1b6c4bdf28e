import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGatewayApp } from '../../src/app.js';
import { issueAgentToken } from '../../src/auth/agent-token.js';
import { mintLauncherJwt } from '../../src/auth/launcher-jwt.js';
import { openDatabase } from '../../src/db/database.js';
import { listen } from '../../src/http/server.js';
import { createLogger } from '../../src/logging/logger.js';
import { testDatabaseKind } from '../support/database.js';
import { createAgent, createToken, enterFreshRepeatWindow } from '../support/fixtures.js';
import { connectMcp } from '../support/mcp-client.js';
import { errorCode, graphql, rest, runOperation, startTestGateway, type TestGateway } from '../support/gateway.js';
import { DEMO, startTestStack, type TestStack } from '../support/stack.js';

/**
 * Every call of an agent leaves exactly one audit event, whichever layer answers or refuses it,
 * and that event names the token, the action, the outcome and the gateway's own request id; a
 * caller's X-Request-Id is kept beside it, for correlation only.
 */
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());

/** The events an agent's own calls left (its creation, grants and token are the owner's events). */
const callEvents = (agentId: string) =>
  stack.gateway.db.selectFrom('audit_events').selectAll().where('agent_id', '=', agentId).where('actor_kind', '=', 'agent').orderBy('occurred_at').execute();

async function onlyEvent(agent: { agentId: string; tokenId: string }) {
  const events = await callEvents(agent.agentId);
  expect(events.map(({ action, outcome, reason }) => ({ action, outcome, reason }))).toHaveLength(1);
  const [event] = events;
  expect(event!.details).toMatchObject({ tokenId: agent.tokenId });
  expect(event!.request_id).toMatch(/^[0-9a-f-]{36}$/);
  return event!;
}

describe('exactly one event per agent call', () => {
  it('get_agent_session over GraphQL', async () => {
    const agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    const result = await runOperation(stack.gateway, 'GetAgentSession', { token: agent.token });
    expect(result.errors).toBeUndefined();
    expect(await onlyEvent(agent)).toMatchObject({ action: 'agent.agentSession', outcome: 'succeeded' });
  });

  it('the agent session over REST', async () => {
    const agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    const answer = await rest(stack.gateway, 'GET', '/api/v1/agent-session', { token: agent.token });
    expect(answer.status).toBe(200);
    expect(await onlyEvent(agent)).toMatchObject({ action: 'agent.agentSession', outcome: 'succeeded' });
  });

  it('get_agent_session over MCP', async () => {
    const agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    const client = await connectMcp(stack.gateway.url, agent.token);
    try {
      const result = await client.callTool({ name: 'get_agent_session', arguments: {} });
      expect(result.isError).toBeFalsy();
    } finally {
      await client.close();
    }
    expect(await onlyEvent(agent)).toMatchObject({ action: 'agent.agentSession', outcome: 'succeeded' });
  });

  it('variables that do not fit their types, refused before any resolver runs', async () => {
    const agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_WRITE'] });
    const result = await runOperation(stack.gateway, 'CreateIssue', { token: agent.token, variables: { input: { projectId: DEMO.id, title: ['not', 'a', 'string'] } } });
    expect(result.errors).toBeDefined();
    const event = await onlyEvent(agent);
    expect(event).toMatchObject({ action: 'agent.createIssue', outcome: 'failed', details: { projectId: DEMO.id } });
    expect(event.reason).toMatch(/^[A-Z_]+: Variable "\$input"/);
  });

  it('a required variable left out', async () => {
    const agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    const result = await runOperation(stack.gateway, 'GetIssue', { token: agent.token, variables: {} });
    expect(result.errors).toBeDefined();
    expect(await onlyEvent(agent)).toMatchObject({ action: 'agent.issue', outcome: 'failed' });
  });

  it('a document refused by the persisted-operations gate', async () => {
    const agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    const result = await graphql(stack.gateway, 'query($projectId: ID!) { issues(projectId: $projectId) { nodes { id } } }', {
      token: agent.token,
      variables: { projectId: DEMO.id },
    });
    expect(errorCode(result)).toBe('PERSISTED_OPERATION_ONLY');
    expect(await onlyEvent(agent)).toMatchObject({ action: 'agent.graphql', outcome: 'denied', details: { projectId: DEMO.id } });
  });

  it('a tool whose scope the token lacks, refused by the authorization layers', async () => {
    const agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    const result = await runOperation(stack.gateway, 'CreateIssue', { token: agent.token, variables: { input: { projectId: DEMO.id, title: 'No scope' } } });
    expect(errorCode(result)).toBe('FORBIDDEN');
    expect(await onlyEvent(agent)).toMatchObject({ action: 'agent.createIssue', outcome: 'denied', details: { projectId: DEMO.id } });
  });

  it('text that is not text, refused before parsing, names the project by its identifier', async () => {
    const agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    const result = await runOperation(stack.gateway, 'ListIssues', { token: agent.token, variables: { projectId: 'DEMO', search: 'nul \u0000 here' } });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(await onlyEvent(agent)).toMatchObject({ action: 'agent.graphql', outcome: 'failed', details: { projectRef: 'DEMO' } });
  });

  it('an issue addressed by its key, refused before any resolver runs, names the project by the key\'s identifier', async () => {
    const agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    const result = await runOperation(stack.gateway, 'GetIssue', { token: agent.token, variables: { issueId: 'DEMO-1', extra: 'nul \u0000 here' } });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(await onlyEvent(agent)).toMatchObject({ action: 'agent.graphql', outcome: 'failed', details: { projectRef: 'DEMO' } });
  });

  it('an MCP tool whose scope the token lacks, called with an issue key, names the project by the key\'s identifier', async () => {
    const agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    const client = await connectMcp(stack.gateway.url, agent.token);
    try {
      await expect(client.callTool({ name: 'add_comment', arguments: { issueId: 'DEMO-1', body: 'No scope' } })).rejects.toThrow();
    } finally {
      await client.close();
    }
    expect(await onlyEvent(agent)).toMatchObject({ action: 'agent.mcp.add_comment', outcome: 'denied', details: { projectRef: 'DEMO' } });
  });

  it('keeps only a well-formed project: anything else a caller sends is left out of the record', async () => {
    const agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    const result = await runOperation(stack.gateway, 'ListIssues', { token: agent.token, variables: { projectId: 'not a project; drop table', issueId: 'DEMO-1; drop table', first: 'many' } });
    expect(result.errors).toBeDefined();
    const event = await onlyEvent(agent);
    expect(event.details).not.toHaveProperty('projectId');
    expect(event.details).not.toHaveProperty('projectRef');
  });

  it('an unknown MCP tool and arguments that do not fit the tool, each naming the project it was called for', async () => {
    const agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    const client = await connectMcp(stack.gateway.url, agent.token);
    try {
      await expect(client.callTool({ name: 'no_such_tool', arguments: { projectId: 'DEMO' } })).rejects.toThrow();
      expect(await onlyEvent(agent)).toMatchObject({ action: 'agent.mcp.unknown_tool', outcome: 'failed', details: { projectRef: 'DEMO' } });
      const bad = await client.callTool({ name: 'list_issues', arguments: { projectId: DEMO.id, first: 'many' } });
      expect(bad.isError).toBe(true);
    } finally {
      await client.close();
    }
    const events = await callEvents(agent.agentId);
    expect(events.map((event) => event.action)).toEqual(['agent.mcp.unknown_tool', 'agent.mcp.list_issues']);
    for (const event of events) expect(event.details).toMatchObject({ tokenId: agent.tokenId });
    expect(events[1]!.details).toMatchObject({ projectId: DEMO.id });
  });

  it('an MCP tool call holding text that is not text, refused before the SDK sees it, names the project', async () => {
    const agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    const client = await connectMcp(stack.gateway.url, agent.token);
    try {
      await expect(client.callTool({ name: 'list_issues', arguments: { projectId: DEMO.id, search: 'nul \u0000 here' } })).rejects.toThrow();
    } finally {
      await client.close();
    }
    expect(await onlyEvent(agent)).toMatchObject({ action: 'agent.mcp.list_issues', outcome: 'failed', details: { projectId: DEMO.id } });
  });

  it('a JSON-RPC batch of tool calls, refused before any of them runs', async () => {
    const agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    const call = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'get_agent_session', arguments: {} } });
    const response = await fetch(`${stack.gateway.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify([call(1), call(2)]),
    });
    expect(response.status).toBe(400);
    await response.arrayBuffer();
    expect(await onlyEvent(agent)).toMatchObject({ action: 'agent.mcp.batch', outcome: 'failed', details: { messages: 2 } });
  });

  it.each([
    ['a Content-Type that is not JSON', { 'content-type': 'text/plain' }, '{}', 415],
    ['a body that is not JSON', { 'content-type': 'application/json' }, '{"jsonrpc":', 400],
    ['an unknown toolset in X-MCP-Toolsets', { 'content-type': 'application/json', 'x-mcp-toolsets': 'no_such_toolset' }, '{}', 400],
  ])('an MCP request with %s, refused before its message is read', async (_label, headers, body, status) => {
    const agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    const response = await fetch(`${stack.gateway.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent.token}`, accept: 'application/json, text/event-stream', ...headers },
      body,
    });
    expect(response.status).toBe(status);
    await response.arrayBuffer();
    expect(await onlyEvent(agent)).toMatchObject({ action: 'agent.mcp.request', outcome: 'failed', details: { tokenId: agent.tokenId } });
  });

  it('an MCP tool whose scope the token lacks, refused before the SDK sees it, names the project', async () => {
    const agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    const client = await connectMcp(stack.gateway.url, agent.token);
    try {
      await expect(client.callTool({ name: 'create_issue', arguments: { input: { projectId: DEMO.id, title: 'No scope' } } })).rejects.toThrow();
    } finally {
      await client.close();
    }
    expect(await onlyEvent(agent)).toMatchObject({ action: 'agent.mcp.create_issue', outcome: 'denied', details: { projectId: DEMO.id } });
  });
});

describe("the caller's X-Request-Id", () => {
  it('is kept as the correlation id, never as the event’s own id, and the Launcher reads it', async () => {
    const agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    const response = await fetch(`${stack.gateway.url}/api/v1/agent-session`, { headers: { authorization: `Bearer ${agent.token}`, 'x-request-id': 'caller-trace-42' } });
    expect(response.status).toBe(200);
    const ownId = response.headers.get('x-request-id');
    expect(ownId).not.toBe('caller-trace-42');
    const event = await onlyEvent(agent);
    expect(event).toMatchObject({ request_id: ownId, correlation_id: 'caller-trace-42' });

    const read = await graphql<{ auditEvents: { nodes: { requestId: string; correlationId: string | null; action: string }[] } }>(
      stack.gateway,
      'query($agentId: String!) { auditEvents(agentId: $agentId, first: 10) { nodes { requestId correlationId action } } }',
      { token: stack.owner, variables: { agentId: agent.agentId } },
    );
    expect(read.errors).toBeUndefined();
    expect(read.data!.auditEvents.nodes).toContainEqual({ requestId: ownId, correlationId: 'caller-trace-42', action: 'agent.agentSession' });
  });

  it('is not kept when it is not a usable id', async () => {
    const agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    await fetch(`${stack.gateway.url}/api/v1/agent-session`, { headers: { authorization: `Bearer ${agent.token}`, 'x-request-id': 'has spaces and ; semicolons' } });
    expect((await onlyEvent(agent)).correlation_id).toBeNull();
  });
});

/**
 * A caller may repeat a refused credential without bound: identical refusals within the window
 * (AUDIT_REPEAT_WINDOW_SECONDS) count on one event instead of writing a row each, on every surface,
 * filed under the token when it exists, its hash when it is well-formed but unknown, else the
 * client network.
 */
describe('repeated refused credentials', () => {
  const WINDOW_SECONDS = 60;
  let gateway: TestGateway;
  let admin: string;
  beforeAll(async () => {
    gateway = await startTestGateway({ TRUST_PROXY: 'true', AUDIT_REPEAT_WINDOW_SECONDS: String(WINDOW_SECONDS) });
    admin = await gateway.launcherToken({ sub: 'repeats-admin', role: 'admin' });
  });
  afterAll(() => gateway.close());
  beforeEach(() => enterFreshRepeatWindow(gateway, WINDOW_SECONDS));

  const from = (address: string) => ({ 'x-forwarded-for': address });
  /** One refused call on each surface in turn: REST, GraphQL, MCP. */
  async function refusedCall(i: number, token: string, address: string): Promise<void> {
    const headers = { authorization: `Bearer ${token}`, ...from(address) };
    const surface = i % 3;
    if (surface === 1) {
      expect((await runOperation(gateway, 'GetAgentSession', { token, headers: from(address) })).status).toBe(401);
      return;
    }
    const response =
      surface === 0
        ? await fetch(`${gateway.url}/api/v1/agent-session`, { headers })
        : await fetch(`${gateway.url}/mcp`, {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
            body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/list' }),
          });
    await response.arrayBuffer();
    expect(response.status).toBe(401);
  }

  const refusalEvents = (where: { targetId?: string; network?: string; action?: string }) => {
    let query = gateway.db.selectFrom('audit_events').selectAll().where('actor_kind', '=', 'anonymous').where('action', 'like', '%authenticate');
    if (where.targetId !== undefined) query = query.where('target_id', '=', where.targetId);
    if (where.network !== undefined) query = query.where('client_address', 'like', `${where.network}.%`);
    if (where.action !== undefined) query = query.where('action', '=', where.action);
    return query.orderBy('occurred_at').execute();
  };

  async function revokedToken(): Promise<{ agentId: string; id: string; secret: string }> {
    const agentId = await createAgent(gateway, admin);
    const token = await createToken(gateway, admin, agentId);
    const revoked = await graphql(gateway, 'mutation($id: ID!) { revokeToken(id: $id) { id } }', { token: admin, variables: { id: token.id } });
    expect(revoked.errors).toBeUndefined();
    return { agentId, ...token };
  }

  it('a revoked token hammering every surface leaves one event counting every call', async () => {
    const token = await revokedToken();
    const N = 9;
    for (let i = 0; i < N; i += 1) await refusedCall(i, token.secret, '192.0.2.1');
    const events = await refusalEvents({ targetId: token.id });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'agent.authenticate',
      outcome: 'denied',
      agent_id: token.agentId,
      target_type: 'token',
      occurrences: N,
      reason: 'the agent token has been revoked',
      details: { refusal: 'token_revoked', tokenId: token.id },
    });
    expect(events[0]!.last_occurred_at).not.toBeNull();
  });

  it('counts refusals that arrive at once, without a second row or a lost count', async () => {
    const token = await revokedToken();
    const N = 12;
    await Promise.all(Array.from({ length: N }, (_, i) => refusedCall(i, token.secret, '192.0.2.2')));
    const events = await refusalEvents({ targetId: token.id });
    expect(events.map((event) => event.occurrences)).toEqual([N]);
  });

  it('starts a new event in the next window', async () => {
    const token = await revokedToken();
    await refusedCall(0, token.secret, '192.0.2.3');
    await refusedCall(1, token.secret, '192.0.2.3');
    gateway.clock.offsetMs += WINDOW_SECONDS * 1000;
    try {
      await refusedCall(2, token.secret, '192.0.2.3');
    } finally {
      gateway.clock.offsetMs -= WINDOW_SECONDS * 1000;
    }
    expect((await refusalEvents({ targetId: token.id })).map((event) => event.occurrences)).toEqual([2, 1]);
  });

  it('files a well-formed token nobody issued under its hash, one event per token', async () => {
    const [first, second] = [issueAgentToken().secret, issueAgentToken().secret];
    for (let i = 0; i < 4; i += 1) await refusedCall(i, first!, '198.51.100.7');
    await refusedCall(0, second!, '198.51.100.7');
    const events = await refusalEvents({ network: '198.51.100' });
    expect(events.map(({ action, occurrences, agent_id, details }) => ({ action, occurrences, agent_id, refusal: details.refusal }))).toEqual([
      { action: 'agent.authenticate', occurrences: 4, agent_id: null, refusal: 'token_unknown' },
      { action: 'agent.authenticate', occurrences: 1, agent_id: null, refusal: 'token_unknown' },
    ]);
    // The hash names the event's key only; it is not shown as a fact of the event.
    expect(JSON.stringify(events)).not.toContain(first!.slice(6, 30));
  });

  it('files garbage and forged credentials under the client network, one event per kind of refusal', async () => {
    const forged = await mintLauncherJwt(randomBytes(32).toString('hex'), { sub: 'mallory', email: 'm@example.test', role: 'admin' }, { audience: gateway.config.launcherJwt.audience });
    for (let i = 0; i < 5; i += 1) await refusedCall(i, `ndcag_${randomBytes(32).toString('hex').slice(0, 43)}_zzzzzz`, `203.0.113.${i + 1}`);
    for (let i = 0; i < 3; i += 1) await refusedCall(i, forged, `203.0.113.${i + 10}`);
    const events = await refusalEvents({ network: '203.0.113' });
    expect(events.map(({ action, occurrences, details }) => ({ action, occurrences, details }))).toEqual([
      { action: 'agent.authenticate', occurrences: 5, details: { refusal: 'token_malformed', clientNetwork: '203.0.113.0/24' } },
      { action: 'launcher.authenticate', occurrences: 3, details: { refusal: 'launcher_jwt_bad_signature', clientNetwork: '203.0.113.0/24' } },
    ]);
  });

  // Replicas behind a load balancer share the database, and so the count: a second gateway app
  // with its own pool on the same PostgreSQL (PGlite is embedded: one process per database).
  it.runIf(testDatabaseKind() === 'postgres')('counts on one event across two gateway replicas on one PostgreSQL', async () => {
    const token = await revokedToken();
    const db = await openDatabase(gateway.config.database);
    // The same clock as the first replica: behind a balancer, replicas agree on the time.
    const replica = createGatewayApp({ config: gateway.config, db, logger: createLogger('silent'), now: () => new Date(Date.now() + gateway.clock.offsetMs) });
    const server = await listen(replica.fetch, '127.0.0.1', 0);
    try {
      for (let i = 0; i < 6; i += 1) {
        const url = i % 2 === 0 ? gateway.url : server.url;
        const response = await fetch(`${url}/api/v1/agent-session`, { headers: { authorization: `Bearer ${token.secret}`, ...from('192.0.2.4') } });
        expect(response.status).toBe(401);
      }
    } finally {
      await server.close();
      await replica.close();
      await db.destroy();
    }
    expect((await refusalEvents({ targetId: token.id })).map((event) => event.occurrences)).toEqual([6]);
  });
});
