import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { SPAWN_LIMIT, stopProcess, tempDirs, tsxEntry } from '../support/processes.js';

/**
 * The README's start command, as a new user runs it: no configuration, embedded database, the
 * reference Tasker started beside the gateway. Checked once (it does not depend on the project's
 * database kind).
 */
let child: ChildProcess | undefined;
const temp = tempDirs();
afterAll(async () => {
  // SIGTERM, so the gateway stops its reference Tasker child too; SIGKILL would orphan it.
  if (child) await stopProcess(child);
  temp.removeAll();
});

it.runIf(process.env.TEST_DATABASE !== 'postgres')('starts on PGlite with the reference Tasker, serves a request, and stops cleanly', async () => {
  const dataDir = temp.make('quick-start-');
  // Started from an empty folder, so a developer's .env in the checkout is not read.
  const workDir = temp.make('quick-start-cwd-');
  child = spawn(process.execPath, tsxEntry('src/main.ts'), {
    cwd: workDir,
    env: { PATH: process.env.PATH, PORT: '0', DATA_DIR: dataDir },
    ...SPAWN_LIMIT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    child!.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /"message":"gateway listening","url":"(http:\/\/[^"]+)"/.exec(log);
      if (match?.[1]) resolve(match[1]);
    });
    child!.once('exit', (code) => reject(new Error(`exited ${code}: ${log}`)));
  });
  expect(log).toContain(`embedded PGlite in ${dataDir}/pglite`);
  expect(log).toContain('TASKER_URL is not set: started the reference Tasker');

  const ready = await fetch(`${url}/readyz`);
  expect(ready.status).toBe(200);

  const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  // The reference Tasker child went with it: nothing answers at its address any more.
  const taskerUrl = /"taskerUrl":"(http:\/\/[^"]+)"/.exec(log)?.[1];
  expect(taskerUrl, 'the reference Tasker address in the log').toBeDefined();
  await expect(fetch(`${taskerUrl}/healthz`)).rejects.toThrow();
  expect(log).not.toMatch(/ndcag_|dev-secrets\.json.*[A-Za-z0-9_-]{40}/);
}, 60_000);
