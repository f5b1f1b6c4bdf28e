import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAgent, createToken, latestAuditEvent, setGrant } from '../support/fixtures.js';
import { errorCode, graphql, runOperation, startTestGateway } from '../support/gateway.js';
import { DEMO, startTestStack, type TestStack } from '../support/stack.js';
import type { Fault } from '../support/fault-proxy.js';

let stack: TestStack;
let agent: { agentId: string; token: string; tokenId: string };

beforeAll(async () => {
  stack = await startTestStack();
  agent = await stack.agentWith({ [DEMO.id]: ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE', 'LABELS_WRITE'] });
});
afterAll(() => stack.close());
beforeEach(() => stack.proxy.reset());

const listIssues = (token = agent.token) => runOperation(stack.gateway, 'ListIssues', { token, variables: { projectId: DEMO.id } });

const lastAuditEvent = (action: string) => latestAuditEvent(stack.gateway, agent.agentId, action);

describe('Tasker faults become clear, audited errors', () => {
  const cases: [string, Fault, string][] = [
    ['a 500', { kind: 'status', status: 500 }, 'TASKER_UNAVAILABLE'],
    ['a reset connection', { kind: 'reset' }, 'TASKER_UNAVAILABLE'],
    ['no answer in time', { kind: 'hang' }, 'TASKER_TIMEOUT'],
    ['a body that is not JSON', { kind: 'malformed' }, 'TASKER_BAD_RESPONSE'],
    ['a body that breaks the contract', { kind: 'rewrite', rewrite: () => ({ issues: 'nope' }) }, 'TASKER_BAD_RESPONSE'],
  ];

  for (const [name, fault, code] of cases) {
    it(`answers ${name} with ${code} and records it`, async () => {
      stack.proxy.inject(fault);
      const result = await listIssues();
      expect(errorCode(result)).toBe(code);
      expect(result.errors![0]!.message).not.toMatch(/\n\s+at /);
      const event = await lastAuditEvent('agent.issues');
      expect(event.outcome).toBe('failed');
      expect(event.reason).toContain(code);
      expect(event.latency_ms).toEqual(expect.any(Number));
    });
  }

  it('retries a read once after a transient failure and succeeds', async () => {
    stack.proxy.inject({ kind: 'status', status: 503 }, 1);
    const result = await listIssues();
    expect(result.errors).toBeUndefined();
    expect(stack.proxy.seen.filter((line) => line.startsWith('GET')).length).toBe(2);
  });

  it('answers an oversize Tasker answer with TASKER_BAD_RESPONSE, without asking again', async () => {
    stack.proxy.inject({ kind: 'rewrite', rewrite: () => ({ issues: 'x'.repeat(6 * 1024 * 1024), next_cursor: null }) });
    const result = await listIssues();
    expect(errorCode(result)).toBe('TASKER_BAD_RESPONSE');
    expect(result.errors![0]!.message).toContain('more than 5 MiB');
    expect(stack.proxy.seen.filter((line) => line.startsWith('GET')).length).toBe(1);
  });

  it('does not retry a Tasker refusal (4xx)', async () => {
    const result = await runOperation(stack.gateway, 'GetIssue', { token: agent.token, variables: { issueId: 'no-such-issue' } });
    expect(errorCode(result)).toBe('NOT_FOUND');
    expect(stack.proxy.seen.length).toBe(1);
  });

  it('turns a success that changed nothing into TASKER_WRITE_NOT_APPLIED', async () => {
    const created = await runOperation<{ createIssue: { issue: { id: string } } }>(stack.gateway, 'CreateIssue', {
      token: agent.token,
      variables: { input: { projectId: DEMO.id, title: 'no-op target' } },
    });
    // Tasker answers 200 for the label write but with the labels as they were before.
    stack.proxy.inject({
      kind: 'rewrite',
      rewrite: (body, request) =>
        request.method === 'PUT' ? { issue: { ...(body.issue as Record<string, unknown>), label_ids: [] } } : body,
    });
    const result = await runOperation(stack.gateway, 'SetIssueLabels', {
      token: agent.token,
      variables: { issueId: created.data!.createIssue.issue.id, labelIds: [DEMO.labels.bug] },
    });
    expect(errorCode(result)).toBe('TASKER_WRITE_NOT_APPLIED');
    expect((await lastAuditEvent('agent.setIssueLabels')).outcome).toBe('failed');
  });

  it('reports a signing mismatch as TASKER_REJECTED, for operators to fix', async () => {
    // A second gateway with the wrong secret, talking to the same Tasker.
    const misconfigured = await startTestGateway({ TASKER_URL: stack.proxy.url, TASKER_SIGNING_SECRET: 'w'.repeat(40) });
    try {
      const owner = await misconfigured.launcherToken({ sub: 'local-user', email: 'local@example.test' });
      const agentId = await createAgent(misconfigured, owner);
      await setGrant(misconfigured, owner, agentId, DEMO.id, ['ISSUES_READ']);
      const { secret } = await createToken(misconfigured, owner, agentId);
      const result = await runOperation(misconfigured, 'ListIssues', { token: secret, variables: { projectId: DEMO.id } });
      expect(errorCode(result)).toBe('TASKER_REJECTED');
      expect(result.status).toBe(502);
    } finally {
      await misconfigured.close();
    }
  });
});

describe('tokens on tool calls', () => {
  it('refuses a revoked token on the very next call', async () => {
    const victim = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    expect((await listIssues(victim.token)).errors).toBeUndefined();
    await graphql(stack.gateway, 'mutation($id: ID!) { revokeToken(id: $id) { id } }', { token: stack.owner, variables: { id: victim.tokenId } });
    const refused = await listIssues(victim.token);
    expect(errorCode(refused)).toBe('UNAUTHENTICATED');
    expect(refused.status).toBe(401);
  });

  it('refuses an expired token', async () => {
    const aging = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] });
    stack.gateway.clock.offsetMs = 91 * 86_400_000;
    try {
      expect(errorCode(await listIssues(aging.token))).toBe('UNAUTHENTICATED');
    } finally {
      stack.gateway.clock.offsetMs = 0;
    }
  });
});
