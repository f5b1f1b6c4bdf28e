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

/** Embedded Postgres: in memory when `dataDir` is absent, else persisted in that directory. */
export async function openPGlite(dataDir?: string): Promise<Sql> {
  const db = dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir);
  const outer = executor(db);
  return {
    query: outer.query,
    transaction: (fn) => db.transaction((tx) => fn(executor(tx))),
    close: () => db.close(),
  };
}
