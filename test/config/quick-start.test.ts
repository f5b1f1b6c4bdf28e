import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

/**
 * The README's start command, as a new user runs it: no configuration, embedded database, the
 * reference Tasker started beside the gateway. Checked once (it does not depend on the project's
 * database kind).
 */
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
});

it.runIf(process.env.TEST_DATABASE !== 'postgres')('starts on PGlite with the reference Tasker, serves a request, and stops cleanly', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'quick-start-'));
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH, PORT: '0', DATA_DIR: dataDir },
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
  expect(log).not.toMatch(/ndcag_|dev-secrets\.json.*[A-Za-z0-9_-]{40}/);
}, 60_000);
