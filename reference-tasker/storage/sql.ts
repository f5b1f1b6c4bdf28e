/**
 * The storage seam: the reference server speaks plain SQL to either a real Postgres (`pg`) or an
 * embedded PGlite, through this interface only, so both run exactly the same statements.
 */
export type SqlParam = string | number | boolean | null | readonly string[];

export interface SqlExecutor {
  /** Runs one statement. Row types are declared by the caller, who wrote the SELECT list. */
  query<Row extends object = Record<string, unknown>>(text: string, params?: readonly SqlParam[]): Promise<Row[]>;
}

export interface Sql extends SqlExecutor {
  /**
   * Runs `fn` in one transaction: commits when it resolves, rolls back when it throws.
   * Inside `fn` use only `tx`; PGlite has a single connection, so touching the outer
   * executor from within a transaction would wait forever.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
