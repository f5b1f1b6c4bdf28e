import { randomBytes } from 'node:crypto';
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
 * `npx tsx bench/heavy-document.ts`: how long another agent's call waits while a Launcher user
 * runs the heaviest document the limits allow, over and over. Seeds 100 agents with 20 tokens
 * and 20 grants each, then runs, side by side, (a) the heaviest allowed Launcher document in a
 * loop and (b) an agent's list_issues calls; prints the agent calls' latencies with and without
 * the heavy load, and the heavy document's own time. Asserts nothing. BENCH_DATABASE_URL measures
 * PostgreSQL instead of embedded PGlite.
 */
const AGENT_CALLS = Number(process.env.BENCH_CALLS ?? 200);
const secret = randomBytes(32).toString('hex');
const databaseUrl = process.env.BENCH_DATABASE_URL;
const tasker = await startReferenceTasker({ signingSecret: secret, ...(databaseUrl ? { databaseUrl } : {}) });
const config = {
  ...loadConfig({ NODE_ENV: 'test', LAUNCHER_JWT_SECRET: secret, TASKER_SIGNING_SECRET: secret, TASKER_URL: tasker.url, LOG_LEVEL: 'silent', LAUNCHER_JWT_MAX_TTL_SECONDS: '3600' }),
  database: databaseUrl ? { kind: 'postgres' as const, url: databaseUrl } : { kind: 'pglite' as const, dataDir: null },
};
const db = await openDatabase(config.database);
await migrateToLatest(db);
const app = createGatewayApp({ config, db, logger: createLogger('silent') });
const server = await listen(app.fetch, '127.0.0.1', 0);
const launcher = await mintLauncherJwt(secret, { sub: 'local-user', email: 'local@example.test', role: 'user' }, { audience: config.launcherJwt.audience, ttlSeconds: 3600 });

const gql = async (query: string, variables: Record<string, unknown>, token: string) => {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, Record<string, unknown>>; errors?: { message: string }[] };
};

// Seed straight into the database: 100 agents × (20 tokens, 20 grants) for the Launcher user.
const agents = await db
  .insertInto('agents')
  .values(Array.from({ length: 100 }, (_, i) => ({ owner_user_id: 'local-user', owner_email: 'local@example.test', display_name: `seed ${i}` })))
  .returning('id')
  .execute();
for (const { id } of agents) {
  await db
    .insertInto('agent_grants')
    .values(Array.from({ length: 20 }, (_, g) => ({ agent_id: id, tasker_project_id: `project-${g}`, scopes: ['issues:read' as const] })))
    .execute();
  await db
    .insertInto('agent_tokens')
    .values(
      Array.from({ length: 20 }, (_, t) => ({
        agent_id: id,
        name: `seed token ${t}`,
        token_hash: randomBytes(32).toString('hex'),
        display_prefix: 'ndcag_seed',
        last_characters: 'seed',
        scopes: null,
        created_via: 'launcher' as const,
        expires_at: new Date(Date.now() + 86_400_000),
      })),
    )
    .execute();
}

// The other agent, with a grant on DEMO.
const agentId = (await gql('mutation { createAgent(input: { displayName: "bench" }) { id } }', {}, launcher)).data!.createAgent!.id as string;
await gql('mutation($i: SetGrantInput!) { setGrant(input: $i) { projectId } }', { i: { agentId, projectId: DEMO_IDS.projects.DEMO.id, scopes: ['ISSUES_READ'] } }, launcher);
const token = (await gql('mutation($i: CreateTokenInput!) { createToken(input: $i) { secret } }', { i: { agentId, name: 'bench' } }, launcher)).data!
  .createToken!.secret as string;
const listIssues = loadToolManifest().tools.find((tool) => tool.name === 'list_issues')!;
const agentCall = async () => {
  const t0 = performance.now();
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ variables: { projectId: DEMO_IDS.projects.DEMO.id, first: 5 }, extensions: { persistedQuery: { version: 1, sha256Hash: listIssues.operationId } } }),
  });
  if (response.status !== 200) throw new Error(`agent call answered ${response.status}`);
  await response.arrayBuffer();
  return performance.now() - t0;
};

// The heaviest document the default limits let through: 15 aliases (the alias limit), each a full
// page of agents with as many tokens as the cost budget leaves: 15 × (1 + 100 × (1 + (1 + 15 × 1))) = 25 515
// is over 25 000, so 14 tokens: 15 × (1 + 100 × 16) = 24 015.
const { maxCost, maxAliases } = config.graphql.limits;
const perAlias = (tokens: number) => 1 + 100 * (1 + (1 + tokens));
let tokensPerAgent = 100;
while (perAlias(tokensPerAgent) * maxAliases > maxCost) tokensPerAgent -= 1;
const heavy = `{ ${Array.from({ length: maxAliases }, (_, i) => `a${i}: agents(first: 100) { nodes { tokens(first: ${tokensPerAgent}) { id } } }`).join(' ')} }`;
const probe = await gql(heavy, {}, launcher);
if (probe.errors) throw new Error(`the heavy document was refused: ${probe.errors[0]!.message}`);
const overBudget = await gql(heavy.replaceAll(`tokens(first: ${tokensPerAgent})`, `tokens(first: ${tokensPerAgent + 1})`), {}, launcher);

const stats = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  return `n=${samples.length} p50=${at(0.5)} ms p95=${at(0.95)} ms max=${sorted.at(-1)!.toFixed(1)} ms`;
};

for (let i = 0; i < 10; i += 1) await agentCall();
const quiet: number[] = [];
for (let i = 0; i < AGENT_CALLS; i += 1) quiet.push(await agentCall());

const heavyTimes: number[] = [];
let running = true;
const heavyLoop = (async () => {
  while (running) {
    const t0 = performance.now();
    await gql(heavy, {}, launcher);
    heavyTimes.push(performance.now() - t0);
  }
})();
const loaded: number[] = [];
for (let i = 0; i < AGENT_CALLS; i += 1) loaded.push(await agentCall());
running = false;
await heavyLoop;

process.stdout.write(
  [
    `database: ${databaseUrl ? 'PostgreSQL' : 'PGlite (embedded)'}`,
    `heaviest allowed document: ${maxAliases} aliases × agents(first: 100) { nodes { tokens(first: ${tokensPerAgent}) { id } } }, ${heavy.length} bytes, cost ${perAlias(tokensPerAgent) * maxAliases} of ${maxCost}`,
    `one more token per agent is refused: ${overBudget.errors?.[0]?.message ?? 'NOT refused'}`,
    `heavy document, each run:        ${stats(heavyTimes)}`,
    `agent list_issues, quiet:        ${stats(quiet)}`,
    `agent list_issues, under load:   ${stats(loaded)}`,
    '',
  ].join('\n'),
);
await server.close();
await app.close();
await db.destroy();
await tasker.close();
