import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Pool } from 'undici';
import type { MeasuredProcess } from './lib/ipc.js';
import { type CallSpec, median, percentile, runLoad } from './lib/load.js';
import { type ContenderSummary, machineFacts, renderReport, writeReport } from './lib/report.js';
import { type BenchGateway, checkOnce, LIST_VARIABLES, log, mcpToolCall, persistedCall, startBenchStack } from './lib/stack.js';

/**
 * `npm run bench`: what the gateway itself costs per agent call, beside the floor a Node gateway
 * cannot beat (a bare signed undici pass-through proxy), against an upstream fast enough not to be
 * the bottleneck (bench/processes/replay-tasker.ts: answers recorded from the reference Tasker at
 * the start of the run, each request's signature verified).
 *
 * Every contender is its own process, measured by its own CPU time. The machine is shared and
 * noisy, so rounds are interleaved (each round runs every contender at every concurrency, in a
 * rotating order) and the report gives medians over rounds and ratios taken within this one run.
 * It reports; it asserts nothing.
 *
 * Environment:
 *   BENCH_ROUNDS (5), BENCH_ROUND_MS (2000), BENCH_CONCURRENCY (1,16,64),
 *   BENCH_DATABASES (pglite,postgres), BENCH_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/postgres),
 *   BENCH_BASELINE: a checkout of an older commit (with node_modules) measured beside this one,
 *   BENCH_CALLS (graphql,mcp,session): which gateway calls to measure,
 *   BENCH_PROFILE_DIR: write each gateway's CPU profile of the measured rounds into this folder
 *   (read it with bench/profile-summary.ts, or in Chrome DevTools).
 * `npm run bench -- --write` also replaces the results section of docs/PERFORMANCE.md (`latest`, or
 * `before-after` with a baseline; `--write=<section>` names another).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 2000);
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number);
const DATABASES = (process.env.BENCH_DATABASES ?? 'pglite,postgres').split(',') as ('pglite' | 'postgres')[];
const BASELINE = process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : undefined;
const CALLS = (process.env.BENCH_CALLS ?? 'graphql,mcp,session').split(',');
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR ? resolve(process.env.BENCH_PROFILE_DIR) : undefined;

interface Contender {
  key: string;
  call: string;
  gateway: BenchGateway | undefined;
  process: MeasuredProcess;
  spec: CallSpec;
  pools: Map<number, Pool>;
}

// ---- The run --------------------------------------------------------------------------------------

const stack = await startBenchStack({ databases: DATABASES, baseline: BASELINE });
try {
  const contenders: Contender[] = [
    {
      key: 'bare signed proxy',
      call: 'bare',
      gateway: undefined,
      process: stack.bare,
      spec: { method: 'GET', path: stack.listPath, headers: { accept: 'application/json' }, succeeded: (status) => status === 200 },
      pools: new Map(),
    },
  ];
  for (const gateway of stack.gateways) {
    const contender = (key: string, call: string, spec: CallSpec): Contender => ({ key, call, spec, gateway, process: gateway.process, pools: new Map() });
    contenders.push(
      ...[
        contender(`GraphQL ListIssues (${gateway.label})`, 'graphql', persistedCall(gateway, 'ListIssues', LIST_VARIABLES)),
        contender(`MCP tools/call list_issues (${gateway.label})`, 'mcp', mcpToolCall(gateway, 'list_issues', LIST_VARIABLES)),
        contender(`GraphQL GetAgentSession (${gateway.label})`, 'session', persistedCall(gateway, 'GetAgentSession', {})),
      ].filter((candidate) => CALLS.includes(candidate.call)),
    );
  }
  for (const contender of contenders) await checkOnce(contender.process.url, contender.spec);

  const poolFor = (contender: Contender, concurrency: number) => {
    let pool = contender.pools.get(concurrency);
    if (!pool) {
      pool = new Pool(contender.process.url, { connections: concurrency, keepAliveTimeout: 60_000 });
      contender.pools.set(concurrency, pool);
    }
    return pool;
  };

  // Warm-up: every code path compiled and every pool connected before anything is measured.
  log('warming up');
  for (const contender of contenders) for (const concurrency of CONCURRENCIES) await runLoad(poolFor(contender, concurrency), contender.spec, concurrency, 500);

  type Sample = { rps: number; p50: number; p99: number; cpuMs: number; statements: number | null; rssMb: number; failures: number };
  const samples = new Map<string, Sample[]>();
  const startedAt = new Date();
  if (PROFILE_DIR) for (const gateway of stack.gateways) await gateway.process.command('profile-start');
  for (let round = 0; round < ROUNDS; round += 1) {
    log(`round ${round + 1} of ${ROUNDS}`);
    for (const concurrency of CONCURRENCIES) {
      // A rotating order, so no contender always runs right after the same neighbour.
      const order = contenders.map((_, index) => contenders[(index + round) % contenders.length]!);
      for (const contender of order) {
        const before = await contender.process.stats();
        const result = await runLoad(poolFor(contender, concurrency), contender.spec, concurrency, ROUND_MS);
        const after = await contender.process.stats();
        const sorted = result.latenciesMs.sort();
        const key = `${contender.key}|${concurrency}`;
        const list = samples.get(key) ?? [];
        list.push({
          rps: (result.calls / result.elapsedMs) * 1000,
          p50: percentile(sorted, 0.5),
          p99: percentile(sorted, 0.99),
          cpuMs: (after.cpuMicros - before.cpuMicros) / 1000 / result.calls,
          statements: after.statements === null || before.statements === null ? null : (after.statements - before.statements) / result.calls,
          rssMb: after.rssBytes / 1024 / 1024,
          failures: result.failures,
        });
        samples.set(key, list);
      }
    }
  }

  if (PROFILE_DIR) {
    mkdirSync(PROFILE_DIR, { recursive: true });
    for (const gateway of stack.gateways) {
      const file = resolve(PROFILE_DIR, `gateway-${gateway.version}-${gateway.database}.cpuprofile`);
      await gateway.process.command('profile-stop', file);
      log(`wrote ${file}`);
    }
  }

  const summaries: ContenderSummary[] = [];
  for (const contender of contenders) {
    for (const concurrency of CONCURRENCIES) {
      const list = samples.get(`${contender.key}|${concurrency}`) ?? [];
      summaries.push({
        contender: contender.key,
        call: contender.call,
        gatewayLabel: contender.gateway?.label,
        version: contender.gateway?.version,
        database: contender.gateway?.database,
        concurrency,
        rps: median(list.map((sample) => sample.rps)),
        p50: median(list.map((sample) => sample.p50)),
        p99: median(list.map((sample) => sample.p99)),
        cpuMs: median(list.map((sample) => sample.cpuMs)),
        statements: list[0]?.statements === null ? null : median(list.map((sample) => sample.statements ?? Number.NaN)),
        rssMb: Math.max(...list.map((sample) => sample.rssMb)),
        failures: list.reduce((sum, sample) => sum + sample.failures, 0),
      });
    }
  }
  const report = renderReport({
    machine: machineFacts(stack.postgresVersion),
    startedAt,
    rounds: ROUNDS,
    roundMs: ROUND_MS,
    concurrencies: CONCURRENCIES,
    baseline: BASELINE !== undefined,
    summaries,
  });
  process.stdout.write(`${report}\n`);
  const write = process.argv.find((argument) => argument === '--write' || argument.startsWith('--write='));
  if (write) {
    const section = write.includes('=') ? write.slice('--write='.length) : BASELINE ? 'before-after' : 'latest';
    writeReport(new URL('../docs/PERFORMANCE.md', import.meta.url).pathname, report, section);
    log(`wrote the ${section} section of docs/PERFORMANCE.md`);
  }
  for (const contender of contenders) for (const pool of contender.pools.values()) await pool.close();
} finally {
  await stack.close();
}
