import { afterAll, expect, it } from 'vitest';
import { tempDirs } from '../support/processes.js';
import { allGone, descendants, type GatewayProcess, isAlive, NO_TEST_CLOCK, spawnGateway } from '../lifecycle/support/gateway-process.js';

/**
 * The README's start command, `npm start`, as a new user runs it: no configuration, embedded
 * database, the reference Tasker started beside the gateway. The first start says what it is doing;
 * SIGTERM to npm (what a process manager sends) stops the whole tree. Checked once: it does not
 * depend on the project's database kind.
 */
const temp = tempDirs();
const dataDir = temp.make('quick-start-');
let gateway: GatewayProcess | undefined;
/** The processes below npm; any still alive after a failed test are stopped. */
let below: { pid: number; args: string }[] = [];
afterAll(async () => {
  await gateway?.stop();
  for (const row of below) if (isAlive(row.pid)) process.kill(row.pid, 'SIGTERM');
  temp.removeAll();
}, NO_TEST_CLOCK.timeout);

const onPglite = process.env.TEST_DATABASE !== 'postgres';
const start = () => {
  gateway = spawnGateway({ launch: { kind: 'npm', script: 'start' }, cwd: temp.make('quick-start-cwd-'), env: { DATA_DIR: dataDir } });
  return gateway;
};

it.runIf(onPglite)('first npm start: says each step, serves, and SIGTERM to npm leaves nothing behind', NO_TEST_CLOCK, async () => {
  const started = start();
  const url = await started.ready;
  expect(started.lines.filter((line) => line.level === 'info').map((line) => line.message)).toEqual([
    'first start: creating the embedded database (this takes a while once)',
    'database created',
    'migrations applied',
    'TASKER_URL is not set: starting the reference Tasker (development only) and seeding its demo workspace',
    'reference Tasker seeded and listening',
    'gateway listening',
  ]);
  expect(started.output()).toContain(`embedded PGlite in ${dataDir}/pglite`);
  expect((await fetch(`${url}/readyz`)).status).toBe(200);

  below = descendants(started.child.pid!);
  expect(below.some((row) => /src\/main\.ts/.test(row.args)), 'the gateway runs below npm').toBe(true);
  expect(below.some((row) => /reference-tasker\/main\.ts/.test(row.args)), 'the reference Tasker runs').toBe(true);
  started.child.kill('SIGTERM');
  expect(await started.exited).toEqual({ code: 0, signal: null });
  expect(started.lines.at(-1)?.message).toBe('stopped');
  await allGone(below);
  // The reference Tasker child went with it: nothing answers at its address any more.
  const taskerUrl = started.lines.find((line) => line.fields.taskerUrl)?.fields.taskerUrl;
  await expect(fetch(`${String(taskerUrl)}/healthz`)).rejects.toThrow();
  expect(started.output()).not.toMatch(/ndcag_|dev-secrets\.json.*[A-Za-z0-9_-]{40}/);
});

it.runIf(onPglite)('a second start on the same folder creates and seeds nothing', NO_TEST_CLOCK, async () => {
  const started = start();
  await started.ready;
  expect(started.lines.filter((line) => line.level === 'info').map((line) => line.message)).toEqual([
    'starting',
    'database ready: no migration to apply',
    'TASKER_URL is not set: starting the reference Tasker (development only)',
    'reference Tasker listening',
    'gateway listening',
  ]);
  expect(await started.stop()).toEqual({ code: 0, signal: null });
});
