import { PGlite } from '@electric-sql/pglite';
import type { Sql, SqlExecutor, SqlParam } from './sql.js';

interface PGliteQueryable {
  query<Row>(text: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

function executor(target: PGliteQueryable): SqlExecutor {
  return {
    async query<Row extends object>(text: string, params: readonly SqlParam[] = []): Promise<Row[]> {
      const result = await target.query<Row>(text, [...params]);
      return result.rows;
    },
  };
}

/**
 * Embedded Postgres: in memory when `dataDir` is absent, else persisted in that directory. An
 * in-memory one may start from `loadDataDir`, a dump of a data directory (PGlite's dumpDataDir).
 */
export async function openPGlite(dataDir?: string, loadDataDir?: Blob): Promise<Sql> {
  const db = dataDir === undefined ? await PGlite.create(loadDataDir ? { loadDataDir } : {}) : await PGlite.create(dataDir);
  const outer = executor(db);
  return {
    query: outer.query,
    transaction: (fn) => db.transaction((tx) => fn(executor(tx))),
    close: () => db.close(),
  };
}
