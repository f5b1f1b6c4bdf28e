import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * The embedded databases in DATA_DIR (the gateway's PGlite, the reference Tasker's) belong to one
 * process: two on the same files corrupt them. The first gateway writes DATA_DIR/gateway.lock
 * naming itself; a second one stops at once and names the first. A lock whose process is gone
 * (kill -9, a crash, a reboot) is recognised by its pid and that process's start time, and taken over.
 */
const LockSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  /** The process's start time as the kernel counts it (Linux /proc), so a reused pid is not mistaken for the holder. */
  processStart: z.string().nullable(),
  startedAt: z.string(),
  url: z.string().nullable(),
});
type LockRecord = z.infer<typeof LockSchema>;

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockRecord,
  ) {
    super(
      `DATA_DIR ${dataDir} is in use by another gateway: pid ${holder.pid}` +
        `${holder.url ? ` at ${holder.url}` : ' (still starting)'}, started ${holder.startedAt}.\n` +
        'Stop that one first, or give this one another DATA_DIR (or a DATABASE_URL and a TASKER_URL, which need no data folder).',
    );
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock {
  /** Set once listening, so a second gateway can say where the first one answers. */
  setUrl(url: string): void;
  release(): void;
  /** The dead holder whose lock was taken over, if any. */
  recovered: { pid: number; startedAt: string } | undefined;
}

/** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot; null where there is no /proc. */
function processStartOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields after it follow the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function holderAlive(holder: LockRecord): boolean {
  if (holder.host !== hostname()) return true; // a shared folder: another machine's process cannot be checked, so it is respected
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return holder.processStart === null || processStartOf(holder.pid) === holder.processStart;
}

function readLock(path: string): LockRecord | undefined {
  try {
    return LockSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Unreadable (a disk that lost its last write): nobody can be named, so it counts as stale.
    return { pid: 0x7fffffff, host: hostname(), processStart: 'unreadable', startedAt: 'unknown', url: null };
  }
}

export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'gateway.lock');
  const mine: LockRecord = { pid: process.pid, host: hostname(), processStart: processStartOf(process.pid), startedAt: new Date().toISOString(), url: null };
  let recovered: DataDirLock['recovered'];
  // Written in full under a name of our own, then linked into place: link fails if the lock exists,
  // and nobody ever reads a half-written lock.
  const draft = `${path}.${process.pid}`;
  writeFileSync(draft, `${JSON.stringify(mine)}\n`, { mode: 0o644 });
  for (;;) {
    try {
      linkSync(draft, path);
      rmSync(draft, { force: true });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readLock(path);
    if (holder === undefined) continue; // released between our attempt and our look: try again
    if (holderAlive(holder)) {
      rmSync(draft, { force: true });
      throw new DataDirInUseError(dataDir, holder);
    }
    // Stale. Move it aside under a name of our own and look at what was moved: when two starts
    // recover at once, the slower one may have moved the winner's fresh lock, and puts it back.
    const aside = `${path}.stale-${process.pid}`;
    try {
      renameSync(path, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const moved = readLock(aside);
    if (moved && (moved.pid !== holder.pid || moved.startedAt !== holder.startedAt)) {
      renameSync(aside, path);
      continue;
    }
    rmSync(aside, { force: true });
    recovered = { pid: holder.pid, startedAt: holder.startedAt };
  }

  const ours = () => readLock(path)?.pid === process.pid;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    if (ours()) rmSync(path, { force: true });
  };
  // Also on an unexpected exit; only kill -9 leaves the file, and the next start recovers it.
  process.on('exit', release);
  return {
    recovered,
    setUrl(url) {
      if (!ours()) return;
      const temporary = `${path}.${process.pid}`;
      writeFileSync(temporary, `${JSON.stringify({ ...mine, url })}\n`);
      renameSync(temporary, path);
    },
    release,
  };
}
