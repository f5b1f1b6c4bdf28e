import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runOperation } from '../support/gateway.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../support/otlp-receiver.js';
import { DEMO, startTestStack, type TestStack } from '../support/stack.js';
import { until } from '../support/wait.js';

/**
 * OpenTelemetry export, configured by OTEL_EXPORTER_OTLP_ENDPOINT: the spans reach a real OTLP/HTTP
 * receiver on loopback, and they are the very spans whose ids the gateway sent on: the caller's
 * span → the gateway's request span → one span per Tasker attempt, whose id Tasker received in its
 * traceparent (through the fault proxy, a real HTTP hop). The exporter batches; the test waits for
 * the spans to arrive, on no clock of its own.
 */
let receiver: OtlpReceiver;
let stack: TestStack;
let agent: { agentId: string; token: string; tokenId: string };

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;
const CALLER_SPAN = '00f067aa0ba902b7';
const newTraceId = () => crypto.randomUUID().replaceAll('-', '');
/** Every attribute a span may carry: bounded facts, never an id, a path, a header or a body. */
const ALLOWED_ATTRIBUTES = new Set([
  'http.request.method',
  'http.route',
  'http.response.status_code',
  'url.template',
  'gateway.surface',
  'gateway.operation',
  'gateway.principal',
  'gateway.tasker.attempt',
  'gateway.tasker.outcome',
]);

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  stack = await startTestStack({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'gateway-under-test' });
  agent = await stack.agentWith({ [DEMO.id]: ['PROJECTS_READ', 'ISSUES_READ'] });
  // Two embedded databases start here; on a busy machine that alone can pass the default hook limit.
}, 300_000);
afterAll(async () => {
  await stack.close();
  await receiver.close();
});
beforeEach(() => stack.proxy.reset());

const listIssues = (traceparent: string) =>
  runOperation(stack.gateway, 'ListIssues', { token: agent.token, variables: { projectId: DEMO.id }, headers: { traceparent } });
const spansOf = (traceId: string) => receiver.spans.filter((span) => span.traceId === traceId);
const traceparentsSentToTasker = () => stack.proxy.requests.map((request) => String(request.headers.traceparent));

async function exportedTrace(traceId: string, count: number): Promise<{ server: ReceivedSpan; clients: ReceivedSpan[] }> {
  await until(() => spansOf(traceId).length >= count, `${count} spans of trace ${traceId} exported`, 60_000);
  const spans = spansOf(traceId);
  expect(spans).toHaveLength(count);
  const server = spans.find((span) => span.kind === SERVER)!;
  return { server, clients: spans.filter((span) => span.kind === CLIENT) };
}

describe('OpenTelemetry export', () => {
  it('exports the request span as a child of the caller’s, and the Tasker call as its child with the span id Tasker received', async () => {
    const traceId = newTraceId();
    expect((await listIssues(`00-${traceId}-${CALLER_SPAN}-01`)).status).toBe(200);
    const { server, clients } = await exportedTrace(traceId, 2);

    expect(server).toMatchObject({
      parentSpanId: CALLER_SPAN,
      name: 'POST /graphql',
      attributes: {
        'http.request.method': 'POST',
        'http.route': '/graphql',
        'http.response.status_code': 200,
        'gateway.surface': 'graphql',
        'gateway.operation': 'ListIssues',
        'gateway.principal': 'agent',
      },
      resource: { 'service.name': 'gateway-under-test' },
    });
    expect(clients).toHaveLength(1);
    expect(clients[0]).toMatchObject({
      parentSpanId: server.spanId,
      name: 'GET /issues',
      attributes: { 'url.template': 'GET /issues', 'gateway.tasker.attempt': 1, 'gateway.tasker.outcome': 'ok', 'http.response.status_code': 200 },
    });
    expect(clients[0]!.status.code).not.toBe(ERROR);
    // The Tasker call's span is the parent Tasker was told of: a collector joins Tasker's spans to it.
    expect(traceparentsSentToTasker()).toEqual([`00-${traceId}-${clients[0]!.spanId}-01`]);
  });

  it('gives each retry its own span, the failed one marked as an error, both children of the request span', async () => {
    const traceId = newTraceId();
    stack.proxy.inject({ kind: 'status', status: 503 }, 1);
    expect((await listIssues(`00-${traceId}-${CALLER_SPAN}-01`)).status).toBe(200);
    const { server, clients } = await exportedTrace(traceId, 3);
    const byAttempt = clients.sort((a, b) => Number(a.attributes['gateway.tasker.attempt']) - Number(b.attributes['gateway.tasker.attempt']));
    expect(byAttempt.map((span) => span.parentSpanId)).toEqual([server.spanId, server.spanId]);
    expect(byAttempt[0]).toMatchObject({ status: { code: ERROR, message: 'TASKER_UNAVAILABLE' }, attributes: { 'http.response.status_code': 503, 'gateway.tasker.outcome': 'TASKER_UNAVAILABLE' } });
    expect(byAttempt[1]).toMatchObject({ attributes: { 'gateway.tasker.attempt': 2, 'gateway.tasker.outcome': 'ok' } });
    expect(traceparentsSentToTasker()).toEqual(byAttempt.map((span) => `00-${traceId}-${span.spanId}-01`));
  });

  it('starts a trace of its own without a traceparent, and exports nothing the caller did not sample, nor the health checks', async () => {
    const unsampled = newTraceId();
    expect((await listIssues(`00-${unsampled}-${CALLER_SPAN}-00`)).status).toBe(200);
    expect(traceparentsSentToTasker()[0]).toMatch(new RegExp(`^00-${unsampled}-[0-9a-f]{16}-00$`));
    await fetch(`${stack.gateway.url}/readyz`);
    await fetch(`${stack.gateway.url}/healthz`);

    stack.proxy.reset();
    const own = await runOperation(stack.gateway, 'ListIssues', { token: agent.token, variables: { projectId: DEMO.id } });
    expect(own.status).toBe(200);
    const [sent] = traceparentsSentToTasker();
    const [, ownTraceId, , flags] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(sent!)!;
    expect(flags).toBe('01');
    const { server } = await exportedTrace(ownTraceId!, 2);
    expect(server.parentSpanId).toBe('');

    // The exporter sends spans in the order they end: the ones above were never exported.
    expect(spansOf(unsampled)).toEqual([]);
    expect(receiver.spans.filter((span) => /healthz|readyz/.test(JSON.stringify(span)))).toEqual([]);
  });

  it('carries only bounded attributes: no token, no id, no path, no input', async () => {
    const traceId = newTraceId();
    await listIssues(`00-${traceId}-${CALLER_SPAN}-01`);
    await exportedTrace(traceId, 2);
    for (const span of receiver.spans) for (const key of Object.keys(span.attributes)) expect(ALLOWED_ATTRIBUTES, key).toContain(key);
    const everything = receiver.bodies.join('\n');
    expect(everything).not.toContain(agent.token);
    expect(everything).not.toContain(agent.token.slice(6, 30));
    expect(everything).not.toContain(agent.agentId);
    expect(everything).not.toContain(DEMO.id);
    expect(receiver.refused).toEqual([]);
  });
});
