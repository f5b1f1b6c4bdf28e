import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * One `npm run build` shared by every test that runs the compiled gateway. The output lives in
 * node_modules/.cache under a name taken from the sources' content, so test files running in
 * parallel (and later runs with unchanged sources) reuse it, and a changed source always builds
 * afresh. The first worker to need it builds; the others wait for its completion mark, not a clock.
 */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CACHE = join(ROOT, 'node_modules/.cache/tasker-agent-gateway-build');
const INPUTS = ['src', 'migrations', 'reference-tasker', 'scripts/build.ts', 'scripts/migrate.ts', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    for (const file of filesUnder(join(ROOT, input))) {
      hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function runBuild(outDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // Its own process group, so that if this worker ends first nothing of the build (npm, tsx, tsc) stays behind.
    const child = spawn('npm', ['run', 'build', '--', '--out-dir', outDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const stopBuild = () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    process.once('exit', stopBuild);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      process.off('exit', stopBuild);
      if (code === 0) resolve();
      else reject(new Error(`npm run build failed (${code}):\n${output}`));
    });
  });
}

function lockHolder(lock: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined; // not written yet, or the lock is already gone
  }
}

const nextPoll = () => new Promise((resolve) => setTimeout(resolve, 200));

let built: Promise<string> | undefined;

/** The folder holding a fresh build of this checkout (its `main.js` is what production runs). */
export function compiledGateway(): Promise<string> {
  built ??= (async () => {
    const hash = sourceHash();
    const outDir = join(CACHE, hash);
    const done = join(outDir, '.complete');
    const lock = join(CACHE, `${hash}.lock`);
    mkdirSync(CACHE, { recursive: true });
    for (;;) {
      if (existsSync(done)) return outDir;
      try {
        mkdirSync(lock);
      } catch {
        // Another worker builds; its lock names its pid, so a builder that died is noticed.
        const holder = lockHolder(lock);
        if (holder !== undefined && !alive(holder)) rmSync(lock, { recursive: true, force: true });
        await nextPoll();
        continue;
      }
      try {
        writeFileSync(join(lock, 'pid'), String(process.pid));
        // Older builds of other sources are of no further use.
        for (const name of readdirSync(CACHE)) if (name !== hash && !name.endsWith('.lock')) rmSync(join(CACHE, name), { recursive: true, force: true });
        await runBuild(outDir);
        writeFileSync(done, '');
        return outDir;
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    }
  })();
  return built;
}
