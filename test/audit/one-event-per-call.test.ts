import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMcp } from '../support/mcp-client.js';
import { errorCode, graphql, rest, runOperation } from '../support/gateway.js';
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
    expect(event).toMatchObject({ action: 'agent.createIssue', outcome: 'failed' });
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
    const result = await graphql(stack.gateway, '{ agentSession { tokenId } }', { token: agent.token });
    expect(errorCode(result)).toBe('PERSISTED_OPERATION_ONLY');
    expect(await onlyEvent(agent)).toMatchObject({ action: 'agent.graphql', outcome: 'denied' });
  });

  it('a tool whose scope the token lacks, refused by the authorization layers', async () => {
    const agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    const result = await runOperation(stack.gateway, 'CreateIssue', { token: agent.token, variables: { input: { projectId: DEMO.id, title: 'No scope' } } });
    expect(errorCode(result)).toBe('FORBIDDEN');
    expect(await onlyEvent(agent)).toMatchObject({ action: 'agent.createIssue', outcome: 'denied' });
  });

  it('an unknown MCP tool and arguments that do not fit the tool', async () => {
    const agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    const client = await connectMcp(stack.gateway.url, agent.token);
    try {
      await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toThrow();
      expect(await onlyEvent(agent)).toMatchObject({ action: 'agent.mcp.unknown_tool', outcome: 'failed' });
      const bad = await client.callTool({ name: 'get_issue', arguments: { issueId: 42 } });
      expect(bad.isError).toBe(true);
    } finally {
      await client.close();
    }
    const events = await callEvents(agent.agentId);
    expect(events.map((event) => event.action)).toEqual(['agent.mcp.unknown_tool', 'agent.mcp.get_issue']);
    for (const event of events) expect(event.details).toMatchObject({ tokenId: agent.tokenId });
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
