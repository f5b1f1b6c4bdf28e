import { randomBytes } from 'node:crypto';
import { createGatewayApp, type GatewayApp } from '../../src/app.js';
import { mintLauncherJwt } from '../../src/auth/launcher-jwt.js';
import { type Config, loadConfig } from '../../src/config/config.js';
import type { Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { listen, type RunningServer } from '../../src/http/server.js';
import { createLogger } from '../../src/logging/logger.js';
import { loadToolManifest } from '../../src/mcp/manifest.js';
import { startTracing } from '../../src/observability/tracing.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/**
 * The one set-up every gateway suite uses: a fresh migrated database, the real app, listening on
 * loopback. Tests talk to it over HTTP only; `db` is there to check what was stored.
 */
export interface TestGateway {
  url: string;
  db: Db;
  config: Config;
  app: GatewayApp;
  database: TestDatabase;
  /** Moves the gateway's clock (token expiry, pairing code expiry). */
  clock: { offsetMs: number };
  launcherToken(user: { sub: string; email?: string; role?: 'user' | 'admin' }): Promise<string>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  /** Runs once the database exists and before the gateway starts; returns more environment (TASKER_URL). */
  prepare?: (database: TestDatabase) => Promise<Record<string, string>>;
  /** Collects every log line at debug level; without it the gateway logs nothing. */
  logLines?: string[];
}

export async function startTestGateway(env: Record<string, string> = {}, options: TestGatewayOptions = {}): Promise<TestGateway> {
  const database = await createTestDatabase(undefined, { migrated: true });
  const secret = randomBytes(32).toString('hex');
  const prepared = options.prepare ? await options.prepare(database) : {};
  const loaded = loadConfig({
    NODE_ENV: 'test',
    LAUNCHER_JWT_SECRET: secret,
    TASKER_SIGNING_SECRET: randomBytes(32).toString('hex'),
    // On PostgreSQL the pool settings (DATABASE_POOL_SIZE, …) of `env` apply to the test database.
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    // Suites talk from one loopback network in bursts; the rate-limit suite sets its own limits.
    RATE_LIMIT_NETWORK_PER_MINUTE: '1000000',
    RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '1000000',
    RATE_LIMIT_AGENT_PER_MINUTE: '1000000',
    RATE_LIMIT_LAUNCHER_PER_MINUTE: '1000000',
    RATE_LIMIT_OAUTH_PER_MINUTE: '1000000',
    // Suites count and fault the requests Tasker sees; the probe's own would get in the way (tasker-probe.test.ts turns it on).
    TASKER_PROBE_INTERVAL_SECONDS: '0',
    // The Launcher JWTs below live as long as the gateway allows: a test file that runs for minutes
    // on a busy machine must not see its owner's token expire (a suite that tests the limit sets it).
    LAUNCHER_JWT_MAX_TTL_SECONDS: '3600',
    ...env,
    ...prepared,
  });
  const config: Config = { ...loaded, database: database.url ? loaded.database : database.config };
  const db = await database.open(config.database);
  await migrateToLatest(db);
  const clock = { offsetMs: 0 };
  const logger = options.logLines ? createLogger('debug', (line) => options.logLines!.push(line), { redactAgentText: config.logRedactAgentText }) : createLogger('silent');
  // As main.ts does: span export only with an OTLP endpoint in `env` (test/observability/otel-export.test.ts).
  const tracing = await startTracing(config.tracing, logger);
  const app = createGatewayApp({ config, db, logger, tracing, now: () => new Date(Date.now() + clock.offsetMs) });
  const server: RunningServer = await listen(app.fetch, '127.0.0.1', 0);
  return {
    url: server.url,
    db,
    config,
    app,
    database,
    clock,
    launcherToken: (user) =>
      mintLauncherJwt(
        secret,
        { sub: user.sub, email: user.email ?? `${user.sub}@example.test`, role: user.role ?? 'user' },
        { audience: config.launcherJwt.audience, ttlSeconds: config.launcherJwt.maxTtlSeconds },
      ),
    close: async () => {
      await server.close();
      await app.close();
      await tracing.shutdown();
      await db.destroy();
      await database.drop();
    },
  };
}

export interface GraphQLResult<Data = Record<string, unknown>> {
  status: number;
  data: Data | null | undefined;
  errors: { message: string; path?: string[]; extensions: { code: string; details?: Record<string, unknown> } }[] | undefined;
  /** The answer's own extensions (a write's `idempotencyKey`). */
  extensions?: Record<string, unknown> | undefined;
}

export async function graphql<Data = Record<string, unknown>>(
  gateway: { url: string },
  query: string,
  options: { variables?: Record<string, unknown>; token?: string; headers?: Record<string, string> } = {},
): Promise<GraphQLResult<Data>> {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
  });
  const body = (await response.json()) as { data?: Data | null; errors?: GraphQLResult['errors'] };
  return { status: response.status, data: body.data, errors: body.errors };
}

/** `Body` is what the test expects to read; the assertions check it, the type only names it. */
export async function rest<Body = Record<string, unknown>>(
  gateway: { url: string },
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Body; headers: Headers }> {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined || options.rawBody !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    ...(options.rawBody !== undefined ? { body: options.rawBody } : options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as Body, headers: response.headers };
}

/**
 * Runs one of the gateway's persisted operations (src/mcp/operations) by id, the only way an
 * agent token may use GraphQL.
 */
export async function runOperation<Data = Record<string, unknown>>(
  gateway: { url: string },
  operationName: string,
  options: { variables?: Record<string, unknown>; token?: string; headers?: Record<string, string> } = {},
): Promise<GraphQLResult<Data>> {
  const tool = loadToolManifest().tools.find((candidate) => candidate.operationName === operationName);
  if (!tool) throw new Error(`no persisted operation named ${operationName}`);
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({
      operationName,
      variables: options.variables ?? {},
      extensions: { persistedQuery: { version: 1, sha256Hash: tool.operationId } },
    }),
  });
  const body = (await response.json()) as { data?: Data | null; errors?: GraphQLResult['errors']; extensions?: Record<string, unknown> };
  return { status: response.status, data: body.data, errors: body.errors, extensions: body.extensions };
}

/**
 * The code of the answer's one error, so a test reads `expect(errorCode(result)).toBe(...)`. No
 * error gives undefined (and that `toBe` fails); more than one throws, naming them, so a second
 * error never hides behind the first.
 */
export function errorCode(result: Pick<GraphQLResult<unknown>, 'errors'>): string | undefined {
  const errors = result.errors ?? [];
  if (errors.length > 1) {
    throw new Error(`expected exactly one error, got ${errors.length}: ${errors.map((error) => `${error.extensions.code} (${error.message})`).join('; ')}`);
  }
  return errors[0]?.extensions.code;
}
