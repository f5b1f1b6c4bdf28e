import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runOperation } from '../support/gateway.js';
import { DEMO, startTestStack, type TestStack } from '../support/stack.js';

/**
 * W3C Trace Context through the gateway: the trace a caller sends reaches Tasker (through a real
 * HTTP hop, the fault proxy) with a span id of the gateway's own on every call and every retry.
 */
const logLines: string[] = [];
let stack: TestStack;
let agent: { agentId: string; token: string; tokenId: string };

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

beforeAll(async () => {
  stack = await startTestStack({}, { logLines });
  agent = await stack.agentWith({ [DEMO.id]: ['PROJECTS_READ', 'ISSUES_READ'] });
});
afterAll(() => stack.close());
beforeEach(() => {
  logLines.length = 0;
  stack.proxy.reset();
});

const listIssues = (headers: Record<string, string> = {}) =>
  runOperation(stack.gateway, 'ListIssues', { token: agent.token, variables: { projectId: DEMO.id }, headers });

const forwarded = () =>
  stack.proxy.requests.map((request) => {
    const match = TRACEPARENT.exec(String(request.headers.traceparent ?? ''));
    expect(match, `traceparent on ${request.method} ${request.path}`).not.toBeNull();
    return { traceId: match![1]!, spanId: match![2]!, flags: match![3]!, tracestate: request.headers.tracestate };
  });

describe('trace context', () => {
  it('carries the caller’s trace id to Tasker with a new span id, its sampled flag and its tracestate', async () => {
    const result = await listIssues({ traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01`, tracestate: 'vendor=abc,other=1' });
    expect(result.status).toBe(200);
    const calls = forwarded();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ traceId: TRACE_ID, flags: '01', tracestate: 'vendor=abc,other=1' });
    expect(calls[0]!.spanId).not.toBe(CALLER_SPAN);
    const access = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.message === 'request');
    expect(access).toMatchObject({ traceId: TRACE_ID });
  });

  it('gives every retry a span id of its own within the same trace', async () => {
    stack.proxy.inject({ kind: 'status', status: 503 }, 1);
    expect((await listIssues({ traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-00` })).status).toBe(200);
    const calls = forwarded();
    expect(calls).toHaveLength(2);
    expect(calls.map((call) => call.traceId)).toEqual([TRACE_ID, TRACE_ID]);
    expect(new Set([CALLER_SPAN, ...calls.map((call) => call.spanId)]).size).toBe(3);
  });

  it('starts a trace of its own when the caller sent none or a malformed one', async () => {
    for (const traceparent of [undefined, 'garbage', `00-${'0'.repeat(32)}-${CALLER_SPAN}-01`, `ff-${TRACE_ID}-${CALLER_SPAN}-01`]) {
      stack.proxy.reset();
      logLines.length = 0;
      await listIssues(traceparent === undefined ? {} : { traceparent, tracestate: 'vendor=abc' });
      const [call] = forwarded();
      expect(call!.traceId).not.toBe(TRACE_ID);
      expect(call!.traceId).not.toBe('0'.repeat(32));
      // A tracestate belongs to the trace it came with; a new trace starts without one.
      expect(call!.tracestate).toBeUndefined();
      const access = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.message === 'request');
      expect(access?.traceId).toBe(call!.traceId);
    }
  });
});
