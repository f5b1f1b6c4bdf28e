import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Tests that spawn programs or make folders clean up after themselves: every folder made here is
 * removed when the suite ends, and every process is stopped with SIGTERM (so a gateway can stop its
 * reference Tasker child and close its database) and waited for. SIGKILL is only the last resort
 * for a process that ignores SIGTERM for a long time, and the test then fails, saying so.
 */
const SIGTERM_PATIENCE_MS = 60_000;

/** A run-time limit of its own for a spawned program, so a hang fails the test instead of the run. */
export const SPAWN_LIMIT = { timeout: 180_000, killSignal: 'SIGTERM' } as const;

export interface TempDirs {
  make(prefix: string): string;
  removeAll(): void;
}

export function tempDirs(): TempDirs {
  const made: string[] = [];
  return {
    make(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    removeAll() {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Stops a child politely and waits for it; resolves with its exit code (null if it was signalled). */
export async function stopProcess(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const stubborn = new Promise<'stubborn'>((resolve) => {
    timer = setTimeout(() => resolve('stubborn'), SIGTERM_PATIENCE_MS);
  });
  const outcome = await Promise.race([exited, stubborn]);
  clearTimeout(timer);
  if (outcome === 'stubborn') {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`process ${child.pid} ignored SIGTERM for ${SIGTERM_PATIENCE_MS / 1000} s and was killed`);
  }
  return outcome;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Arguments that run a TypeScript entry of this checkout (e.g. `src/main.ts`) from any working
 * folder. Tests start programs from an empty folder so that a developer's `.env` is never read.
 */
export const tsxEntry = (entry: string): string[] => ['--import', join(ROOT, 'node_modules/tsx/dist/loader.mjs'), join(ROOT, entry)];

export interface ProgramRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a Node program to its end (this Node, the given arguments) with only the environment given
 * plus PATH, under SPAWN_LIMIT, and resolves with its exit code and everything it printed.
 */
export function runProgram(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<ProgramRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...SPAWN_LIMIT,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
