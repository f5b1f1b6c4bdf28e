import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { DEMO_IDS, startReferenceTasker } from '../../reference-tasker/index.js';
import { mintLauncherJwt } from '../../src/auth/launcher-jwt.js';
import type { ToolManifest } from '../../src/mcp/tool-manifest.js';
import { type MeasuredProcess, startMeasuredProcess } from './ipc.js';
import type { CallSpec } from './load.js';

/**
 * What every benchmark stands on: a replaying Tasker (answers recorded from the reference Tasker at
 * the start), one gateway process per database (and per checkout, with a baseline), each with an
 * agent of the demo user granted the DEMO project, and the bare signed proxy beside them.
 */
export const BENCH_SECRET = randomBytes(32).toString('hex');
export const DEMO = DEMO_IDS.projects.DEMO.id;
export const LIST_VARIABLES = { projectId: DEMO, first: 20 };
export const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const THIS_ROOT = resolve(new URL('../..', import.meta.url).pathname);
export const log = (line: string) => process.stderr.write(`${line}\n`);

export type DatabaseKind = 'pglite' | 'postgres';

export interface BenchGateway {
  label: string;
  version: 'after' | 'before';
  database: DatabaseKind;
  process: MeasuredProcess;
  manifest: ToolManifest;
  agentId: string;
  token: string;
  /** A Launcher JWT of the agent's owner (an hour long). */
  owner: string;
}

export interface BenchStack {
  replay: MeasuredProcess;
  gateways: BenchGateway[];
  bare: MeasuredProcess;
  /** The upstream path of the recorded list_issues call, for the bare proxy. */
  listPath: string;
  postgresVersion: string | undefined;
  close(): Promise<void>;
}

export async function postgresVersion(): Promise<string | undefined> {
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

export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function launcherGraphql(url: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, Record<string, unknown>>; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`setup failed at ${url}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

export const mintLauncher = (sub: string, role: 'user' | 'admin' = 'user') =>
  mintLauncherJwt(BENCH_SECRET, { sub, email: `${sub}@example.test`, role }, { audience: 'nodedc-tasker-agent-gateway', ttlSeconds: 3600 });

const graphqlSucceeded = (status: number, body: string) => status === 200 && !body.includes('"errors"');

export function persistedCall(gateway: BenchGateway, operationName: string, variables: Record<string, unknown>): CallSpec {
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
export function mcpToolCall(gateway: BenchGateway, name: string, args: Record<string, unknown>): CallSpec {
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

/** A Launcher document sent as-is (the Launcher may send any document its principal allows). */
export function launcherCall(url: string, token: string, query: string, variables: Record<string, unknown> = {}): CallSpec & { url: string } {
  return {
    url,
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    succeeded: graphqlSucceeded,
  };
}

export async function checkOnce(url: string, spec: CallSpec): Promise<void> {
  const response = await fetch(`${url}${spec.path}`, { method: spec.method, headers: spec.headers, ...(spec.body ? { body: spec.body } : {}) });
  const text = await response.text();
  if (!spec.succeeded(response.status, text)) throw new Error(`${spec.method} ${url}${spec.path} does not succeed: ${response.status} ${text.slice(0, 400)}`);
}

export async function startBenchStack(options: { databases: DatabaseKind[]; baseline?: string | undefined }): Promise<BenchStack> {
  const version = options.databases.includes('postgres') ? await postgresVersion() : undefined;
  const databases = options.databases.filter((database) => database === 'pglite' || version !== undefined);
  if (options.databases.includes('postgres') && !version) log(`PostgreSQL at ${POSTGRES_ADMIN_URL} does not answer: measuring PGlite only`);

  const children: MeasuredProcess[] = [];
  const createdDatabases: string[] = [];
  const tasker = await startReferenceTasker({ signingSecret: BENCH_SECRET });
  // A baseline older than the signing key ids signs the older way: it records from its own reference Tasker.
  const baselineTasker = options.baseline
    ? await ((await import(pathToFileURL(resolve(options.baseline, 'reference-tasker/index.ts')).href)) as { startReferenceTasker: typeof startReferenceTasker }).startReferenceTasker({
        signingSecret: BENCH_SECRET,
      })
    : undefined;
  let taskerOpen = true;
  const closeTasker = async () => {
    if (taskerOpen) {
      await tasker.close();
      await baselineTasker?.close();
    }
    taskerOpen = false;
  };
  const close = async () => {
    for (const child of children) await child.stop();
    await closeTasker().catch(() => {});
    for (const name of createdDatabases) await adminQuery(`drop database if exists ${name} with (force)`).catch(() => {});
  };

  try {
    const replay = await startMeasuredProcess('replay Tasker', 'replay-tasker.ts', {
      BENCH_SIGNING_SECRET: BENCH_SECRET,
      ...(options.baseline ? { BENCH_BASELINE_ROOT: options.baseline } : {}),
    });
    children.push(replay);

    const gateways: BenchGateway[] = [];
    for (const database of databases) {
      for (const which of options.baseline ? (['before', 'after'] as const) : (['after'] as const)) {
        log(`starting gateway (${which}, ${database})`);
        const root = which === 'before' ? options.baseline! : THIS_ROOT;
        const label = `${which === 'before' ? 'before' : 'now'}, ${database === 'pglite' ? 'PGlite' : 'PostgreSQL'}`;
        let databaseUrl: string | undefined;
        if (database === 'postgres') {
          const name = `gateway_bench_${randomBytes(5).toString('hex')}`;
          await adminQuery(`create database ${name}`);
          createdDatabases.push(name);
          const url = new URL(POSTGRES_ADMIN_URL);
          url.pathname = `/${name}`;
          databaseUrl = url.toString();
        }
        const gatewayProcess = await startMeasuredProcess(`gateway (${label})`, 'gateway.ts', {
          BENCH_GATEWAY_ROOT: root,
          BENCH_SIGNING_SECRET: BENCH_SECRET,
          BENCH_UPSTREAM_URL: replay.url,
          ...(databaseUrl ? { BENCH_DATABASE_URL: databaseUrl } : {}),
        });
        children.push(gatewayProcess);
        const owner = await mintLauncher('local-user');
        const agentId = (await launcherGraphql(gatewayProcess.url, owner, 'mutation { createAgent(input: { displayName: "bench" }) { id } }')).createAgent!.id as string;
        await launcherGraphql(gatewayProcess.url, owner, 'mutation($i: SetGrantInput!) { setGrant(input: $i) { projectId } }', {
          i: { agentId, projectId: DEMO, scopes: ['PROJECTS_READ', 'ISSUES_READ'] },
        });
        const created = await launcherGraphql(gatewayProcess.url, owner, 'mutation($i: CreateTokenInput!) { createToken(input: $i) { secret } }', {
          i: { agentId, name: 'bench' },
        });
        const manifest = JSON.parse(readFileSync(resolve(root, 'src/mcp/generated/tool-manifest.json'), 'utf8')) as ToolManifest;
        const gateway: BenchGateway = { label, version: which, database, process: gatewayProcess, manifest, agentId, token: created.createToken!.secret as string, owner };
        gateways.push(gateway);
        // Recording: each kind of call once, through the reference Tasker (the baseline's own for the baseline).
        await replay.command('record', (which === 'before' && baselineTasker ? baselineTasker : tasker).url);
        for (const spec of [persistedCall(gateway, 'ListIssues', LIST_VARIABLES), mcpToolCall(gateway, 'list_issues', LIST_VARIABLES), persistedCall(gateway, 'GetAgentSession', {})]) {
          await checkOnce(gatewayProcess.url, spec);
        }
      }
    }
    const recorded = (await replay.command('replay')) as string[];
    await closeTasker();
    const listPath = recorded.find((key) => key.startsWith('GET ') && key.includes('/issues?'))?.split(' ')[1];
    if (!listPath) throw new Error(`the gateways' list_issues call was not recorded (recorded: ${recorded.join(', ')})`);
    const bare = await startMeasuredProcess('bare proxy', 'bare-proxy.ts', { BENCH_SIGNING_SECRET: BENCH_SECRET, BENCH_UPSTREAM_URL: replay.url });
    children.push(bare);
    return { replay, gateways, bare, listPath, postgresVersion: version, close };
  } catch (error) {
    await close();
    throw error;
  }
}
