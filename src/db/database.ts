import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config/config.js';
import { PGliteDialect } from './dialects/pglite/pglite-dialect.js';
import type { Database } from './tables.js';

export type Db = Kysely<Database>;
/** Repositories take either; a caller decides whether a call is part of a transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;

export async function openDatabase(config: DatabaseConfig): Promise<Db> {
  if (config.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: config.url, max: 10, application_name: 'tasker-agent-gateway' });
    // An idle client's network error must not crash the process; the next query reports it.
    pool.on('error', () => {});
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  if (config.dataDir !== null) await mkdir(config.dataDir, { recursive: true });
  const pglite = config.dataDir === null ? new PGlite() : new PGlite(config.dataDir);
  return new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
}
