import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * `npm run bench:startup`: how long the gateway takes from spawn to answering /readyz, and its
 * resident memory then, run from the sources through tsx (`npm start`) and from the build
 * (`node dist/main.js`, run `npm run build` first), on PGlite (a data folder that already exists)
 * and on PostgreSQL (BENCH_DATABASE_URL, default the local server; a fresh database, migrated by
 * the first run). TASKER_URL is set, so the reference Tasker is not part of the figures.
 * Reports medians; asserts nothing.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const ways = {
  tsx: ['--import', join(ROOT, 'node_modules/tsx/dist/loader.mjs'), join(ROOT, 'src/main.ts')],
  compiled: [join(ROOT, 'dist/main.js')],
} as const;

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((row) => row.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024;
}

async function once(args: readonly string[], env: Record<string, string>): Promise<{ readyMs: number; rss: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"message":"gateway listening".*?"url":"(http:[^"]+)"/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
  const ready = await fetch(`${url}/readyz`);
  const readyMs = performance.now() - started;
  if (ready.status !== 200) throw new Error(`/readyz answered ${ready.status}`);
  const rss = rssMiB(child.pid!);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return { readyMs, rss };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-startup-'));
  const name = `bench_startup_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const databaseUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).toString();
  const common = { TASKER_URL: 'http://127.0.0.1:9', TASKER_SIGNING_SECRET: randomBytes(32).toString('hex'), LAUNCHER_JWT_SECRET: randomBytes(32).toString('hex') };
  const databases = { PGlite: { DATA_DIR: dataDir }, PostgreSQL: { DATA_DIR: dataDir, DATABASE_URL: databaseUrl } } as const;
  try {
    // One start each first: creates the PGlite folder, migrates PostgreSQL, warms tsx's cache.
    for (const env of Object.values(databases)) await once(ways.tsx, { ...common, ...env });
    process.stdout.write(`node ${process.version}, ${RUNS} runs each, load average ${loadavg().map((value) => value.toFixed(1)).join(' ')}\n`);
    process.stdout.write('| database | run by | start to ready (median) | RSS after start (median) |\n| --- | --- | --- | --- |\n');
    for (const [database, env] of Object.entries(databases)) {
      for (const [way, args] of Object.entries(ways)) {
        const results = [];
        for (let run = 0; run < RUNS; run += 1) results.push(await once(args, { ...common, ...env }));
        process.stdout.write(
          `| ${database} | ${way === 'tsx' ? 'tsx (npm start)' : 'node dist/main.js'} | ${(median(results.map((r) => r.readyMs)) / 1000).toFixed(2)} s | ${median(results.map((r) => r.rss)).toFixed(0)} MiB |\n`,
        );
      }
    }
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
