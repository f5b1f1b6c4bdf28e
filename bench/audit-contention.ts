import { loadavg } from 'node:os';
import { Pool } from 'undici';
import { encodeKeysetCursor } from '../src/resolvers/pagination.js';
import { SEEDED_USER, seededAgentUuid } from './lib/audit-seed.js';
import { type CallSpec, median, percentile, runLoad } from './lib/load.js';
import { machineFacts } from './lib/report.js';
import { type BenchGateway, checkOnce, LIST_VARIABLES, launcherCall, log, mintLauncher, persistedCall, startBenchStack } from './lib/stack.js';

/**
 * `npm run bench:contention`: agents while the Launcher reads the audit log (issue #11), through the
 * gateway's own surfaces. One gateway per database (PGlite in the gateway's process, PostgreSQL),
 * its audit log seeded with BENCH_CONTENTION_ROWS (1,000,000) events (bench/lib/audit-seed.ts); then
 * BENCH_ROUNDS interleaved rounds of three phases, BENCH_ROUND_MS each:
 *   agents alone    — the GraphQL persisted ListIssues at concurrency 16;
 *   Launcher alone  — one Launcher reading audit pages in a loop (GraphQL `auditEvents`, 50 a page);
 *   both at once.
 * The Launcher's loop takes turns at four pages: an admin's first page of the whole log; an admin's
 * page half-way down it (a keyset cursor at the middle of the seeded 400 days); a user's own view
 * (their agents' events and their own Launcher actions), first page; and one agent's events, first
 * page, as its owner sees them.
 *
 * Reports the agents' req/s and p99 alone and beside the Launcher (and the ratio), and each audit
 * page's wall-clock p50/p99 alone and beside the agents (client side: HTTP, authentication,
 * GraphQL and the query). Medians over rounds for the agents; percentiles over every page of all
 * rounds for the Launcher. It reports; it asserts nothing.
 *
 * Environment: BENCH_CONTENTION_ROWS (1000000), BENCH_ROUNDS (3), BENCH_ROUND_MS (5000),
 * BENCH_DATABASES (pglite,postgres), BENCH_POSTGRES_URL.
 */
const ROWS = Number(process.env.BENCH_CONTENTION_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 5000);
const DATABASES = (process.env.BENCH_DATABASES ?? 'pglite,postgres').split(',') as ('pglite' | 'postgres')[];
const AGENT_CONCURRENCY = 16;

const PAGE_QUERY = `query AuditPage($after: String, $agentId: String) {
  auditEvents(first: 50, after: $after, agentId: $agentId) { nodes { id occurredAt actorKind action outcome agentId } pageInfo { hasNextPage endCursor } }
}`;
/** Half-way down the seeded log: its events span the 400 days before 2026-06-01. */
const MIDDLE_CURSOR = encodeKeysetCursor(new Date(Date.parse('2026-06-01T00:00:00Z') - 200 * 86_400_000), 'ffffffff-ffff-4fff-bfff-ffffffffffff');

interface LauncherPage {
  name: string;
  spec: CallSpec;
}

async function launcherPages(gateway: BenchGateway): Promise<LauncherPage[]> {
  const url = gateway.process.url;
  const admin = await mintLauncher('bench-admin', 'admin');
  const user = await mintLauncher(SEEDED_USER);
  const page = (name: string, token: string, variables: Record<string, unknown>): LauncherPage => ({ name, spec: launcherCall(url, token, PAGE_QUERY, variables) });
  return [
    page('admin, whole log, first page', admin, {}),
    page('admin, whole log, page half-way down (keyset)', admin, { after: MIDDLE_CURSOR }),
    page('user, own view, first page', user, {}),
    page('user, one agent, first page', user, { agentId: seededAgentUuid(7) }),
  ];
}

/** One Launcher reading the pages in turn until told to stop; each page's wall-clock time. */
async function launcherLoop(pool: Pool, pages: LauncherPage[], until: Promise<void>): Promise<{ times: Map<string, number[]>; failures: number }> {
  let stop = false;
  void until.then(() => {
    stop = true;
  });
  const times = new Map<string, number[]>(pages.map((page) => [page.name, []]));
  let failures = 0;
  for (let turn = 0; !stop; turn += 1) {
    const { name, spec } = pages[turn % pages.length]!;
    const started = performance.now();
    const response = await pool.request({ method: spec.method, path: spec.path, headers: spec.headers, body: spec.body ?? null });
    const text = await response.body.text();
    times.get(name)!.push(performance.now() - started);
    if (!spec.succeeded(response.statusCode, text)) failures += 1;
  }
  return { times, failures };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '–');

const stack = await startBenchStack({ databases: DATABASES });
const facts = machineFacts(stack.postgresVersion);
const startedAt = new Date();
const lines: string[] = [];
process.stdout.write(`Run of ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC. ${facts}.\n`);
try {
  for (const gateway of stack.gateways) {
    log(`${gateway.label}: seeding ${ROWS.toLocaleString('en')} audit events`);
    const seeding = performance.now();
    await gateway.process.command('seed-audit', ROWS);
    const seededSeconds = (performance.now() - seeding) / 1000;
    log(`${gateway.label}: seeded in ${seededSeconds.toFixed(0)} s`);

    const agentSpec = persistedCall(gateway, 'ListIssues', LIST_VARIABLES);
    const pages = await launcherPages(gateway);
    for (const spec of [agentSpec, ...pages.map((page) => page.spec)]) await checkOnce(gateway.process.url, spec);
    const agents = new Pool(gateway.process.url, { connections: AGENT_CONCURRENCY, keepAliveTimeout: 60_000 });
    const launcher = new Pool(gateway.process.url, { connections: 1, keepAliveTimeout: 60_000 });
    // Warm-up: both paths compiled and both pools connected.
    await runLoad(agents, agentSpec, AGENT_CONCURRENCY, 1000);
    await launcherLoop(launcher, pages, sleep(1000));

    const alone: { rps: number; p99: number; cpuMs: number }[] = [];
    const beside: { rps: number; p99: number; cpuMs: number }[] = [];
    const pageTimes = { alone: new Map<string, number[]>(), beside: new Map<string, number[]>() };
    let launcherFailures = 0;
    let agentFailures = 0;
    const keep = (into: Map<string, number[]>, from: Map<string, number[]>) => {
      for (const [name, times] of from) into.set(name, [...(into.get(name) ?? []), ...times]);
    };
    const agentRound = async () => {
      const before = await gateway.process.stats();
      const result = await runLoad(agents, agentSpec, AGENT_CONCURRENCY, ROUND_MS);
      const after = await gateway.process.stats();
      agentFailures += result.failures;
      return {
        rps: (result.calls / result.elapsedMs) * 1000,
        p99: percentile(result.latenciesMs.sort(), 0.99),
        cpuMs: (after.cpuMicros - before.cpuMicros) / 1000 / result.calls,
      };
    };
    for (let round = 0; round < ROUNDS; round += 1) {
      log(`${gateway.label}: round ${round + 1} of ${ROUNDS}`);
      alone.push(await agentRound());
      const solo = await launcherLoop(launcher, pages, sleep(ROUND_MS));
      keep(pageTimes.alone, solo.times);
      launcherFailures += solo.failures;
      let agentsDone!: () => void;
      const agentsFinished = new Promise<void>((resolve) => (agentsDone = resolve));
      const [together, shared] = await Promise.all([agentRound().finally(() => agentsDone()), launcherLoop(launcher, pages, agentsFinished)]);
      beside.push(together);
      keep(pageTimes.beside, shared.times);
      launcherFailures += shared.failures;
    }
    await agents.close();
    await launcher.close();

    const aloneRps = median(alone.map((sample) => sample.rps));
    const besideRps = median(beside.map((sample) => sample.rps));
    lines.push(
      `**${gateway.label}** — ${ROWS.toLocaleString('en')} audit events (seeded in ${seededSeconds.toFixed(0)} s); failed calls: agents ${agentFailures}, Launcher ${launcherFailures}`,
      '',
      '| agents (GraphQL `ListIssues`, c=16) | req/s | p99 ms | gateway CPU ms/call |',
      '|---|--:|--:|--:|',
      `| alone | ${fixed(aloneRps, 0)} | ${fixed(median(alone.map((s) => s.p99)))} | ${fixed(median(alone.map((s) => s.cpuMs)), 2)} |`,
      `| beside one Launcher reading audit pages | ${fixed(besideRps, 0)} (${fixed(besideRps / aloneRps, 2)}×) | ${fixed(median(beside.map((s) => s.p99)))} | ${fixed(median(beside.map((s) => s.cpuMs)), 2)} |`,
      '',
      '| audit page (GraphQL `auditEvents`, 50 a page) | pages | p50 ms alone | p99 ms alone | pages | p50 ms beside agents | p99 ms beside agents |',
      '|---|--:|--:|--:|--:|--:|--:|',
      ...pages.map(({ name }) => {
        const solo = Float64Array.from(pageTimes.alone.get(name) ?? []).sort();
        const busy = Float64Array.from(pageTimes.beside.get(name) ?? []).sort();
        return `| ${name} | ${solo.length} | ${fixed(percentile(solo, 0.5))} | ${fixed(percentile(solo, 0.99))} | ${busy.length} | ${fixed(percentile(busy, 0.5))} | ${fixed(percentile(busy, 0.99))} |`;
      }),
      '',
    );
    // Each database's figures as soon as they are measured: a later failure does not lose them.
    process.stdout.write(`\n${lines.splice(0).join('\n')}\n`);
  }
} finally {
  await stack.close();
}

const [load1, load5, load15] = loadavg();
process.stdout.write(
  [
    '',
    `Load average at the end ${load1!.toFixed(1)} / ${load5!.toFixed(1)} / ${load15!.toFixed(1)}. ${ROUNDS} interleaved rounds of ${ROUND_MS} ms per phase (agents alone, Launcher alone, both); agents: median over rounds; audit pages: percentiles over every page of all rounds, client-side wall-clock.`,
    '',
  ].join('\n'),
);
