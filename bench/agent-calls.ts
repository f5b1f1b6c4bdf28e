import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { DEMO_IDS, startReferenceTasker } from '../reference-tasker/index.js';
import { createGatewayApp } from '../src/app.js';
import { mintLauncherJwt } from '../src/auth/launcher-jwt.js';
import { loadConfig } from '../src/config/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { listen } from '../src/http/server.js';
import { createLogger } from '../src/logging/logger.js';
import { loadToolManifest } from '../src/mcp/manifest.js';

/**
 * `npm run bench`: latency and throughput of agent calls through the whole gateway (token check,
 * both authorization layers, audit write, signed call to the reference Tasker) on embedded PGlite,
 * over loopback. Reports numbers; asserts nothing. Set BENCH_DATABASE_URL to measure PostgreSQL.
 */
const CALLS = Number(process.env.BENCH_CALLS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

function summarize(name: string, samples: number[], wallMs: number): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  return `${name.padEnd(34)} n=${samples.length}  p50=${at(0.5)} ms  p95=${at(0.95)} ms  p99=${at(0.99)} ms  ${((samples.length / wallMs) * 1000).toFixed(0)} calls/s`;
}

async function measure(name: string, calls: number, concurrency: number, call: () => Promise<void>): Promise<string> {
  for (let i = 0; i < 10; i += 1) await call(); // warm-up
  const samples: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) {
        next += 1;
        const t0 = performance.now();
        await call();
        samples.push(performance.now() - t0);
      }
    }),
  );
  return summarize(name, samples, performance.now() - started);
}

const secret = randomBytes(32).toString('hex');
const tasker = await startReferenceTasker({ signingSecret: secret, ...(process.env.BENCH_DATABASE_URL ? { databaseUrl: process.env.BENCH_DATABASE_URL } : {}) });
const config = {
  ...loadConfig({ NODE_ENV: 'test', LAUNCHER_JWT_SECRET: secret, TASKER_SIGNING_SECRET: secret, TASKER_URL: tasker.url, LOG_LEVEL: 'silent' }),
  database: process.env.BENCH_DATABASE_URL ? { kind: 'postgres' as const, url: process.env.BENCH_DATABASE_URL } : { kind: 'pglite' as const, dataDir: null },
};
const db = await openDatabase(config.database);
await migrateToLatest(db);
const app = createGatewayApp({ config, db, logger: createLogger('silent') });
const server = await listen(app.fetch, '127.0.0.1', 0);

const launcher = await mintLauncherJwt(secret, { sub: 'local-user', email: 'local@example.test', role: 'user' }, { audience: config.launcherJwt.audience });
const gql = async (query: string, variables: Record<string, unknown>, token: string) => {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data: Record<string, Record<string, unknown>> };
};
const agent = await gql('mutation { createAgent(input: { displayName: "bench" }) { id } }', {}, launcher);
const agentId = agent.data.createAgent!.id as string;
await gql(
  'mutation($i: SetGrantInput!) { setGrant(input: $i) { projectId } }',
  { i: { agentId, projectId: DEMO_IDS.projects.DEMO.id, scopes: ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE'] } },
  launcher,
);
const token = (await gql('mutation($i: CreateTokenInput!) { createToken(input: $i) { secret } }', { i: { agentId, name: 'bench' } }, launcher)).data
  .createToken!.secret as string;

const manifest = loadToolManifest();
const listIssues = manifest.tools.find((tool) => tool.name === 'list_issues')!;
const persisted = (variables: Record<string, unknown>) =>
  fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: listIssues.operationId } } }),
  }).then((response) => response.json());

const mcp = new Client({ name: 'bench', version: '1' });
await mcp.connect(new StreamableHTTPClientTransport(new URL('/mcp', server.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));

const lines = [
  `database: ${config.database.kind}; calls per row: ${CALLS}; node ${process.version}`,
  await measure('refused token (checksum, no DB)', CALLS, 1, async () => {
    await fetch(`${server.url}/api/v1/agent-session`, { headers: { authorization: 'Bearer ndcag_x' } }).then((r) => r.text());
  }),
  await measure('agent session (REST, token lookup)', CALLS, 1, async () => {
    await fetch(`${server.url}/api/v1/agent-session`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.text());
  }),
  await measure('list_issues via GraphQL, serial', CALLS, 1, async () => {
    await persisted({ projectId: DEMO_IDS.projects.DEMO.id, first: 20 });
  }),
  await measure(`list_issues via GraphQL, ${CONCURRENCY} parallel`, CALLS, CONCURRENCY, async () => {
    await persisted({ projectId: DEMO_IDS.projects.DEMO.id, first: 20 });
  }),
  await measure('list_issues via MCP tools/call', CALLS, 1, async () => {
    await mcp.callTool({ name: 'list_issues', arguments: { projectId: DEMO_IDS.projects.DEMO.id, first: 20 } });
  }),
];
process.stdout.write(`${lines.join('\n')}\n`);

await mcp.close();
await server.close();
await app.close();
await db.destroy();
await tasker.close();
