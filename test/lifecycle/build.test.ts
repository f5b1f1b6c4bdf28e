import { afterAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { tempDirs } from '../support/processes.js';
import { compiledGateway } from './support/build.js';
import { allGone, descendants, type GatewayProcess, isAlive, NO_TEST_CLOCK, spawnGateway } from './support/gateway-process.js';

/**
 * What production runs: `npm run build`, then `node dist/main.js` with no TypeScript loader, on this
 * project's database, with the reference Tasker compiled beside it.
 */
const temp = tempDirs();
let gateway: GatewayProcess | undefined;
/** The processes below the one started; any still alive after the test (it failed) are stopped. */
let below: { pid: number; args: string }[] = [];
let database: TestDatabase | undefined;
afterAll(async () => {
  await gateway?.stop();
  for (const row of below) if (isAlive(row.pid)) process.kill(row.pid, 'SIGTERM');
  await database?.drop();
  temp.removeAll();
}, NO_TEST_CLOCK.timeout);

it('the build runs with plain node: ready, no TypeScript loader anywhere; Ctrl-C stops it with exit 0, nothing left', NO_TEST_CLOCK, async () => {
  const dir = await compiledGateway();
  database = await createTestDatabase();
  const started = spawnGateway({
    launch: { kind: 'compiled', dir },
    cwd: temp.make('build-cwd-'),
    env: { DATA_DIR: temp.make('build-data-'), ...(database.url ? { DATABASE_URL: database.url } : {}) },
  });
  gateway = started;
  const url = await started.ready;

  const ready = await fetch(`${url}/readyz`);
  expect(ready.status).toBe(200);
  below = descendants(started.child.pid!);
  const tree = [{ pid: started.child.pid!, args: started.child.spawnargs.join(' ') }, ...below];
  expect(tree.some((row) => /reference-tasker\/main\.js/.test(row.args)), 'the compiled reference Tasker runs').toBe(true);
  expect(tree.filter((row) => /tsx|\.ts\b/.test(row.args))).toEqual([]);

  started.child.kill('SIGINT');
  expect(await started.exited).toEqual({ code: 0, signal: null });
  await allGone(below);
});
