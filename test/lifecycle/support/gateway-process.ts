import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { TempDirs } from '../../support/processes.js';
import { ROOT } from './build.js';

/**
 * Starts the gateway as an operator would (`node dist/main.js`, `npm start`, `npm run start:prod`,
 * or straight from source) and follows its log. Readiness is its "gateway listening" line, never a
 * clock. TEST_NODE names another Node binary to run it with (.ci/run uses it for Node 24).
 */
export const TEST_NODE = process.env.TEST_NODE ?? process.execPath;

/**
 * Tests that spawn programs have no clock of their own (vitest's timeout 0): they wait on readiness
 * signals. A hang still ends: HANG_GUARD_MS after its start a spawned gateway and everything below it
 * are killed, its exit fails the wait, and the failure shows its output. The guard is a backstop far
 * beyond any start on a loaded machine, not a speed expectation.
 */
export const NO_TEST_CLOCK = { timeout: 0 } as const;
const HANG_GUARD_MS = 600_000;

export type Launch =
  | { kind: 'compiled'; dir: string }
  | { kind: 'source' }
  | { kind: 'npm'; script: 'start' | 'start:prod' };

export interface LogLine {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

export interface GatewayProcess {
  child: ChildProcess;
  /** Resolves with the gateway's URL once it listens; rejects with its output if it exits first. */
  ready: Promise<string>;
  url: string;
  lines: LogLine[];
  /** Everything written to stderr (what does not parse as a log line too). */
  output(): string;
  /** Resolves with the first line (already logged or still to come) that matches. */
  waitFor(predicate: (line: LogLine) => boolean, what: string): Promise<LogLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (if still running), then waits for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function commandFor(launch: Launch): { command: string; args: string[]; cwd: string | undefined } {
  switch (launch.kind) {
    case 'compiled':
      return { command: TEST_NODE, args: [join(launch.dir, 'main.js')], cwd: undefined };
    case 'source':
      return { command: TEST_NODE, args: ['--import', join(ROOT, 'node_modules/tsx/dist/loader.mjs'), join(ROOT, 'src/main.ts')], cwd: undefined };
    case 'npm':
      // npm runs a script in the package folder, whatever the working folder.
      return { command: 'npm', args: ['run', '--silent', launch.script], cwd: ROOT };
  }
}

/**
 * Variables a developer's `.env` in the checkout might set, blanked: npm runs scripts in the
 * checkout, where main.ts reads `.env`, and a variable already present (even empty) wins over it.
 */
const BLANK_DOTENV = Object.fromEntries(
  ['NODE_ENV', 'HOST', 'DATABASE_URL', 'TASKER_URL', 'TASKER_SIGNING_SECRET', 'LAUNCHER_JWT_SECRET', 'LOG_LEVEL'].map((name) => [name, '']),
);

function parse(raw: string): LogLine | undefined {
  try {
    const value = JSON.parse(raw) as Record<string, unknown>;
    const message = value.message ?? value.msg;
    if (typeof message !== 'string') return undefined;
    return { level: String(value.level), message, fields: value };
  } catch {
    return undefined;
  }
}

/** Spawns the gateway and resolves once it listens; rejects with its output if it exits first. */
export function spawnGateway(options: { launch: Launch; env: Record<string, string>; cwd: string }): GatewayProcess {
  const { command, args, cwd } = commandFor(options.launch);
  const child = spawn(command, args, {
    cwd: cwd ?? options.cwd,
    env: { PATH: `${dirname(TEST_NODE)}:${process.env.PATH ?? ''}`, ...BLANK_DOTENV, PORT: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let pending = '';
  const lines: LogLine[] = [];
  const waiters: { predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const guard = setTimeout(() => {
    for (const row of descendants(child.pid!)) process.kill(row.pid, 'SIGKILL');
    child.kill('SIGKILL');
  }, HANG_GUARD_MS);
  guard.unref();
  void exited.then(() => clearTimeout(guard));
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    pending += chunk.toString();
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const raw of complete) {
      const line = parse(raw);
      if (!line) continue;
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (!waiter.predicate(line)) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  child.stderr.on('data', onData);
  child.stdout.on('data', onData);
  const waitFor = (predicate: (line: LogLine) => boolean, what: string) =>
    new Promise<LogLine>((resolve, reject) => {
      const seen = lines.find(predicate);
      if (seen) return resolve(seen);
      waiters.push({ predicate, resolve });
      void exited.then(({ code, signal }) => reject(new Error(`the gateway exited (${code ?? signal}) before logging ${what}:\n${output}`)));
    });
  const state: GatewayProcess = {
    child,
    url: '',
    lines,
    output: () => output,
    waitFor,
    exited,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    ready: waitFor((line) => line.message === 'gateway listening', '"gateway listening"').then((line) => {
      state.url = String(line.fields.url);
      return state.url;
    }),
  };
  // A test that expects an early exit need not await readiness.
  state.ready.catch(() => undefined);
  return state;
}

/** Every process below `pid` now (children, grandchildren, …), with its command line. */
export function descendants(pid: number): { pid: number; args: string }[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((row) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(row))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ pid: Number(match[1]), ppid: Number(match[2]), args: match[3] ?? '' }));
  const found: { pid: number; args: string }[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const row of table) {
      if (row.ppid !== parent) continue;
      found.push({ pid: row.pid, args: row.args });
      queue.push(row.pid);
    }
  }
  return found;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves once none of `pids` is alive. An orphan would live on for good, so the wait is bounded:
 * past `patienceMs` the survivors are killed and named in the failure.
 */
export async function allGone(pids: { pid: number; args: string }[], patienceMs = 30_000): Promise<void> {
  const giveUpAt = Date.now() + patienceMs;
  for (;;) {
    const alive = pids.filter((row) => isAlive(row.pid));
    if (alive.length === 0) return;
    if (Date.now() > giveUpAt) {
      for (const row of alive) process.kill(row.pid, 'SIGKILL');
      throw new Error(`left behind:\n${alive.map((row) => `  ${row.pid} ${row.args}`).join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * One replica of a gateway fleet: a gateway process from the sources on a shared PostgreSQL database,
 * with no reachable Tasker and its own secrets (the fleet tests call only what needs neither), and a
 * network rate limit of `networkPerMinute` calls a minute. `env` adds to or overrides the rest.
 */
export function spawnReplica(options: { databaseUrl: string; temp: TempDirs; networkPerMinute: number; env?: Record<string, string> }): GatewayProcess {
  return spawnGateway({
    launch: { kind: 'source' },
    cwd: options.temp.make('replica-cwd-'),
    env: {
      NODE_ENV: 'test',
      DATA_DIR: options.temp.make('replica-'),
      DATABASE_URL: options.databaseUrl,
      TASKER_URL: 'http://127.0.0.1:9',
      TASKER_SIGNING_SECRET: randomBytes(32).toString('hex'),
      LAUNCHER_JWT_SECRET: randomBytes(32).toString('hex'),
      RATE_LIMIT_NETWORK_PER_MINUTE: String(options.networkPerMinute),
      ...options.env,
    },
  });
}
