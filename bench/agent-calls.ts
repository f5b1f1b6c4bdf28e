import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { Pool } from 'undici';
import { DEMO_IDS, startReferenceTasker } from '../reference-tasker/index.js';
import { mintLauncherJwt } from '../src/auth/launcher-jwt.js';
import type { ToolManifest } from '../src/mcp/tool-manifest.js';
import { type MeasuredProcess, startMeasuredProcess } from './lib/ipc.js';
import { type CallSpec, median, percentile, runLoad } from './lib/load.js';
import { type ContenderSummary, machineFacts, renderReport, writeReport } from './lib/report.js';

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
const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BASELINE = process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : undefined;
const THIS_ROOT = resolve(new URL('..', import.meta.url).pathname);
const CALLS = (process.env.BENCH_CALLS ?? 'graphql,mcp,session').split(',');
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR ? resolve(process.env.BENCH_PROFILE_DIR) : undefined;
const log = (line: string) => process.stderr.write(`${line}\n`);

const secret = randomBytes(32).toString('hex');
const DEMO = DEMO_IDS.projects.DEMO.id;
const LIST_VARIABLES = { projectId: DEMO, first: 20 };

// ---- Databases -------------------------------------------------------------------------------

async function postgresVersion(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return (await client.query<{ server_version: string }>('show server_version')).rows[0]?.server_version;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}

const createdDatabases: string[] = [];
async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
async function freshPostgresDatabase(): Promise<string> {
  const name = `gateway_bench_${randomBytes(5).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  createdDatabases.push(name);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

// ---- Gateways and their agents ------------------------------------------------------------------

interface Gateway {
  label: string;
  version: 'after' | 'before';
  database: 'pglite' | 'postgres';
  process: MeasuredProcess;
  manifest: ToolManifest;
  token: string;
}

async function graphql(url: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, Record<string, unknown>>; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`setup failed at ${url}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function startGateway(version: Gateway['version'], database: Gateway['database'], upstreamUrl: string): Promise<Gateway> {
  const root = version === 'before' ? BASELINE! : THIS_ROOT;
  const label = `${version === 'before' ? 'before' : 'now'}, ${database === 'pglite' ? 'PGlite' : 'PostgreSQL'}`;
  const process = await startMeasuredProcess(
    `gateway (${label})`,
    'gateway.ts',
    {
      BENCH_GATEWAY_ROOT: root,
      BENCH_SIGNING_SECRET: secret,
      BENCH_UPSTREAM_URL: upstreamUrl,
      ...(database === 'postgres' ? { BENCH_DATABASE_URL: await freshPostgresDatabase() } : {}),
    },
  );
  const launcher = await mintLauncherJwt(secret, { sub: 'local-user', email: 'local@example.test', role: 'user' }, { audience: 'nodedc-tasker-agent-gateway' });
  const agentId = (await graphql(process.url, launcher, 'mutation { createAgent(input: { displayName: "bench" }) { id } }')).createAgent!.id as string;
  await graphql(process.url, launcher, 'mutation($i: SetGrantInput!) { setGrant(input: $i) { projectId } }', {
    i: { agentId, projectId: DEMO, scopes: ['PROJECTS_READ', 'ISSUES_READ'] },
  });
  const token = (await graphql(process.url, launcher, 'mutation($i: CreateTokenInput!) { createToken(input: $i) { secret } }', { i: { agentId, name: 'bench' } }))
    .createToken!.secret as string;
  const manifest = JSON.parse(readFileSync(resolve(root, 'src/mcp/generated/tool-manifest.json'), 'utf8')) as ToolManifest;
  return { label, version, database, process, manifest, token };
}

// ---- What each contender sends ------------------------------------------------------------------

const graphqlSucceeded = (status: number, body: string) => status === 200 && !body.includes('"errors"');

function persistedCall(gateway: Gateway, operationName: string, variables: Record<string, unknown>): CallSpec {
  const tool = gateway.manifest.tools.find((candidate) => candidate.operationName === operationName);
  if (!tool) throw new Error(`no persisted operation ${operationName}`);
  return {
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${gateway.token}` },
    body: JSON.stringify({ operationName, variables, extensions: { persistedQuery: { version: 1, sha256Hash: tool.operationId } } }),
    succeeded: graphqlSucceeded,
  };
}

/** A 2025-11-25 client's tools/call on the stateless endpoint: one POST, plain JSON back. */
function mcpToolCall(gateway: Gateway, name: string, args: Record<string, unknown>): CallSpec {
  return {
    method: 'POST',
    path: '/mcp',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
      authorization: `Bearer ${gateway.token}`,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
    succeeded: (status, body) => status === 200 && body.includes('"result"') && !body.includes('"isError":true'),
  };
}

interface Contender {
  key: string;
  call: string;
  gateway: Gateway | undefined;
  process: MeasuredProcess;
  spec: CallSpec;
  pools: Map<number, Pool>;
}

async function checkOnce(contender: Contender): Promise<void> {
  const response = await fetch(`${contender.process.url}${contender.spec.path}`, {
    method: contender.spec.method,
    headers: contender.spec.headers,
    ...(contender.spec.body ? { body: contender.spec.body } : {}),
  });
  const text = await response.text();
  if (!contender.spec.succeeded(response.status, text)) throw new Error(`${contender.key} does not succeed: ${response.status} ${text.slice(0, 400)}`);
}

// ---- The run --------------------------------------------------------------------------------------

const pgVersion = DATABASES.includes('postgres') ? await postgresVersion() : undefined;
const databases = DATABASES.filter((database) => database === 'pglite' || pgVersion !== undefined);
if (DATABASES.includes('postgres') && !pgVersion) log(`PostgreSQL at ${POSTGRES_ADMIN_URL} does not answer: measuring PGlite only`);

const tasker = await startReferenceTasker({ signingSecret: secret });
let taskerOpen = true;
const closeTasker = async () => {
  if (taskerOpen) await tasker.close();
  taskerOpen = false;
};
const replay = await startMeasuredProcess('replay Tasker', 'replay-tasker.ts', { BENCH_SIGNING_SECRET: secret });
await replay.command('record', tasker.url);

const gateways: Gateway[] = [];
const children: MeasuredProcess[] = [replay];
try {
  for (const database of databases) {
    for (const version of BASELINE ? (['before', 'after'] as const) : (['after'] as const)) {
      log(`starting gateway (${version}, ${database})`);
      const gateway = await startGateway(version, database, replay.url);
      gateways.push(gateway);
      children.push(gateway.process);
    }
  }

  const contenders: Contender[] = [];
  for (const gateway of gateways) {
    const contender = (key: string, call: string, spec: CallSpec): Contender => ({ key, call, spec, gateway, process: gateway.process, pools: new Map() });
    contenders.push(
      contender(`GraphQL ListIssues (${gateway.label})`, 'graphql', persistedCall(gateway, 'ListIssues', LIST_VARIABLES)),
      contender(`MCP tools/call list_issues (${gateway.label})`, 'mcp', mcpToolCall(gateway, 'list_issues', LIST_VARIABLES)),
      contender(`GraphQL GetAgentSession (${gateway.label})`, 'session', persistedCall(gateway, 'GetAgentSession', {})),
    );
  }
  // Recording: every contender once, through the reference Tasker; then only the calls asked for.
  for (const contender of contenders) await checkOnce(contender);
  contenders.splice(0, contenders.length, ...contenders.filter((contender) => CALLS.includes(contender.call)));
  const recorded = (await replay.command('replay')) as string[];
  await closeTasker();
  const listPath = recorded.find((key) => key.startsWith('GET ') && key.includes('/issues?'))?.split(' ')[1];
  if (!listPath) throw new Error(`the gateways' list_issues call was not recorded (recorded: ${recorded.join(', ')})`);

  const bareProcess = await startMeasuredProcess('bare proxy', 'bare-proxy.ts', { BENCH_SIGNING_SECRET: secret, BENCH_UPSTREAM_URL: replay.url });
  children.push(bareProcess);
  const bare: Contender = {
    key: 'bare signed proxy',
    call: 'bare',
    gateway: undefined,
    process: bareProcess,
    spec: { method: 'GET', path: listPath, headers: { accept: 'application/json' }, succeeded: (status) => status === 200 },
    pools: new Map(),
  };
  contenders.unshift(bare);
  for (const contender of contenders) await checkOnce(contender);

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
  if (PROFILE_DIR) for (const gateway of gateways) await gateway.process.command('profile-start');
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
    for (const gateway of gateways) {
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
    machine: machineFacts(pgVersion),
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
    writeReport(resolve(THIS_ROOT, 'docs/PERFORMANCE.md'), report, section);
    log(`wrote the ${section} section of docs/PERFORMANCE.md`);
  }
  for (const contender of contenders) for (const pool of contender.pools.values()) await pool.close();
} finally {
  for (const child of children) await child.stop();
  await closeTasker().catch(() => {});
  for (const name of createdDatabases) await adminQuery(`drop database if exists ${name} with (force)`).catch(() => {});
}
