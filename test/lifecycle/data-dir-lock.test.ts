import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { tempDirs } from '../support/processes.js';
import { compiledGateway } from './support/build.js';
import { allGone, descendants, type GatewayProcess, isAlive, NO_TEST_CLOCK, spawnGateway } from './support/gateway-process.js';

/**
 * One data folder, one gateway: a second gateway on the same DATA_DIR stops at once and names the
 * first; after kill -9 of the first, its reference Tasker child goes too (its stdin closed), and
 * the next start takes the stale lock over.
 */
const temp = tempDirs();
const started: GatewayProcess[] = [];
let below: { pid: number; args: string }[] = [];
let database: TestDatabase | undefined;
afterAll(async () => {
  for (const gateway of started) await gateway.stop();
  for (const row of below) if (isAlive(row.pid)) process.kill(row.pid, 'SIGTERM');
  await database?.drop();
  temp.removeAll();
}, NO_TEST_CLOCK.timeout);

it('a second gateway on the same folder stops naming the first; kill -9 leaves no child and a lock the next start recovers', NO_TEST_CLOCK, async () => {
  const dir = await compiledGateway();
  database = await createTestDatabase();
  const dataDir = temp.make('lock-data-');
  const start = () => {
    const gateway = spawnGateway({
      launch: { kind: 'compiled', dir },
      cwd: temp.make('lock-cwd-'),
      env: { DATA_DIR: dataDir, ...(database?.url ? { DATABASE_URL: database.url } : {}) },
    });
    started.push(gateway);
    return gateway;
  };

  const first = start();
  const firstUrl = await first.ready;
  const second = start();
  expect(await second.exited).toEqual({ code: 1, signal: null });
  expect(second.output()).toContain(`DATA_DIR ${dataDir} is in use by another gateway: pid ${first.child.pid} at ${firstUrl}`);
  // It stopped before touching anything: no database opened, no reference Tasker started.
  expect(second.lines).toEqual([]);
  expect((await fetch(`${firstUrl}/readyz`)).status).toBe(200);

  below = descendants(first.child.pid!);
  const child = below.filter((row) => /reference-tasker\/main\.js/.test(row.args));
  expect(child).toHaveLength(1);
  first.child.kill('SIGKILL');
  expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
  await allGone(child);
  expect(JSON.parse(readFileSync(join(dataDir, 'gateway.lock'), 'utf8'))).toMatchObject({ pid: first.child.pid });

  const third = start();
  await third.ready;
  const recovered = third.lines.find((line) => line.message.startsWith('recovered the data folder lock'));
  expect(recovered?.fields).toMatchObject({ previousPid: first.child.pid });
  expect(await third.stop()).toEqual({ code: 0, signal: null });
  expect(existsSync(join(dataDir, 'gateway.lock'))).toBe(false);
});
