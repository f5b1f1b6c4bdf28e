import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectMcp, type McpTestClient, textOf } from '../support/mcp-client.js';
import { latestAuditEvent } from '../support/fixtures.js';
import { errorCode, runOperation } from '../support/gateway.js';
import { DEMO, startTestStack, type TestStack } from '../support/stack.js';

/**
 * A write Tasker applies but never answers: the gateway cannot know whether it happened, so it
 * says exactly that (WRITE_OUTCOME_UNKNOWN, audited `unknown`) with the key to retry with, and the
 * retry under that key never writes twice. Read back from the reference Tasker itself.
 */
let stack: TestStack;
let agent: { agentId: string; token: string; tokenId: string };

beforeAll(async () => {
  stack = await startTestStack();
  agent = await stack.agentWith({ [DEMO.id]: ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE'] });
});
afterAll(() => stack.close());
beforeEach(() => stack.proxy.reset());

const isIssueCreate = (request: { method: string; path: string }) => request.method === 'POST' && request.path.endsWith('/issues');
/** Issues Tasker created for this title, read from Tasker through the agent's own list. */
async function createdInTasker(title: string): Promise<string[]> {
  const listed = await runOperation<{ issues: { nodes: { id: string; title: string }[] } }>(stack.gateway, 'ListIssues', {
    token: agent.token,
    variables: { projectId: DEMO.id, search: title, first: 100 },
  });
  expect(listed.errors).toBeUndefined();
  return listed.data!.issues.nodes.filter((issue) => issue.title === title).map((issue) => issue.id);
}

const lastEvent = (action: string) => latestAuditEvent(stack.gateway, agent.agentId, action);

describe('a write whose outcome is unknown', () => {
  it('GraphQL: no answer after Tasker applied it — unknown, with the key the gateway made, and a retry writes nothing twice', async () => {
    const title = `Unknown outcome ${Date.now()}`;
    stack.proxy.inject({ kind: 'forward-then-hang', when: isIssueCreate });
    const create = (idempotencyKey?: string) =>
      runOperation<{ createIssue: { issue: { id: string } } }>(stack.gateway, 'CreateIssue', {
        token: agent.token,
        variables: { input: { projectId: DEMO.id, title, ...(idempotencyKey ? { idempotencyKey } : {}) } },
      });

    const unknown = await create();
    expect(errorCode(unknown)).toBe('WRITE_OUTCOME_UNKNOWN');
    expect(unknown.status).toBe(504);
    const key = unknown.errors![0]!.extensions.details?.idempotencyKey;
    expect(key).toEqual(expect.any(String));
    expect(unknown.extensions?.idempotencyKey).toBe(key);
    expect(unknown.errors![0]!.message).toContain('unknown');

    const event = await lastEvent('agent.createIssue');
    expect(event.outcome).toBe('unknown');
    expect(event.reason).toContain('WRITE_OUTCOME_UNKNOWN');
    expect(event.details).toMatchObject({ tokenId: agent.tokenId, idempotencyKeyMadeByGateway: true, idempotencyKeyHash: expect.any(String) });
    expect(JSON.stringify(event)).not.toContain(key as string);

    stack.proxy.reset();
    const applied = await createdInTasker(title);
    expect(applied).toHaveLength(1);
    const retried = await create(key as string);
    expect(retried.errors).toBeUndefined();
    expect(retried.extensions?.idempotencyKey).toBe(key);
    expect(retried.data!.createIssue.issue.id).toBe(applied[0]);
    expect(await createdInTasker(title)).toEqual(applied);
    expect((await lastEvent('agent.createIssue')).outcome).toBe('succeeded');
  });

  it('MCP: a connection broken after Tasker applied it — the result says unknown and names the key; the retry writes nothing twice', async () => {
    const title = `Broken connection ${Date.now()}`;
    const key = `mcp-retry-${Date.now()}`;
    let client: McpTestClient | undefined;
    try {
      client = await connectMcp(stack.gateway.url, agent.token);
      stack.proxy.inject({ kind: 'forward-then-reset', when: isIssueCreate });
      const call = () => client!.callTool({ name: 'create_issue', arguments: { input: { projectId: DEMO.id, title, idempotencyKey: key } } });
      const unknown = await call();
      expect(unknown.isError).toBe(true);
      expect(textOf(unknown)).toContain('WRITE_OUTCOME_UNKNOWN');
      expect(textOf(unknown)).toContain(`"idempotencyKey": "${key}"`);
      expect(unknown._meta).toMatchObject({ idempotencyKey: key });
      expect((await lastEvent('agent.createIssue')).outcome).toBe('unknown');

      stack.proxy.reset();
      const applied = await createdInTasker(title);
      expect(applied).toHaveLength(1);
      const retried = await call();
      expect(retried.isError).toBeFalsy();
      expect(retried._meta).toMatchObject({ idempotencyKey: key });
      expect(await createdInTasker(title)).toEqual(applied);
    } finally {
      await client?.close();
    }
  });

  it('a write Tasker answered with a failure it never forwarded is still unknown to the gateway, and says so', async () => {
    // A 500 can come after Tasker applied the write; the gateway cannot tell, so it never says "failed".
    stack.proxy.inject({ kind: 'status', status: 500, when: isIssueCreate });
    const result = await runOperation(stack.gateway, 'CreateIssue', { token: agent.token, variables: { input: { projectId: DEMO.id, title: 'Five hundred' } } });
    expect(errorCode(result)).toBe('WRITE_OUTCOME_UNKNOWN');
    expect(result.errors![0]!.extensions.details).toMatchObject({ cause: 'TASKER_UNAVAILABLE', idempotencyKey: expect.any(String) });
  });

  it('a read that times out stays failed: only writes have an unknown outcome', async () => {
    stack.proxy.inject({ kind: 'hang' });
    const result = await runOperation(stack.gateway, 'ListIssues', { token: agent.token, variables: { projectId: DEMO.id } });
    expect(errorCode(result)).toBe('TASKER_TIMEOUT');
    expect(result.extensions?.idempotencyKey).toBeUndefined();
    expect((await lastEvent('agent.issues')).outcome).toBe('failed');
  });

  it('every successful write answers with its key, the gateway’s own when the agent gave none', async () => {
    const made = await runOperation(stack.gateway, 'CreateIssue', { token: agent.token, variables: { input: { projectId: DEMO.id, title: 'Keyed by the gateway' } } });
    expect(made.errors).toBeUndefined();
    expect(made.extensions?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    const given = await runOperation(stack.gateway, 'CreateIssue', {
      token: agent.token,
      variables: { input: { projectId: DEMO.id, title: 'Keyed by the agent', idempotencyKey: 'agent-chosen-key' } },
    });
    expect(given.extensions?.idempotencyKey).toBe('agent-chosen-key');
  });
});
