import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * How the benchmark talks to the processes it measures: each runs in its own Node process (so its
 * CPU time is its own), announces its URL once listening, and answers `stats` requests over the
 * IPC channel with its own `process.cpuUsage()`, RSS and, where it has a database, the number of
 * statements it has sent so far.
 */
export interface ProcessStats {
  /** CPU time of the whole process (all threads, user + system), in microseconds. */
  cpuMicros: number;
  rssBytes: number;
  /** Database statements sent so far (begin/commit included); null where there is no database. */
  statements: number | null;
}

type ChildMessage = { type: 'ready'; url: string } | { type: 'stats'; id: number; stats: ProcessStats } | { type: 'reply'; id: number; value: unknown };
type ParentMessage = { type: 'stats'; id: number } | { type: 'command'; id: number; name: string; argument: unknown };

/** Child side: announce readiness and answer the parent's requests until it goes. */
export function serveParent(options: {
  url: string;
  statements?: () => number;
  commands?: Record<string, (argument: unknown) => unknown>;
}): void {
  const send = (message: ChildMessage) => process.send?.(message);
  process.on('message', async (message: ParentMessage) => {
    if (message.type === 'stats') {
      const cpu = process.cpuUsage();
      send({
        type: 'stats',
        id: message.id,
        stats: { cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss(), statements: options.statements?.() ?? null },
      });
    } else {
      const command = options.commands?.[message.name];
      send({ type: 'reply', id: message.id, value: command ? await command(message.argument) : null });
    }
  });
  // The benchmark owns its children: when it goes, they go.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url: options.url });
}

export interface MeasuredProcess {
  name: string;
  url: string;
  pid: number;
  stats(): Promise<ProcessStats>;
  command(name: string, argument?: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

/** Parent side: start `bench/processes/<file>` under tsx with the given environment and wait until it listens. */
export async function startMeasuredProcess(name: string, file: string, env: Record<string, string>, execArgv: string[] = []): Promise<MeasuredProcess> {
  const script = fileURLToPath(new URL(`../processes/${file}`, import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [...execArgv, '--import', 'tsx', script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 0;
  const pending = new Map<number, (value: unknown) => void>();
  const ready = new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it was ready`)));
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') resolve(message.url);
      else if (message.type === 'stats') pending.get(message.id)?.(message.stats);
      else pending.get(message.id)?.(message.value);
      if (message.type !== 'ready') pending.delete(message.id);
    });
  });
  const url = await ready;
  const ask = <T>(message: ParentMessage) =>
    new Promise<T>((resolve) => {
      pending.set(message.id, resolve as (value: unknown) => void);
      child.send(message);
    });
  return {
    name,
    url,
    pid: child.pid!,
    stats: () => ask<ProcessStats>({ type: 'stats', id: (nextId += 1) }),
    command: (commandName, argument) => ask({ type: 'command', id: (nextId += 1), name: commandName, argument }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
