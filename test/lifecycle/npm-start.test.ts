import { afterAll, expect, it } from 'vitest';
import { tempDirs } from '../support/processes.js';
import { allGone, descendants, type GatewayProcess, isAlive, NO_TEST_CLOCK, spawnGateway } from './support/gateway-process.js';

/**
 * `npm start` as a process manager sees it: SIGTERM goes to npm, the gateway below it drains and
 * stops its reference Tasker, and nothing of the tree (npm, node, the reference Tasker, tsx's
 * esbuild service) is left. Checked once: the process tree does not depend on the database kind.
 */
const temp = tempDirs();
let gateway: GatewayProcess | undefined;
/** The processes below the one started; any still alive after the test (it failed) are stopped. */
let below: { pid: number; args: string }[] = [];
afterAll(async () => {
  await gateway?.stop();
  for (const row of below) if (isAlive(row.pid)) process.kill(row.pid, 'SIGTERM');
  temp.removeAll();
}, NO_TEST_CLOCK.timeout);

it.runIf(process.env.TEST_DATABASE !== 'postgres')('npm start: SIGTERM to npm stops the gateway and its child, nothing left', NO_TEST_CLOCK, async () => {
  const started = spawnGateway({ launch: { kind: 'npm', script: 'start' }, cwd: temp.make('npm-start-cwd-'), env: { DATA_DIR: temp.make('npm-start-data-') } });
  gateway = started;
  const url = await started.ready;
  expect((await fetch(`${url}/readyz`)).status).toBe(200);
  below = descendants(started.child.pid!);
  expect(below.some((row) => /src\/main\.ts/.test(row.args)), 'the gateway runs below npm').toBe(true);
  expect(below.some((row) => /reference-tasker\/main\.ts/.test(row.args)), 'the reference Tasker runs').toBe(true);

  started.child.kill('SIGTERM');
  expect(await started.exited).toEqual({ code: 0, signal: null });
  expect(started.lines.map((line) => line.message)).toContain('stopped');
  await allGone(below);
});
