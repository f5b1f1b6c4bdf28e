import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Pool } from 'undici';
import { BASE_PATH, DEMO_IDS } from '../reference-tasker/index.js';
import { signedHeaders } from '../src/tasker/signing.js';
import { startMeasuredProcess } from './lib/ipc.js';
import { median, percentile } from './lib/load.js';
import { adminQuery, BENCH_SECRET, log, POSTGRES_ADMIN_URL } from './lib/stack.js';

/**
 * `npm run bench:tasker`: what one call costs the reference Tasker (the stand-in for Tasker used in
 * local development, the tests and the conformance suite), per read the gateway's agent tools make
 * most: CPU per call of its process, statements per call (counted at its storage seam, nonce
 * included), req/s and p50/p99 in a closed loop, each request freshly signed. It reports; it never
 * fails for being slow.
 *
 * Settings: BENCH_ROUNDS (3), BENCH_ROUND_MS (2000), BENCH_CONCURRENCY (1,16),
 * BENCH_DATABASES (pglite,postgres), BENCH_POSTGRES_URL, BENCH_PROFILE_DIR (a CPU profile per database).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 2000);
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '1,16').split(',').map(Number);
const DATABASES = (process.env.BENCH_DATABASES ?? 'pglite,postgres').split(',');
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR ? resolve(process.env.BENCH_PROFILE_DIR) : undefined;

const OWNER = DEMO_IDS.users.local;
const CALLS = [
  { name: 'list issues (20)', method: 'GET' as const, path: `${BASE_PATH}/issues?project_id=${DEMO_IDS.projects.DEMO.id}&limit=20` },
  { name: 'get issue by key', method: 'GET' as const, path: `${BASE_PATH}/issues/DEMO-1` },
  { name: 'project context', method: 'GET' as const, path: `${BASE_PATH}/projects/${DEMO_IDS.projects.DEMO.id}/context` },
];

async function load(pool: Pool, call: (typeof CALLS)[number], concurrency: number, durationMs: number) {
  const latencies: number[] = [];
  let failures = 0;
  const until = performance.now() + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const headers = signedHeaders(BENCH_SECRET, { method: call.method, pathWithQuery: call.path, agentId: 'bench', ownerUserId: OWNER, body: '', requestId: randomUUID() });
        const t0 = performance.now();
        const response = await pool.request({ method: call.method, path: call.path, headers: { ...headers, accept: 'application/json' } });
        await response.body.text();
        if (response.statusCode !== 200) failures += 1;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies: Float64Array.from(latencies).sort(), failures };
}

const rows: string[] = [];
for (const database of DATABASES) {
  let databaseUrl: string | undefined;
  let name: string | undefined;
  if (database === 'postgres') {
    name = `tasker_bench_${randomUUID().slice(0, 8)}`;
    await adminQuery(`create database ${name}`);
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
  }
  log(`starting the reference Tasker (${database})`);
  const tasker = await startMeasuredProcess(`reference Tasker (${database})`, 'reference-tasker.ts', {
    BENCH_SIGNING_SECRET: BENCH_SECRET,
    ...(databaseUrl ? { BENCH_DATABASE_URL: databaseUrl } : {}),
  });
  try {
    const pool = new Pool(tasker.url, { connections: 64 });
    for (const call of CALLS) await load(pool, call, 1, 300);
    const samples = new Map<string, { cpu: number[]; statements: number[]; rate: number[]; p50: number[]; p99: number[]; failures: number }>();
    if (PROFILE_DIR) await tasker.command('profile-start');
    for (let round = 0; round < ROUNDS; round += 1) {
      log(`${database}: round ${round + 1} of ${ROUNDS}`);
      for (const concurrency of CONCURRENCIES) {
        for (const call of CALLS) {
          const before = await tasker.stats();
          const started = performance.now();
          const result = await load(pool, call, concurrency, ROUND_MS);
          const elapsed = performance.now() - started;
          const after = await tasker.stats();
          const n = result.latencies.length;
          const key = `${call.name}|${concurrency}`;
          const sample = samples.get(key) ?? { cpu: [], statements: [], rate: [], p50: [], p99: [], failures: 0 };
          sample.cpu.push((after.cpuMicros - before.cpuMicros) / 1000 / n);
          sample.statements.push(((after.statements ?? 0) - (before.statements ?? 0)) / n);
          sample.rate.push((n / elapsed) * 1000);
          sample.p50.push(percentile(result.latencies, 0.5));
          sample.p99.push(percentile(result.latencies, 0.99));
          sample.failures += result.failures;
          samples.set(key, sample);
        }
      }
    }
    if (PROFILE_DIR) {
      mkdirSync(PROFILE_DIR, { recursive: true });
      const file = resolve(PROFILE_DIR, `reference-tasker-${database}.cpuprofile`);
      await tasker.command('profile-stop', file);
      log(`wrote ${file}`);
    }
    const { rssBytes } = await tasker.stats();
    for (const [key, s] of samples) {
      const [call, concurrency] = key.split('|');
      rows.push(
        `| ${database === 'pglite' ? 'PGlite' : 'PostgreSQL'} | ${call} | ${concurrency} | ${median(s.rate).toFixed(0)} | ${median(s.p50).toFixed(2)} | ${median(s.p99).toFixed(2)} | ${median(s.cpu).toFixed(3)} | ${median(s.statements).toFixed(2)} | ${(rssBytes / 2 ** 20).toFixed(0)} | ${s.failures} |`,
      );
    }
    await pool.close();
  } finally {
    await tasker.stop();
    if (name) await adminQuery(`drop database if exists ${name} with (force)`).catch(() => {});
  }
}
const [load1, load5, load15] = (await import('node:os')).loadavg();
process.stdout.write(
  `\nReference Tasker, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${load1!.toFixed(1)} / ${load5!.toFixed(1)} / ${load15!.toFixed(1)}; ${ROUNDS} rounds of ${ROUND_MS} ms, medians.\n\n` +
    '| database | call | c | req/s | p50 ms | p99 ms | CPU ms/call | statements/call | RSS MB | failed calls |\n|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n' +
    `${rows.join('\n')}\n`,
);
