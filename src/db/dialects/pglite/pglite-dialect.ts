import type { PGlite } from '@electric-sql/pglite';
import {
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
} from 'kysely';
import { PGliteDriver } from './pglite-driver.js';

/** PGlite is real Postgres, so everything but the driver is Kysely's own Postgres dialect. */
export class PGliteDialect implements Dialect {
  readonly #pglite: PGlite;
  #driver: PGliteDriver | undefined;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    this.#driver = new PGliteDriver(this.#pglite);
    return this.#driver;
  }

  /** The driver's connection usage (pool metrics); nothing is lent before Kysely creates the driver. */
  usage(): { inUse: number; waiting: number } {
    return this.#driver?.usage() ?? { inUse: 0, waiting: 0 };
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
}
