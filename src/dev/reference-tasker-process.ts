import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../logging/logger.js';

/**
 * Development only: runs the reference Tasker (reference-tasker/, a separate program) as a child
 * process on loopback, so `npm start` without TASKER_URL shows the whole flow. The gateway still
 * reaches it only over HTTP, exactly as it reaches the real Tasker.
 */
export interface ReferenceTaskerProcess {
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/**
 * Run from source (tsx) the child is TypeScript too; run from the build (`node dist/main.js`) this
 * file is JavaScript and so is the reference Tasker beside it in dist/: no TypeScript loader.
 */
const COMPILED = import.meta.url.endsWith('.js');
const CHILD_ARGS = COMPILED
  ? [join(ROOT, 'reference-tasker', 'main.js')]
  : ['--import', 'tsx', join(ROOT, 'reference-tasker', 'main.ts')];
const READY_LINE = /reference Tasker listening on (http:\/\/\S+)/;

export async function startReferenceTaskerProcess(options: {
  signingSecret: string;
  signingKeyId?: string | undefined;
  /** During a rotation the reference Tasker accepts the old secret too, as a real Tasker would. */
  previousSigningKey?: { id: string | undefined; secret: string } | undefined;
  dataDir: string;
  logger: Logger;
  port?: number;
}): Promise<ReferenceTaskerProcess> {
  const child: ChildProcess = spawn(process.execPath, CHILD_ARGS, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      // The secret travels in the environment, never on a command line others can read.
      TASKER_SIGNING_SECRET: options.signingSecret,
      ...(options.signingKeyId ? { TASKER_SIGNING_KEY_ID: options.signingKeyId } : {}),
      ...(options.previousSigningKey ? { TASKER_SIGNING_SECRET_PREVIOUS: options.previousSigningKey.secret } : {}),
      ...(options.previousSigningKey?.id ? { TASKER_SIGNING_KEY_ID_PREVIOUS: options.previousSigningKey.id } : {}),
      REFERENCE_TASKER_PORT: String(options.port ?? 0),
      REFERENCE_TASKER_HOST: '127.0.0.1',
      REFERENCE_TASKER_DATA_DIR: options.dataDir,
      REFERENCE_TASKER_EXIT_WITH_STDIN: '1',
    },
    // stdin is the lifeline: it closes when this process ends, however it ends (REFERENCE_TASKER_EXIT_WITH_STDIN).
    stdio: ['pipe', 'pipe', 'pipe'],
  });

  // A polite stop on an ordinary exit; the closed stdin covers the rest.
  const killChild = () => child.kill('SIGTERM');
  process.once('exit', killChild);

  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = READY_LINE.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => options.logger.warn('reference Tasker', { output: chunk.toString().trim() }));
    child.once('exit', (code) => reject(new Error(`the reference Tasker exited before it was ready (exit code ${code})`)));
    child.once('error', reject);
  });
  child.stdout?.removeAllListeners('data');
  child.stdout?.resume();
  let stopping = false;
  // Nothing else would tell: the gateway keeps answering, and every agent call fails TASKER_UNAVAILABLE.
  child.once('exit', (exitCode, signal) => {
    if (!stopping) options.logger.error('the reference Tasker exited; agent calls fail until the gateway restarts', { exitCode, signal });
  });

  return {
    url,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        process.off('exit', killChild);
        // A child killed by a signal has no exit code, only a signal code; either way it is gone.
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
