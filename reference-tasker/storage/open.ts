import { openPGlite } from './pglite.js';
import { openPostgres } from './postgres.js';
import { ensureSchema } from './schema.js';
import type { Sql } from './sql.js';

export interface StorageOptions {
  /** A Postgres connection string; wins over `dataDir`. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; without it (and without `databaseUrl`) the data lives in memory. */
  dataDir?: string | undefined;
  /** In-memory PGlite only: start from this dump of a data directory instead of an empty one. */
  loadDataDir?: Blob | undefined;
}

export async function openStorage(options: StorageOptions): Promise<Sql> {
  const sql = options.databaseUrl !== undefined ? await openPostgres(options.databaseUrl) : await openPGlite(options.dataDir, options.loadDataDir);
  try {
    await ensureSchema(sql);
  } catch (error) {
    await sql.close();
    throw error;
  }
  return sql;
}
