import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { Pool } from 'undici';
import { startReferenceTasker } from '../reference-tasker/index.js';
import { mintLauncherJwt } from '../src/auth/launcher-jwt.js';
import type { ToolManifest } from '../src/mcp/tool-manifest.js';
import { startMeasuredProcess } from './lib/ipc.js';
import type { CallSpec } from './lib/load.js';
import {
  adminQuery,
  BENCH_SECRET,
  checkOnce,
  type BenchGateway,
  launcherGraphql,
  LIST_VARIABLES,
  log,
  mcpToolCall,
  persistedCall,
  POSTGRES_ADMIN_URL,
  postgresVersion,
  DEMO,
} from './lib/stack.js';

/**
 * `npm run bench:memory`: the gateway's resident memory under a steady agent load, as production
 * runs it — `node dist/main.js` (built by `npm run build` when dist/ is missing), NODE_ENV=production,
 * on PostgreSQL, against the replaying upstream. It sends BENCH_MEMORY_CALLS (50,000) agent calls,
 * the GraphQL read, MCP tools/call and agentSession in turn, at concurrency 16, and samples the
 * process's RSS (/proc/<pid>/status) every 5,000 calls. Flatness compares the samples after the
 * first 10,000 calls (start-up and JIT warm-up) with each other. It reports; it never fails for
 * being large.
 *
 * BENCH_MEMORY_RUNTIMES (compiled,tsx): `tsx` runs src/main.ts under the TypeScript loader, beside.
 * BENCH_MEMORY_BASELINE=<folder>: another checkout of the gateway (built, with a node_modules
 * link), measured compiled in the same run before this one, so a change is seen as a ratio.
 * BENCH_MEMORY_NODE_FLAGS="--flag …": this checkout compiled once more, started as `node <flags>
 * dist/main.js` (V8's heap settings, say), measured after the plain run.
 */
const CALLS = Number(process.env.BENCH_MEMORY_CALLS ?? 50_000);
const SAMPLE_EVERY = 5_000;
const SETTLED_AFTER = 10_000;
const CONCURRENCY = 16;
const RUNTIMES = (process.env.BENCH_MEMORY_RUNTIMES ?? 'compiled,tsx').split(',') as ('compiled' | 'tsx')[];
const ROOT = resolve(new URL('..', import.meta.url).pathname);
const BASELINE = process.env.BENCH_MEMORY_BASELINE ? resolve(process.env.BENCH_MEMORY_BASELINE) : undefined;
const NODE_FLAGS = (process.env.BENCH_MEMORY_NODE_FLAGS ?? '').split(' ').filter(Boolean);

/** One gateway to measure: which checkout, and how it runs. */
interface Subject {
  label: string;
  root: string;
  runtime: 'compiled' | 'tsx';
  /** Node options before the entry. */
  flags: string[];
}
const ISSUER = 'bench-launcher';

const rssMb = (pid: number) => {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return kb / 1024;
};

/** CPU time of the whole process so far (user + system, all threads), in ms; /proc counts in USER_HZ (100 on Linux). */
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

async function startGateway({ root, runtime, flags }: Subject, env: Record<string, string>) {
  const args = runtime === 'compiled' ? [...flags, resolve(root, 'dist/main.js')] : [...flags, '--import', 'tsx', resolve(root, 'src/main.ts')];
  const child = spawn(process.execPath, args, { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  // The gateway says where it listens in its structured log (stderr); that line is the readiness signal.
  // Both streams are read to the end, so a full pipe never stalls it.
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.once('exit', (code) => reject(new Error(`the gateway (${runtime}) exited with ${code} before listening`)));
    for (const stream of [child.stdout!, child.stderr!]) {
      let buffered = '';
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.includes('gateway listening')) continue;
          const entry = JSON.parse(line) as { message?: string; url?: string };
          if (entry.message === 'gateway listening' && entry.url) resolveUrl(entry.url);
        }
      });
    }
  });
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
  return { url, pid: child.pid!, stop };
}

async function measure(subject: Subject, replayUrl: string, record: (on: boolean) => Promise<void>) {
  const { runtime } = subject;
  const name = `gateway_memory_${runtime}_${Date.now().toString(36)}`;
  await adminQuery(`create database ${name}`);
  const databaseUrl = new URL(POSTGRES_ADMIN_URL);
  databaseUrl.pathname = `/${name}`;
  const gateway = await startGateway(subject, {
    NODE_ENV: 'production',
    // Production asks for both explicitly: clients reach this gateway directly, and it serves no GraphiQL.
    TRUST_PROXY: 'false',
    GRAPHIQL: 'false',
    DATABASE_URL: databaseUrl.toString(),
    LAUNCHER_JWT_SECRET: BENCH_SECRET,
    LAUNCHER_JWT_ISSUER: ISSUER,
    TASKER_URL: replayUrl,
    TASKER_SIGNING_SECRET: BENCH_SECRET,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    LAUNCHER_JWT_MAX_TTL_SECONDS: '3600',
    RATE_LIMIT_NETWORK_PER_MINUTE: '10000000',
    RATE_LIMIT_AGENT_PER_MINUTE: '10000000',
    RATE_LIMIT_LAUNCHER_PER_MINUTE: '10000000',
  });
  try {
    const owner = await mintLauncherJwt(BENCH_SECRET, { sub: 'local-user', email: 'local-user@example.test', role: 'user' }, {
      audience: 'nodedc-tasker-agent-gateway',
      issuer: ISSUER,
      ttlSeconds: 3600,
    });
    const agentId = (await launcherGraphql(gateway.url, owner, 'mutation { createAgent(input: { displayName: "memory" }) { id } }')).createAgent!.id as string;
    await launcherGraphql(gateway.url, owner, 'mutation($i: SetGrantInput!) { setGrant(input: $i) { projectId } }', {
      i: { agentId, projectId: DEMO, scopes: ['PROJECTS_READ', 'ISSUES_READ'] },
    });
    const token = (await launcherGraphql(gateway.url, owner, 'mutation($i: CreateTokenInput!) { createToken(input: $i) { secret } }', { i: { agentId, name: 'memory' } }))
      .createToken!.secret as string;
    const manifest = JSON.parse(readFileSync(resolve(ROOT, 'src/mcp/generated/tool-manifest.json'), 'utf8')) as ToolManifest;
    const handle = { token, manifest } as BenchGateway;
    const specs: CallSpec[] = [persistedCall(handle, 'ListIssues', LIST_VARIABLES), mcpToolCall(handle, 'list_issues', LIST_VARIABLES), persistedCall(handle, 'GetAgentSession', {})];
    await record(true);
    for (const spec of specs) await checkOnce(gateway.url, spec);
    await record(false);

    const pool = new Pool(gateway.url, { connections: CONCURRENCY });
    const samples: { calls: number; rss: number }[] = [{ calls: 0, rss: rssMb(gateway.pid) }];
    let sent = 0;
    let failures = 0;
    const cpuBefore = cpuMs(gateway.pid);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (sent < CALLS) {
          const index = sent;
          sent += 1;
          const spec = specs[index % specs.length]!;
          const response = await pool.request({ method: spec.method, path: spec.path, headers: spec.headers, body: spec.body ?? null });
          const text = await response.body.text();
          if (!spec.succeeded(response.statusCode, text)) failures += 1;
          if ((index + 1) % SAMPLE_EVERY === 0) {
            samples.push({ calls: index + 1, rss: rssMb(gateway.pid) });
            log(`${subject.label}: ${index + 1} calls, RSS ${samples.at(-1)!.rss.toFixed(0)} MB`);
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpuPerCall = (cpuMs(gateway.pid) - cpuBefore) / CALLS;
    await pool.close();
    return { subject, samples, failures, seconds, cpuPerCall };
  } finally {
    await gateway.stop();
    await adminQuery(`drop database if exists ${name} with (force)`).catch(() => {});
  }
}

const version = await postgresVersion();
if (!version) throw new Error(`PostgreSQL at ${POSTGRES_ADMIN_URL} does not answer; the memory benchmark measures the gateway on PostgreSQL`);
if (BASELINE && !existsSync(resolve(BASELINE, 'dist/main.js'))) throw new Error(`${BASELINE}/dist/main.js is missing: build the baseline first (npm run build in it)`);
if (RUNTIMES.includes('compiled') && !existsSync(resolve(ROOT, 'dist/main.js'))) {
  log('dist/main.js is missing: npm run build');
  const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
}
const [load1, load5, load15] = loadavg();
const startedAt = new Date();
const tasker = await startReferenceTasker({ signingSecret: BENCH_SECRET });
const replay = await startMeasuredProcess('replay Tasker', 'replay-tasker.ts', { BENCH_SIGNING_SECRET: BENCH_SECRET });
const results = [];
try {
  const subjects: Subject[] = [
    ...(BASELINE ? [{ label: 'baseline', root: BASELINE, runtime: 'compiled' as const, flags: [] }] : []),
    ...RUNTIMES.map((runtime) => ({ label: runtime, root: ROOT, runtime, flags: [] })),
    ...(NODE_FLAGS.length > 0 ? [{ label: `compiled ${NODE_FLAGS.join(' ')}`, root: ROOT, runtime: 'compiled' as const, flags: NODE_FLAGS }] : []),
  ];
  for (const subject of subjects) {
    log(`measuring the gateway (${subject.label})`);
    results.push(await measure(subject, replay.url, async (on) => void (await replay.command(on ? 'record' : 'replay', on ? tasker.url : undefined))));
  }
} finally {
  await replay.stop();
  await tasker.close();
}

const lines = [
  `Run of ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${load1!.toFixed(1)} / ${load5!.toFixed(1)} / ${load15!.toFixed(1)} at the start; Node ${process.version}; PostgreSQL ${version}; ${CALLS.toLocaleString('en')} calls at concurrency ${CONCURRENCY} (GraphQL \`ListIssues\`, MCP \`tools/call list_issues\`, \`GetAgentSession\` in turn), NODE_ENV=production.`,
  '',
  `| gateway | RSS at start MB | ${results[0]!.samples.slice(1).map((s) => `after ${s.calls / 1000}k`).join(' | ')} | spread after ${SETTLED_AFTER / 1000}k | calls/s | gateway CPU ms/call | failed calls |`,
  `|---|--:|${results[0]!.samples.slice(1).map(() => '--:|').join('')}--:|--:|--:|--:|`,
  ...results.map((result) => {
    const settled = result.samples.filter((s) => s.calls >= SETTLED_AFTER).map((s) => s.rss);
    const low = Math.min(...settled);
    const high = Math.max(...settled);
    const spread = `${(((high - low) / low) * 100).toFixed(1)}% (${low.toFixed(0)}–${high.toFixed(0)} MB)`;
    const flags = result.subject.flags.map((flag) => `${flag} `).join('');
    const command = result.subject.runtime === 'compiled' ? `\`node ${flags}dist/main.js\`` : `\`node ${flags}--import tsx src/main.ts\``;
    const label = result.subject.label === 'baseline' ? `${command} (baseline: ${BASELINE})` : command;
    return `| ${label} | ${result.samples[0]!.rss.toFixed(0)} | ${result.samples.slice(1).map((s) => s.rss.toFixed(0)).join(' | ')} | ${spread} | ${(CALLS / result.seconds).toFixed(0)} | ${result.cpuPerCall.toFixed(2)} | ${result.failures} |`;
  }),
];
process.stdout.write(`\n${lines.join('\n')}\n`);
