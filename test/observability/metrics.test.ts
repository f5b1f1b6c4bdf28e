import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mintLauncherJwt } from '../../src/auth/launcher-jwt.js';
import { graphql, rest, runOperation, startTestGateway } from '../support/gateway.js';
import { connectMcp } from '../support/mcp-client.js';
import { DEMO, startTestStack, type TestStack } from '../support/stack.js';

/**
 * /metrics as Prometheus scrapes it, over HTTP: refused without the configured token, and counting
 * what real clients did, with label values only from bounded sets.
 */
const METRICS_TOKEN = randomBytes(24).toString('hex');
let stack: TestStack;
let agent: { agentId: string; token: string; tokenId: string };

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

async function scrape(gateway: { url: string } = stack.gateway): Promise<{ text: string; samples: Sample[] }> {
  const response = await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const text = await response.text();
  const samples = text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)!;
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
  return { text, samples };
}

/** The value of the one sample with this name whose labels include `labels` (0 when absent). */
const valueOf = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);

beforeAll(async () => {
  stack = await startTestStack({ METRICS_TOKEN });
  agent = await stack.agentWith({ [DEMO.id]: ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE'] });
});
afterAll(() => stack.close());
beforeEach(() => stack.proxy.reset());

describe('who may scrape', () => {
  it('refuses a scrape without the token or with another one, on every method', async () => {
    expect((await fetch(`${stack.gateway.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${stack.gateway.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN.slice(0, -1)}x` } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('Bearer');
    expect(await wrong.text()).not.toContain('gateway_');
    // An agent token is no metrics token.
    const agentAsked = await fetch(`${stack.gateway.url}/metrics`, { headers: { authorization: `Bearer ${agent.token}` } });
    expect(agentAsked.status).toBe(401);
  });

  it('does not serve /metrics at all when METRICS_TOKEN is not set', async () => {
    const gateway = await startTestGateway();
    try {
      expect((await rest(gateway, 'GET', '/metrics')).status).toBe(404);
    } finally {
      await gateway.close();
    }
  });
});

describe('what is counted', () => {
  it('counts requests by surface, operation and outcome, and Tasker calls by endpoint pattern', async () => {
    const before = (await scrape()).samples;
    await runOperation(stack.gateway, 'ListIssues', { token: agent.token, variables: { projectId: DEMO.id } });
    await graphql(stack.gateway, '{ me { userId } }', { token: stack.owner });
    const after = (await scrape()).samples;
    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(delta('gateway_request_duration_seconds_count', { surface: 'graphql', operation: 'ListIssues', outcome: 'ok' })).toBe(1);
    expect(delta('gateway_request_duration_seconds_count', { surface: 'graphql', operation: 'query me', outcome: 'ok' })).toBe(1);
    expect(delta('gateway_tasker_call_duration_seconds_count', { operation: 'GET /issues', status_class: '2xx' })).toBe(1);
    expect(delta('gateway_audit_write_duration_seconds_count', {})).toBeGreaterThanOrEqual(1);
  });

  it('counts Tasker retries and calls that never got an answer', async () => {
    const before = (await scrape()).samples;
    stack.proxy.inject({ kind: 'reset' });
    const failed = await runOperation(stack.gateway, 'GetIssue', { token: agent.token, variables: { issueId: 'DEMO-1' } });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const after = (await scrape()).samples;
    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(delta('gateway_tasker_retries_total', { operation: 'GET /issues/:id', code: 'TASKER_UNAVAILABLE' })).toBe(1);
    expect(delta('gateway_tasker_call_duration_seconds_count', { operation: 'GET /issues/:id', status_class: 'none' })).toBe(1);
    expect(delta('gateway_request_duration_seconds_count', { surface: 'graphql', operation: 'GetIssue', outcome: 'failed' })).toBe(1);
  });

  it('counts refused credentials by reason', async () => {
    const before = (await scrape()).samples;
    await rest(stack.gateway, 'GET', '/api/v1/agent-session', { token: `ndcag_${'A'.repeat(43)}_${'b'.repeat(6)}` });
    await rest(stack.gateway, 'GET', '/api/v1/agent-session', { token: 'not.a.jwt' });
    const forged = await mintLauncherJwt(randomBytes(32).toString('hex'), { sub: 'someone', email: 'someone@example.com', role: 'user' }, { audience: 'anything' });
    await rest(stack.gateway, 'GET', '/api/v1/agent-session', { token: forged });
    await rest(stack.gateway, 'GET', '/api/v1/agent-session', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    const after = (await scrape()).samples;
    const delta = (reason: string) => valueOf(after, 'gateway_auth_refusals_total', { reason }) - valueOf(before, 'gateway_auth_refusals_total', { reason });
    expect(delta('token_malformed')).toBe(1);
    expect(delta('launcher_jwt_invalid')).toBe(1);
    expect(delta('launcher_jwt_bad_signature')).toBe(1);
    expect(delta('malformed_header')).toBe(1);
    expect(valueOf(after, 'gateway_request_duration_seconds_count', { surface: 'rest', operation: '/api/v1/agent-session', outcome: 'refused' })).toBeGreaterThanOrEqual(2);
  });

  it('reports the database pool and the process', async () => {
    const { samples } = await scrape();
    expect(valueOf(samples, 'gateway_db_pool_size')).toBeGreaterThanOrEqual(1);
    expect(samples.some((sample) => sample.name === 'gateway_db_pool_in_use')).toBe(true);
    expect(samples.some((sample) => sample.name === 'gateway_db_pool_waiting')).toBe(true);
    expect(samples.some((sample) => sample.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(samples.some((sample) => sample.name === 'nodejs_eventloop_lag_p99_seconds')).toBe(true);
  });

  it('counts rate-limit hits by tier', async () => {
    const gateway = await startTestGateway({ METRICS_TOKEN, RATE_LIMIT_LAUNCHER_PER_MINUTE: '1' });
    try {
      const before = (await scrape(gateway)).samples;
      const owner = await gateway.launcherToken({ sub: 'someone' });
      await graphql(gateway, '{ me { userId } }', { token: owner });
      expect((await graphql(gateway, '{ me { userId } }', { token: owner })).status).toBe(429);
      const after = (await scrape(gateway)).samples;
      expect(valueOf(after, 'gateway_rate_limit_hits_total', { tier: 'launcher' }) - valueOf(before, 'gateway_rate_limit_hits_total', { tier: 'launcher' })).toBe(1);
    } finally {
      await gateway.close();
    }
  });
});

describe('labels stay bounded', () => {
  it('gives no label value to an unknown tool, a random path, a caller’s operation name or an id', async () => {
    const toolName = `invented_${randomBytes(4).toString('hex')}`;
    const randomPath = `/x-${randomBytes(4).toString('hex')}/${crypto.randomUUID()}`;
    const operationName = `Op${randomBytes(4).toString('hex')}`;
    const client = await connectMcp(stack.gateway.url, agent.token);
    try {
      await client.callTool({ name: toolName, arguments: {} }).catch(() => undefined);
    } finally {
      await client.close();
    }
    await rest(stack.gateway, 'GET', randomPath);
    await graphql(stack.gateway, `query ${operationName} { me { userId } }`, { token: stack.owner });
    await rest(stack.gateway, 'POST', `/api/v1/agents/${agent.agentId}/tokens`, { token: stack.owner, body: { name: 'metrics' } });

    const { text, samples } = await scrape();
    for (const value of [toolName, randomPath, randomPath.split('/')[1]!, operationName, agent.agentId]) expect(text).not.toContain(value);
    expect(valueOf(samples, 'gateway_request_duration_seconds_count', { surface: 'mcp', operation: 'unknown_tool' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'gateway_request_duration_seconds_count', { surface: 'unknown', operation: 'none' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'gateway_request_duration_seconds_count', { operation: '/api/v1/agents/:id/tokens', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
  });
});
