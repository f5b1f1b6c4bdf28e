import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_IDENTITY } from '../../src/tasker/client.js';
import { rest } from '../support/gateway.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { until } from '../support/wait.js';

/**
 * The background Tasker probe: /readyz, the metrics and the log know Tasker's state before any agent
 * calls. Tasker going away and coming back is the fault proxy (a real loopback hop) resetting every
 * connection, then passing traffic again. No agent calls in this file: whatever the gateway knows of
 * Tasker, it learnt from its probe.
 */
interface Readiness {
  status: string;
  checks: { database: string; tasker: { status: string; lastSuccessAt: string | null; lastError: { code: string; status: number | null } | null } };
}

const METRICS_TOKEN = randomBytes(24).toString('hex');
const logLines: string[] = [];
let stack: TestStack;

beforeAll(async () => {
  // The shortest interval the configuration allows, so the test sees several probes quickly.
  stack = await startTestStack({ TASKER_PROBE_INTERVAL_SECONDS: '1', METRICS_TOKEN }, { logLines });
  // Two embedded databases start here; on a busy machine that alone can pass the default hook limit.
}, 300_000);
afterAll(() => stack.close());

const readiness = () => rest<Readiness>(stack.gateway, 'GET', '/readyz');
const taskerStatus = async () => (await readiness()).body.checks.tasker.status;
const probes = () => stack.proxy.requests.filter((request) => request.caller.agentId === PROBE_IDENTITY);
const parsed = () => logLines.map((line) => JSON.parse(line) as { level: string; message: string } & Record<string, unknown>);
const linesSaying = (start: string) => parsed().filter((line) => line.message.startsWith(start));

async function reachabilityMetric(): Promise<Record<string, number>> {
  const response = await fetch(`${stack.gateway.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const text = await response.text();
  return Object.fromEntries([...text.matchAll(/^gateway_tasker_reachability\{status="(\w+)"\} (\d+)$/gm)].map((match) => [match[1]!, Number(match[2])]));
}

describe('the Tasker probe', () => {
  it('knows Tasker is reachable before any agent call, with a signed read in no agent’s name', async () => {
    await until(async () => (await taskerStatus()) === 'reachable', 'readiness reports Tasker reachable');
    const ready = await readiness();
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', checks: { database: 'ok', tasker: { status: 'reachable', lastError: null } } } });
    expect(ready.body.checks.tasker.lastSuccessAt).not.toBeNull();
    expect(await reachabilityMetric()).toEqual({ unknown: 0, reachable: 1, unreachable: 0, rejected: 0, unconfigured: 0 });

    // Every request Tasker saw was the probe: signed, for an owner Tasker does not know, reading nothing.
    expect(stack.proxy.requests.length).toBeGreaterThan(0);
    for (const request of stack.proxy.requests) {
      expect(request).toMatchObject({ method: 'GET', path: '/api/internal/nodedc/agent/projects/00000000-0000-0000-0000-000000000000' });
      expect(request.caller).toEqual({ agentId: PROBE_IDENTITY, ownerUserId: PROBE_IDENTITY });
      expect(request.headers['x-nodedc-signature']).toMatch(/^v2=[0-9a-f]{64}$/);
    }
  });

  it('sees Tasker go away and come back: readiness stays 200, the log says each change once, not each probe', async () => {
    await until(async () => (await taskerStatus()) === 'reachable', 'Tasker reachable at first');
    logLines.length = 0;
    stack.proxy.reset();
    stack.proxy.inject({ kind: 'reset' });

    await until(async () => (await taskerStatus()) === 'unreachable', 'readiness reports Tasker unreachable', 60_000);
    // Several probes into the outage: still one line about it.
    await until(() => probes().length >= 3, 'three probes during the outage', 60_000);
    const down = await readiness();
    expect(down).toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { database: 'ok', tasker: { status: 'unreachable', lastError: { code: 'TASKER_UNAVAILABLE', status: null } } } },
    });
    expect(await reachabilityMetric()).toMatchObject({ reachable: 0, unreachable: 1 });
    expect(linesSaying('Tasker is not answering')).toEqual([expect.objectContaining({ level: 'warn', operation: 'probe', code: 'TASKER_UNAVAILABLE' })]);
    expect(linesSaying('Tasker call failed')).toEqual([]);

    const seenDuringOutage = probes().length;
    stack.proxy.reset();
    await until(async () => (await taskerStatus()) === 'reachable', 'readiness reports Tasker reachable again', 60_000);
    await until(() => probes().length >= 2, 'two probes after the recovery', 60_000);
    expect(seenDuringOutage).toBeGreaterThanOrEqual(3);
    expect(linesSaying('Tasker answers again')).toEqual([expect.objectContaining({ level: 'info', operation: 'probe', status: 403 })]);
    expect(linesSaying('Tasker is not answering')).toHaveLength(1);
    expect(await reachabilityMetric()).toMatchObject({ reachable: 1, unreachable: 0 });
    // A probe is never logged in itself, at any level but debug.
    expect(parsed().filter((line) => line.level !== 'debug' && line.operation === 'probe')).toHaveLength(2);
  });

  it('says once that Tasker refuses the gateway’s signature, and reports it as rejected', async () => {
    await until(async () => (await taskerStatus()) === 'reachable', 'Tasker reachable at first');
    logLines.length = 0;
    stack.proxy.reset();
    stack.proxy.inject({ kind: 'status', status: 401 });
    await until(async () => (await taskerStatus()) === 'rejected', 'readiness reports the signature refused', 60_000);
    await until(() => probes().length >= 3, 'three probes refused', 60_000);
    expect((await readiness()).status).toBe(200);
    expect(linesSaying('Tasker refused the gateway’s signature')).toEqual([expect.objectContaining({ level: 'error', operation: 'probe', status: 401 })]);
    stack.proxy.reset();
    await until(async () => (await taskerStatus()) === 'reachable', 'Tasker reachable again', 60_000);
  });
});
