import pg from 'pg';
import type { Sql, SqlExecutor, SqlParam } from './sql.js';

function executor(target: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async query<Row extends object>(text: string, params: readonly SqlParam[] = []): Promise<Row[]> {
      const result = await target.query<Row>(text, [...params]);
      return result.rows;
    },
  };
}

export async function openPostgres(databaseUrl: string): Promise<Sql> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  // An idle client that loses its connection emits 'error' on the pool; without a listener
  // that would crash the process instead of failing the next query.
  pool.on('error', () => undefined);
  const outer = executor(pool);
  await outer.query('SELECT 1');
  return {
    query: outer.query,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // A connection whose ROLLBACK failed is in an unknown state: destroy it, never reuse it.
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await fn(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        broken = await client.query('ROLLBACK').then(
          () => false,
          () => true,
        );
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
