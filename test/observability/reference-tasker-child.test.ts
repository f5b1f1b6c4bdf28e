import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startReferenceTaskerProcess } from '../../src/dev/reference-tasker-process.js';
import { createLogger } from '../../src/logging/logger.js';
import { tempDirs } from '../support/processes.js';
import { NO_TEST_CLOCK } from '../lifecycle/support/gateway-process.js';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

it('logs at error when the reference Tasker child exits on its own', NO_TEST_CLOCK, async () => {
  const lines: string[] = [];
  let exited: () => void = () => {};
  const exitLogged = new Promise<void>((resolve) => (exited = resolve));
  const logger = createLogger('debug', (line) => {
    lines.push(line);
    if (line.includes('the reference Tasker exited')) exited();
  });
  const options = { signingSecret: randomBytes(32).toString('hex'), logger };

  const first = await startReferenceTaskerProcess({ ...options, dataDir: join(dirs.make('obs-ref-'), 'tasker') });
  process.kill(first.pid!, 'SIGKILL');
  await exitLogged;
  const line = JSON.parse(lines.find((candidate) => candidate.includes('the reference Tasker exited'))!) as Record<string, unknown>;
  expect(line).toMatchObject({ level: 'error', signal: 'SIGKILL' });
  await first.stop();

});
