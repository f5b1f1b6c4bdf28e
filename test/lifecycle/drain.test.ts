import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_IDS, type ReferenceTasker, startReferenceTasker } from '../../reference-tasker/index.js';
import { mintLauncherJwt } from '../../src/auth/launcher-jwt.js';
import { createTestDatabase, taskerStorage, type TestDatabase } from '../support/database.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { createAgent, createToken, setGrant } from '../support/fixtures.js';
import { runOperation } from '../support/gateway.js';
import { tempDirs } from '../support/processes.js';
import { compiledGateway } from './support/build.js';
import { type GatewayProcess, NO_TEST_CLOCK, spawnGateway } from './support/gateway-process.js';

/**
 * SIGTERM while an agent's call waits on a slow Tasker: the gateway process (the production build)
 * stops taking connections, lets the call finish, answers it completely, and exits 0.
 */
const temp = tempDirs();
const signingSecret = randomBytes(32).toString('hex');
const launcherSecret = randomBytes(32).toString('hex');
let database: TestDatabase;
let tasker: ReferenceTasker;
let proxy: FaultProxy;
let gateway: GatewayProcess | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  tasker = await startReferenceTasker({ signingSecret, ...taskerStorage(database) });
  proxy = await startFaultProxy(tasker.url, { signingSecret });
}, NO_TEST_CLOCK.timeout);

afterAll(async () => {
  await gateway?.stop();
  await proxy?.close();
  await tasker?.close();
  await database?.drop();
  temp.removeAll();
}, NO_TEST_CLOCK.timeout);

it('finishes the call in progress after SIGTERM, refuses new connections, exits 0', NO_TEST_CLOCK, async () => {
  const started = spawnGateway({
    launch: { kind: 'compiled', dir: await compiledGateway() },
    cwd: temp.make('drain-cwd-'),
    env: {
      DATA_DIR: temp.make('drain-data-'),
      TASKER_URL: proxy.url,
      TASKER_SIGNING_SECRET: signingSecret,
      LAUNCHER_JWT_SECRET: launcherSecret,
      // The Tasker call below is slow on purpose; no per-attempt timeout may cut it.
      TASKER_TIMEOUT_MS: '120000',
      TASKER_MAX_RETRIES: '0',
      SHUTDOWN_GRACE_SECONDS: '3600',
      ...(database.url ? { DATABASE_URL: database.url } : {}),
    },
  });
  gateway = started;
  const url = await started.ready;
  const owner = await mintLauncherJwt(launcherSecret, { sub: 'local-user', email: 'local@example.test', role: 'user' }, { audience: 'nodedc-tasker-agent-gateway' });
  const agentId = await createAgent({ url }, owner);
  await setGrant({ url }, owner, agentId, DEMO_IDS.projects.DEMO.id, ['PROJECTS_READ', 'ISSUES_READ']);
  const { secret } = await createToken({ url }, owner, agentId);

  // Tasker answers the list only when the test says so.
  let reached!: () => void;
  let release!: () => void;
  const arrived = new Promise<void>((resolve) => (reached = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  proxy.inject({
    kind: 'respond',
    when: (request) => request.method === 'GET' && request.path.includes('/issues'),
    answer: async (request, read) => {
      reached();
      await released;
      return { status: 200, body: await read(request.path) };
    },
  });
  const call = runOperation<{ issues: { nodes: { key: string }[] } }>({ url }, 'ListIssues', {
    token: secret,
    variables: { projectId: DEMO_IDS.projects.DEMO.id },
  });
  await arrived;

  started.child.kill('SIGTERM');
  await started.waitFor((line) => line.message.startsWith('draining'), 'the drain');
  await expect(fetch(`${url}/readyz`)).rejects.toThrow();
  release();

  const result = await call;
  expect(result.errors).toBeUndefined();
  expect(result.data?.issues.nodes.length).toBeGreaterThan(0);
  expect(await started.exited).toEqual({ code: 0, signal: null });
  const messages = started.lines.map((line) => line.message);
  expect(messages).toContain('drained: every request answered');
  expect(messages.at(-1)).toBe('stopped');
});

it('with SHUTDOWN_READINESS_DELAY_SECONDS, SIGTERM turns readiness 503 at once while new connections are still served', NO_TEST_CLOCK, async () => {
  const started = spawnGateway({
    launch: { kind: 'compiled', dir: await compiledGateway() },
    cwd: temp.make('drain-delay-cwd-'),
    env: {
      DATA_DIR: temp.make('drain-delay-data-'),
      TASKER_URL: proxy.url,
      TASKER_SIGNING_SECRET: signingSecret,
      LAUNCHER_JWT_SECRET: launcherSecret,
      // Longer than any test: the delay must still be running when the test probes.
      SHUTDOWN_READINESS_DELAY_SECONDS: '3600',
      ...(database.url ? { DATABASE_URL: database.url } : {}),
    },
  });
  try {
    const url = await started.ready;
    started.child.kill('SIGTERM');
    const draining = await started.waitFor((line) => line.message.startsWith('draining'), 'the drain');
    expect(draining.fields).toMatchObject({ readinessDelaySeconds: 3600 });
    // Each on a new connection: the listener still accepts, readiness says no, the rest is served.
    const readiness = await fetch(`${url}/readyz`);
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toEqual({ status: 'draining', checks: {} });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(started.lines.some((line) => line.message.startsWith('readiness delay over'))).toBe(false);
  } finally {
    // The delay has an hour to run; this test has seen what it needed.
    started.child.kill('SIGKILL');
    await started.exited;
  }
});
