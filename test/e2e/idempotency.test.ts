import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, runOperation } from '../support/gateway.js';
import { DEMO, startTestStack, type TestStack } from '../support/stack.js';
import { until } from '../support/wait.js';

let stack: TestStack;
let agent: { agentId: string; token: string };

beforeAll(async () => {
  stack = await startTestStack();
  agent = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ', 'ISSUES_WRITE', 'COMMENTS_WRITE'] });
});
afterAll(() => stack.close());
beforeEach(() => stack.proxy.reset());

const createWith = (token: string, key: string, title: string) =>
  runOperation<{ createIssue: { issue: { id: string; key: string } } }>(stack.gateway, 'CreateIssue', {
    token,
    variables: { input: { projectId: DEMO.id, title, idempotencyKey: key } },
  });

const creations = async () => (await stack.tasker.activity()).filter((row) => row.action === 'issue.created').length;

describe('idempotency keys on agent writes', () => {
  it('replays the stored answer for the same key and input, without a second Tasker call', async () => {
    const before = await creations();
    const first = await createWith(agent.token, 'same-key', 'Only once');
    const requestsAfterFirst = stack.proxy.seen.length;
    const second = await createWith(agent.token, 'same-key', 'Only once');
    expect(second.data).toEqual(first.data);
    expect(stack.proxy.seen.length).toBe(requestsAfterFirst);
    expect(await creations()).toBe(before + 1);
  });

  it('refuses the same key with a different input: IDEMPOTENCY_KEY_REUSED, HTTP 422', async () => {
    await createWith(agent.token, 'reused-key', 'First input');
    const reused = await createWith(agent.token, 'reused-key', 'Second input');
    expect(errorCode(reused)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(reused.status).toBe(422);
  });

  it('refuses a key whose first request is still in flight: IDEMPOTENCY_IN_PROGRESS, HTTP 409', async () => {
    stack.proxy.inject({ kind: 'hang' }, 1);
    const slow = createWith(agent.token, 'in-flight-key', 'Slow one');
    // Wait until the first request has claimed the key and reached Tasker.
    await until(() => stack.proxy.seen.some((line) => line.startsWith('POST')), 'the first create reached Tasker');
    const concurrent = await createWith(agent.token, 'in-flight-key', 'Slow one');
    expect(errorCode(concurrent)).toBe('IDEMPOTENCY_IN_PROGRESS');
    expect(concurrent.status).toBe(409);
    // The hung attempt times out, the gateway retries it once with the same Tasker key, and succeeds.
    const finished = await slow;
    expect(finished.errors).toBeUndefined();
  });

  it('leaves the key retryable after a failed Tasker call', async () => {
    stack.proxy.inject({ kind: 'status', status: 500 });
    const failed = await createWith(agent.token, 'retry-key', 'Retry me');
    expect(errorCode(failed)).toBe('TASKER_UNAVAILABLE');
    stack.proxy.reset();
    const retried = await createWith(agent.token, 'retry-key', 'Retry me');
    expect(retried.errors).toBeUndefined();
    expect(retried.data!.createIssue.issue.key).toMatch(/^DEMO-\d+$/);
  });

  it('scopes keys per agent: another agent’s same key is its own request', async () => {
    const other = await stack.agentWith({ [DEMO.id]: ['ISSUES_WRITE'] }, 'Other agent');
    const mine = await createWith(agent.token, 'shared-key', 'Mine');
    const theirs = await createWith(other.token, 'shared-key', 'Theirs');
    expect(theirs.errors).toBeUndefined();
    expect(theirs.data!.createIssue.issue.id).not.toBe(mine.data!.createIssue.issue.id);
    const theirsAgain = await createWith(other.token, 'shared-key', 'Mine');
    expect(errorCode(theirsAgain)).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('forwards the key to Tasker', async () => {
    const created = await createWith(agent.token, 'forwarded-key', 'Forwarded');
    const row = (await stack.tasker.activity()).find((entry) => entry.issueId === created.data!.createIssue.issue.id);
    expect(row?.idempotencyKey).toContain('forwarded-key');
  });

  it('keeps a key for 24 hours, then forgets it', async () => {
    await createWith(agent.token, 'day-key', 'Day one');
    const replayed = stack.proxy.seen.length;
    await createWith(agent.token, 'day-key', 'Day one');
    expect(stack.proxy.seen.length).toBe(replayed); // within 24 h: served from the gateway's store
    stack.gateway.clock.offsetMs = 25 * 3_600_000;
    try {
      const later = await createWith(agent.token, 'day-key', 'Day one');
      expect(later.errors).toBeUndefined();
      expect(stack.proxy.seen.length).toBeGreaterThan(replayed); // after 24 h: asked Tasker again
    } finally {
      stack.gateway.clock.offsetMs = 0;
    }
  });

  it('refuses a malformed key', async () => {
    const result = await createWith(agent.token, 'has spaces', 'x');
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
  });
});
