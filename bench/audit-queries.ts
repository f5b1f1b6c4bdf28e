import { randomBytes } from 'node:crypto';
import { availableParallelism, cpus } from 'node:os';
import { CompiledQuery, type Kysely } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../src/config/config.js';
import { type Db, openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { type AuditEventFilter, listAuditEvents } from '../src/db/repositories/audit-events.js';
import type { Database } from '../src/db/tables.js';
import { SEEDED_USER, seedAuditEvents, seededAgentUuid } from './lib/audit-seed.js';

/**
 * `npm run bench:audit`: the Launcher's `auditEvents` queries, as the gateway runs them
 * (src/db/repositories/audit-events.ts), on a table of BENCH_AUDIT_ROWS (1,000,000) events, on
 * PostgreSQL (a fresh database on BENCH_POSTGRES_URL's server, dropped afterwards) and on in-memory
 * PGlite. For each query: p50/p99 over BENCH_AUDIT_RUNS runs and the plan PostgreSQL chose (EXPLAIN
 * ANALYZE, summarised). Prints a Markdown table; asserts nothing. BENCH_AUDIT_DATABASES=postgres or
 * pglite measures one only.
 *
 * The rows: 1,000 users owning 5 agents each, spread over 400 days; 70% agent calls, 25% Launcher
 * actions (one in ten by another user, as an admin acting on someone's agent), 5% anonymous refusals.
 */
const ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_AUDIT_RUNS ?? 200);
const WARMUP = 10;
const PAGE = 50;
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASES = (process.env.BENCH_AUDIT_DATABASES ?? 'postgres,pglite').split(',');

const USER = SEEDED_USER;
const AGENT = seededAgentUuid(7);
const seed = (db: Db) => seedAuditEvents(db, ROWS);

interface Case {
  name: string;
  filter: (deep: Cursors) => AuditEventFilter;
}

type Cursors = Record<'admin' | 'user', AuditEventFilter['before']>;

const CASES: Case[] = [
  { name: 'admin, unfiltered, first page', filter: () => ({ limit: PAGE + 1 }) },
  { name: `admin, unfiltered, deep page (row ${(ROWS / 2).toLocaleString('en')})`, filter: (deep) => ({ limit: PAGE + 1, before: deep.admin }) },
  { name: 'user, own view (owner OR own Launcher action), first page', filter: () => ({ limit: PAGE + 1, visibleToUserId: USER }) },
  { name: 'user, own view, deep page (middle of their events)', filter: (deep) => ({ limit: PAGE + 1, visibleToUserId: USER, before: deep.user }) },
  { name: 'user, one agent, first page', filter: () => ({ limit: PAGE + 1, visibleToUserId: USER, agentId: AGENT }) },
  { name: 'admin, one agent, first page', filter: () => ({ limit: PAGE + 1, agentId: AGENT }) },
];

/** Positions half-way down the log, found once with OFFSET (which the pages themselves never use). */
async function deepCursors(db: Db): Promise<Cursors> {
  const admin = await db.selectFrom('audit_events').select(['occurred_at', 'id']).orderBy('occurred_at', 'desc').orderBy('id', 'desc').offset(Math.floor(ROWS / 2)).limit(1).executeTakeFirstOrThrow();
  const mine = await db
    .selectFrom('audit_events')
    .select(['occurred_at', 'id'])
    .where((eb) => eb.or([eb('owner_user_id', '=', USER), eb.and([eb('actor_kind', '=', 'launcher'), eb('actor_id', '=', USER)])]))
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .offset(Math.floor(ROWS / 2000))
    .limit(1)
    .executeTakeFirstOrThrow();
  return { admin: { occurredAt: admin.occurred_at, id: admin.id }, user: { occurredAt: mine.occurred_at, id: mine.id } };
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  Plans?: PlanNode[];
}

/** "Limit → Merge Append → Index Scan Backward (audit_events_owner_time_idx) + …", scans named. */
function describePlan(node: PlanNode): string {
  const scan = node['Index Name'] ? `${node['Node Type']}${node['Scan Direction'] === 'Backward' ? ' Backward' : ''} (${node['Index Name']})` : node['Node Type'];
  const children = (node.Plans ?? []).map(describePlan);
  if (children.length === 0) return scan;
  return `${scan} → ${children.length === 1 ? children[0] : `[${children.join(' + ')}]`}`;
}

/** The plan of the statement the repository sends, captured through Kysely's log hook. */
async function explain(db: Kysely<Database>, statements: CompiledQuery[], filter: AuditEventFilter): Promise<{ plan: string; executionMs: number }> {
  statements.length = 0;
  await listAuditEvents(db, filter);
  const statement = statements.at(-1)!;
  const { rows } = await db.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }>(
    CompiledQuery.raw(`explain (analyze, format json) ${statement.sql}`, [...statement.parameters]),
  );
  const [result] = rows[0]!['QUERY PLAN'];
  // Strip the Subquery Scan wrappers of the UNION branches: they only rename columns.
  return { plan: describePlan(result.Plan).replaceAll('Subquery Scan → ', ''), executionMs: result['Execution Time'] };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** The same connection, keeping each statement the repository sends, compiled as it is sent. */
function capturing(db: Db, statements: CompiledQuery[]): Kysely<Database> {
  return db.withPlugin({
    transformQuery: (args) => {
      statements.push(db.getExecutor().compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: async (args) => args.result,
  });
}

async function measure(kind: string, config: DatabaseConfig, drop: () => Promise<void>): Promise<string[]> {
  const db = await openDatabase(config);
  const statements: CompiledQuery[] = [];
  const explaining = capturing(db, statements);
  const rows: string[] = [];
  try {
    await migrateToLatest(db);
    const seeded = performance.now();
    await seed(db);
    process.stderr.write(`${kind}: ${ROWS.toLocaleString('en')} rows seeded in ${((performance.now() - seeded) / 1000).toFixed(0)} s\n`);
    const deep = await deepCursors(db);
    for (const testCase of CASES) {
      const filter = testCase.filter(deep);
      for (let i = 0; i < WARMUP; i += 1) await listAuditEvents(db, filter);
      const times: number[] = [];
      for (let i = 0; i < RUNS; i += 1) {
        const started = performance.now();
        await listAuditEvents(db, filter);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const { plan, executionMs } = await explain(explaining, statements, filter);
      rows.push(`| ${kind} | ${testCase.name} | ${percentile(times, 50).toFixed(2)} | ${percentile(times, 99).toFixed(2)} | ${executionMs.toFixed(2)} | ${plan} |`);
      process.stderr.write(`${kind}: ${testCase.name}: p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms\n`);
    }
  } finally {
    await db.destroy();
    await drop();
  }
  return rows;
}

async function postgres(): Promise<{ config: DatabaseConfig; drop: () => Promise<void> }> {
  const name = `bench_audit_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    // Seeding a million rows takes longer than the gateway's statement timeout allows a request.
    config: { kind: 'postgres', url: url.toString(), pool: { size: 2, acquireTimeoutMs: 60_000, statementTimeoutMs: 3_600_000 } },
    drop: async () => {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

const results: string[] = [];
for (const kind of DATABASES) {
  if (kind === 'postgres') {
    const { config, drop } = await postgres();
    results.push(...(await measure('PostgreSQL', config, drop)));
  } else if (kind === 'pglite') {
    results.push(...(await measure('PGlite', { kind: 'pglite', dataDir: null }, async () => {})));
  }
}

process.stdout.write(
  [
    `Audit queries at ${ROWS.toLocaleString('en')} rows, ${RUNS} runs each (page of ${PAGE}); ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${availableParallelism()} × ${cpus()[0]?.model ?? 'cpu'}`,
    '',
    '| database | query | p50 ms | p99 ms | EXPLAIN ANALYZE ms | plan |',
    '| --- | --- | --- | --- | --- | --- |',
    ...results,
    '',
  ].join('\n'),
);
