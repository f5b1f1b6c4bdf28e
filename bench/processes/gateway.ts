import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { Database } from '../../src/db/tables.js';
import { serveParent } from '../lib/ipc.js';
import { seedAuditEvents } from '../lib/audit-seed.js';
import { profilerCommands } from '../lib/profiler.js';

/**
 * One gateway, in its own process, as the benchmark measures it: the real composition root
 * (`createGatewayApp`) on PGlite or PostgreSQL, listening on loopback. The database handle is built
 * here with Kysely's log hook, which sees every statement the gateway sends (begin and commit
 * included), so statements per call are counted rather than assumed.
 *
 * BENCH_GATEWAY_ROOT points at another checkout of the gateway (with its own node_modules or a
 * link to these) to measure an older commit in the same run; by default this checkout is measured.
 */
const root = resolve(process.env.BENCH_GATEWAY_ROOT ?? new URL('../..', import.meta.url).pathname);
const from = <T>(path: string) => import(pathToFileURL(resolve(root, path)).href) as Promise<T>;

const { createGatewayApp } = await from<typeof import('../../src/app.js')>('src/app.ts');
const { loadConfig } = await from<typeof import('../../src/config/config.js')>('src/config/config.ts');
const { openDatabase, pgPoolOf, createPgPool } = await from<typeof import('../../src/db/database.js')>('src/db/database.ts');
const { PGliteDialect } = await from<typeof import('../../src/db/dialects/pglite/pglite-dialect.js')>('src/db/dialects/pglite/pglite-dialect.ts');
const { migrateToLatest } = await from<typeof import('../../src/db/migrate.js')>('src/db/migrate.ts');
const { listen } = await from<typeof import('../../src/http/server.js')>('src/http/server.ts');
const { createLogger } = await from<typeof import('../../src/logging/logger.js')>('src/logging/logger.ts');

const databaseUrl = process.env.BENCH_DATABASE_URL;
const config = {
  ...loadConfig({
    NODE_ENV: 'development',
    LAUNCHER_JWT_SECRET: process.env.BENCH_SIGNING_SECRET,
    TASKER_SIGNING_SECRET: process.env.BENCH_SIGNING_SECRET,
    TASKER_URL: process.env.BENCH_UPSTREAM_URL,
    LOG_LEVEL: 'silent',
    LAUNCHER_JWT_MAX_TTL_SECONDS: '3600',
    // Counted as in production, never reached: the benchmark measures the gateway, not its limits.
    RATE_LIMIT_NETWORK_PER_MINUTE: '10000000',
    RATE_LIMIT_AGENT_PER_MINUTE: '10000000',
    RATE_LIMIT_LAUNCHER_PER_MINUTE: '10000000',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  }),
  database: databaseUrl ? { kind: 'postgres' as const, url: databaseUrl } : { kind: 'pglite' as const, dataDir: null },
};

let statements = 0;
const count = () => {
  statements += 1;
};
/**
 * Every statement sent to the database, whoever sends it: on PostgreSQL each query of every pool
 * client (Kysely's and any other user of the pool, such as the shared rate limits), on PGlite each
 * statement Kysely runs. Begin and commit count too. The LISTEN session is not a pool client.
 */
async function countedDatabase() {
  if (!databaseUrl) return new Kysely<Database>({ dialect: new PGliteDialect(new PGlite()), log: count });
  // A baseline from before pgPoolOf existed (199ee20) had no other user of the pool: Kysely's log hook sees it all.
  if (typeof pgPoolOf !== 'function') return new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPgPool(databaseUrl) }), log: count });
  const opened = await openDatabase({ kind: 'postgres', url: databaseUrl });
  const counted = new WeakSet<object>();
  pgPoolOf(opened)!.on('acquire', (client) => {
    if (counted.has(client)) return;
    counted.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      count();
      return query(...args);
    };
  });
  return opened;
}
const db = await countedDatabase();
await migrateToLatest(db);
const app = createGatewayApp({ config, db, logger: createLogger('silent') });
const server = await listen(app.fetch, '127.0.0.1', 0);

serveParent({
  url: server.url,
  statements: () => statements,
  commands: {
    ...profilerCommands(),
    // A large audit log under this gateway (bench/audit-contention.ts); answers once it is written.
    'seed-audit': async (rows) => {
      await seedAuditEvents(db, Number(rows));
      return true;
    },
  },
});
process.on('SIGTERM', async () => {
  await server.close();
  await app.close();
  await db.destroy();
  process.exit(0);
});
