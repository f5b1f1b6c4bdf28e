import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { graphql, rest, runOperation, startTestGateway } from '../support/gateway.js';
import { connectMcp } from '../support/mcp-client.js';
import { DEMO, startTestStack, type TestStack } from '../support/stack.js';

/**
 * The log as an operator reads it, captured through the gateway's own logger destination while
 * real clients talk to it over HTTP: one access line per request on every surface, no credential
 * anywhere, and Tasker's troubles at warn/error.
 */
type Line = Record<string, unknown> & { level: string; message: string };

const logLines: string[] = [];
let stack: TestStack;
let agent: { agentId: string; token: string; tokenId: string };

const parsed = (): Line[] => logLines.map((line) => JSON.parse(line) as Line);
const accessLines = () => parsed().filter((line) => line.message === 'request');
const accessLineOf = (requestId: string | null) => {
  const found = accessLines().filter((line) => line.requestId === requestId);
  expect(found).toHaveLength(1);
  return found[0]!;
};

beforeAll(async () => {
  stack = await startTestStack({}, { logLines });
  agent = await stack.agentWith({ [DEMO.id]: ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE'] });
});
afterAll(() => stack.close());
beforeEach(() => {
  logLines.length = 0;
  stack.proxy.reset();
});

describe('access log', () => {
  it('gives a REST call its route pattern, not the path with the id, and who called', async () => {
    const created = await rest(stack.gateway, 'POST', `/api/v1/agents/${agent.agentId}/tokens`, { token: stack.owner, body: { name: 'second' } });
    expect(created.status).toBe(201);
    const line = accessLineOf(created.headers.get('x-request-id'));
    expect(line).toMatchObject({
      level: 'info',
      method: 'POST',
      surface: 'rest',
      route: '/api/v1/agents/:id/tokens',
      operation: '/api/v1/agents/:id/tokens',
      status: 201,
      principal: 'launcher',
      agentId: null,
    });
    expect(line.latencyMs).toEqual(expect.any(Number));
    expect(JSON.stringify(line)).not.toContain(agent.agentId);
    // The new token is in the answer body only.
    const secret = (created.body as { token: string }).token;
    expect(logLines.join('\n')).not.toContain(secret);
  });

  it('names an agent’s persisted operation and the agent, and never writes its token', async () => {
    const result = await runOperation(stack.gateway, 'ListIssues', { token: agent.token, variables: { projectId: DEMO.id } });
    expect(result.status).toBe(200);
    const [line] = accessLines();
    expect(line).toMatchObject({ surface: 'graphql', route: '/graphql', operation: 'ListIssues', status: 200, principal: 'agent', agentId: agent.agentId });
    expect(logLines.join('\n')).not.toContain(agent.token);
    expect(logLines.join('\n')).not.toContain(agent.token.slice(6, 30));
  });

  it('names a Launcher document by its type and first root field, not by the name the caller gave it', async () => {
    const result = await graphql(stack.gateway, 'query AnythingAtAll { me { userId } }', { token: stack.owner });
    expect(result.status).toBe(200);
    expect(accessLines()[0]).toMatchObject({ surface: 'graphql', operation: 'query me', principal: 'launcher' });
    expect(logLines.join('\n')).not.toContain('AnythingAtAll');
    expect(logLines.join('\n')).not.toContain(stack.owner);
    expect(logLines.join('\n')).not.toContain(stack.owner.split('.')[2]!);
  });

  it('logs every MCP message under its tool name or method, an unknown tool under a fixed word', async () => {
    const client = await connectMcp(stack.gateway.url, agent.token);
    try {
      await client.callTool({ name: 'list_projects', arguments: {} });
      await client.callTool({ name: 'made_up_tool_4711', arguments: {} }).catch(() => undefined);
    } finally {
      await client.close();
    }
    const mcp = accessLines().filter((line) => line.surface === 'mcp');
    const operations = mcp.map((line) => line.operation);
    expect(operations).toEqual(expect.arrayContaining(['server/discover', 'list_projects', 'unknown_tool']));
    expect(operations).not.toContain('ListProjects');
    expect(mcp.every((line) => line.route === '/mcp' && line.principal === 'agent' && line.agentId === agent.agentId)).toBe(true);
    expect(logLines.join('\n')).not.toContain('made_up_tool_4711');
    expect(logLines.join('\n')).not.toContain(agent.token);
  });

  it('logs an unknown path without the path, and a refused credential without the credential', async () => {
    const randomPath = `/nothing-here/${crypto.randomUUID()}`;
    const unknown = await rest(stack.gateway, 'GET', randomPath);
    expect(unknown.status).toBe(404);
    expect(accessLineOf(unknown.headers.get('x-request-id'))).toMatchObject({ surface: 'unknown', route: 'unmatched', status: 404, principal: 'none' });

    const forged = `ndcag_${'A'.repeat(43)}_${'b'.repeat(6)}`;
    const refused = await rest(stack.gateway, 'GET', '/api/v1/agent-session', {
      token: forged,
      headers: { cookie: 'session=cookie-value-9931', 'x-request-id': forged },
    });
    expect(refused.status).toBe(401);
    expect(accessLineOf(refused.headers.get('x-request-id'))).toMatchObject({ surface: 'rest', status: 401, principal: 'anonymous' });
    const all = logLines.join('\n');
    expect(all).not.toContain(randomPath);
    expect(all).not.toContain(forged);
    expect(all).not.toContain('cookie-value-9931');
  });
});

describe('Tasker’s troubles', () => {
  it('logs a signature Tasker refuses at error, naming TASKER_REJECTED', async () => {
    stack.proxy.inject({ kind: 'status', status: 401 });
    await runOperation(stack.gateway, 'ListIssues', { token: agent.token, variables: { projectId: DEMO.id } });
    const rejected = parsed().filter((line) => line.level === 'error' && line.message.includes('TASKER_REJECTED'));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ operation: 'GET /issues', status: 401 });
  });

  it('logs an outage once at warn, every call that exhausts its retries at warn, and the recovery at info', async () => {
    stack.proxy.inject({ kind: 'reset' });
    const first = await runOperation(stack.gateway, 'GetIssue', { token: agent.token, variables: { issueId: 'DEMO-1' } });
    await runOperation(stack.gateway, 'GetIssue', { token: agent.token, variables: { issueId: 'DEMO-1' } });
    expect(first.errors?.[0]?.extensions.code).toBe('TASKER_UNAVAILABLE');
    const outage = parsed().filter((line) => line.level === 'warn' && line.message.startsWith('Tasker is not answering'));
    expect(outage).toHaveLength(1);
    const exhausted = parsed().filter((line) => line.level === 'warn' && line.message === 'Tasker call failed after its retries');
    expect(exhausted).toHaveLength(2);
    // The issue key is an id: the operation names the endpoint, not the issue.
    expect(exhausted[0]).toMatchObject({ operation: 'GET /issues/:id', code: 'TASKER_UNAVAILABLE', attempts: 2, status: null });

    stack.proxy.reset();
    await runOperation(stack.gateway, 'GetIssue', { token: agent.token, variables: { issueId: 'DEMO-1' } });
    expect(parsed().filter((line) => line.level === 'info' && line.message === 'Tasker answers again')).toHaveLength(1);
  });
});

describe('agent-written text in the log', () => {
  const marker = 'agent-wrote-this-7731';
  // A variable of the wrong type: the answer's error quotes the value; it is logged at debug.
  const sendQuotedText = (gateway: { url: string }, token: string) =>
    graphql(gateway, 'query ($first: Int) { auditEvents(first: $first) { nodes { id } } }', { token, variables: { first: marker } });

  it('is replaced by a marker by default (LOG_REDACT_AGENT_TEXT)', async () => {
    const result = await sendQuotedText(stack.gateway, stack.owner);
    expect(result.errors?.[0]?.message).toContain(marker);
    expect(logLines.join('\n')).not.toContain(marker);
    expect(logLines.join('\n')).toContain('[REDACTED agent text]');
  });

  it('is written as it is when the operator turns redaction off, while credentials stay out', async () => {
    const lines: string[] = [];
    const gateway = await startTestGateway({ LOG_REDACT_AGENT_TEXT: 'false' }, { logLines: lines });
    try {
      const owner = await gateway.launcherToken({ sub: 'someone' });
      await sendQuotedText(gateway, owner);
      expect(lines.join('\n')).toContain(marker);
      expect(lines.join('\n')).not.toContain(owner);
    } finally {
      await gateway.close();
    }
  });
});
