import { mkdir } from 'node:fs/promises';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { type DatabaseConfig, DEFAULT_POOL_SETTINGS } from '../config/config.js';
import type { Database } from './tables.js';
import type { PGlite } from '@electric-sql/pglite';

export type Db = Kysely<Database>;
/** Repositories take either; a caller decides whether a call is part of a transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;

/**
 * Every wait on PostgreSQL is bounded, so a slow or absent database turns into a quick
 * SERVICE_UNAVAILABLE instead of requests piling up: a free connection must come within the
 * acquire timeout, a statement may run at most the statement timeout (enforced by the server,
 * with a client-side backstop a little later in case the server itself does not answer), and a
 * transaction left idle is ended by the server.
 */
export function createPgPool(url: string, settings = DEFAULT_POOL_SETTINGS): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: settings.size,
    connectionTimeoutMillis: settings.acquireTimeoutMs,
    statement_timeout: settings.statementTimeoutMs,
    query_timeout: settings.statementTimeoutMs + 1_000,
    idle_in_transaction_session_timeout: settings.statementTimeoutMs,
    application_name: 'tasker-agent-gateway',
  });
  // An idle client's network error must not crash the process; the next query reports it.
  pool.on('error', () => {});
  return pool;
}

const pools = new WeakMap<Db, pg.Pool>();

const usages = new WeakMap<Db, () => { size: number; inUse: number; waiting: number }>();

/** How many connections a database handle has lent out and how many queries wait (pool metrics). */
export const databaseUsageOf = (db: Db): (() => { size: number; inUse: number; waiting: number }) =>
  usages.get(db) ?? (() => ({ size: 0, inUse: 0, waiting: 0 }));

/** The PostgreSQL pool behind a database handle (for stores that speak pg directly), if any. */
export const pgPoolOf = (db: Db): pg.Pool | undefined => pools.get(db);

export async function openDatabase(config: DatabaseConfig): Promise<Db> {
  if (config.kind === 'postgres') {
    const pool = createPgPool(config.url, config.pool);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    pools.set(db, pool);
    const size = config.pool?.size ?? DEFAULT_POOL_SETTINGS.size;
    usages.set(db, () => ({ size, inUse: pool.totalCount - pool.idleCount, waiting: pool.waitingCount }));
    return db;
  }
  if (config.dataDir !== null) await mkdir(config.dataDir, { recursive: true });
  // Imported only when PGlite is the database: a gateway on PostgreSQL never loads its module.
  const { PGlite } = await import('@electric-sql/pglite');
  return pgliteDatabase(config.dataDir === null ? new PGlite() : new PGlite(config.dataDir));
}

/**
 * A database handle over an embedded PGlite already made: the one way openDatabase wraps it, also
 * used by the tests, which start each in-memory PGlite from a prepared dump instead of running initdb.
 */
export async function pgliteDatabase(pglite: PGlite): Promise<Db> {
  const { PGliteDialect } = await import('./dialects/pglite/pglite-dialect.js');
  const dialect = new PGliteDialect(pglite);
  const db = new Kysely<Database>({ dialect });
  usages.set(db, () => ({ size: 1, ...dialect.usage() }));
  return db;
}
