import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAgent, createToken, setGrant } from '../support/fixtures.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { runOperation, startTestGateway, type TestGateway } from '../support/gateway.js';
import { TASKER_BASE } from '../support/misbehaving-tasker.js';
import { DEMO, startTestStack, type TestStack } from '../support/stack.js';

/**
 * The Tasker client's own guards, with a Tasker that behaves in the ways a real one may: a write
 * still in progress from an earlier attempt (retried, not failed), and a Tasker served under a
 * path prefix (kept in every request, signed as sent).
 */
let stack: TestStack;
let agent: { token: string };

beforeAll(async () => {
  stack = await startTestStack();
  agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ', 'ISSUES_WRITE'] }, 'Client guard agent');
});
afterAll(() => stack.close());
beforeEach(() => stack.proxy.reset());

describe("Tasker's in-progress answer", () => {
  it('retries a write Tasker says is still in progress, and succeeds once it is done', async () => {
    stack.proxy.inject(
      {
        kind: 'respond',
        when: (request) => request.method === 'POST' && request.path.split('?')[0] === `${TASKER_BASE}/issues`,
        answer: async () => ({ status: 409, body: { error: { code: 'IDEMPOTENCY_IN_PROGRESS', message: 'an earlier attempt is still running' } } }),
      },
      1,
    );
    const result = await runOperation<{ createIssue: { issue: { id: string } } }>(stack.gateway, 'CreateIssue', {
      token: agent.token,
      variables: { input: { projectId: DEMO.id, title: 'after the in-progress answer' } },
    });
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    expect(stack.proxy.seen.filter((line) => line.startsWith(`POST ${TASKER_BASE}/issues`))).toHaveLength(2);
    const { issue } = await stack.readTasker<{ issue: { title: string } }>(`${TASKER_BASE}/issues/${result.data!.createIssue.issue.id}`);
    expect(issue.title).toBe('after the in-progress answer');
  });
});

describe('a TASKER_URL with a path prefix', () => {
  let prefixed: FaultProxy;
  let gateway: TestGateway;

  beforeAll(async () => {
    // Tasker served at /tasker/…: the proxy answers only there, reading the real Tasker behind it.
    prefixed = await startFaultProxy(stack.tasker.url, { signingSecret: stack.signingSecret });
    prefixed.inject({
      kind: 'respond',
      answer: async (request, read) =>
        request.path.startsWith('/tasker/') && request.method === 'GET'
          ? { status: 200, body: await read(request.path.slice('/tasker'.length)) }
          : { status: 404, body: { error: { code: 'NOT_FOUND', message: `nothing at ${request.path}` } } },
    });
    gateway = await startTestGateway({ TASKER_URL: `${prefixed.url}/tasker`, TASKER_SIGNING_SECRET: stack.signingSecret });
  });
  afterAll(async () => {
    await gateway.close();
    await prefixed.close();
  });

  it('sends every request under the prefix', async () => {
    const owner = await gateway.launcherToken({ sub: 'local-user', email: 'local@example.test' });
    const agentId = await createAgent(gateway, owner);
    await setGrant(gateway, owner, agentId, DEMO.id, ['ISSUES_READ']);
    const { secret } = await createToken(gateway, owner, agentId);
    const result = await runOperation<{ issues: { nodes: unknown[] } }>(gateway, 'ListIssues', { token: secret, variables: { projectId: DEMO.id } });
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    expect(result.data!.issues.nodes.length).toBeGreaterThan(0);
    expect(prefixed.seen.length).toBeGreaterThan(0);
    expect(prefixed.seen.every((line) => line.split(' ')[1]!.startsWith(`/tasker${TASKER_BASE}/`))).toBe(true);
  });
});
