import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import type { DatabaseConfig } from '../../src/config/config.js';
import { type Db, openDatabase, pgliteDatabase } from '../../src/db/database.js';
import { admin, databaseUrl } from './postgres-template.js';

/** Which database this vitest project runs on (vitest.config.ts sets it). */
export type TestDatabaseKind = 'pglite' | 'postgres';

export const testDatabaseKind = (): TestDatabaseKind => (process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'pglite');

export interface TestDatabase {
  config: DatabaseConfig;
  /** A postgres:// URL for other programs (the reference Tasker), when on PostgreSQL. */
  url: string | undefined;
  /**
   * Opens it: PostgreSQL with the settings of `config` (default: this database's); on PGlite a new
   * in-memory database each call, as `openDatabase` of a PGlite without a folder gives.
   */
  open(config?: DatabaseConfig): Promise<Db>;
  drop(): Promise<void>;
}

const dumps = new Map<string, Blob>();

/**
 * A PGlite data directory test/support/pglite-dump.ts made for this run (`fresh`: just initialized;
 * `migrated`: with the gateway's migrations), for an in-memory PGlite to start from (`loadDataDir`)
 * instead of running initdb; undefined without that set-up (another vitest config), where PGlite
 * runs its initdb as usual.
 */
function pgliteDump(which: 'fresh' | 'migrated' = 'fresh'): Blob | undefined {
  const file = inject('pgliteDumps')?.[which];
  if (file === undefined) return undefined;
  const known = dumps.get(file);
  if (known) return known;
  const dump = new Blob([readFileSync(file)]);
  dumps.set(file, dump);
  return dump;
}

/**
 * A fresh database per call: an in-memory PGlite, or a new PostgreSQL database. Empty, or with
 * `migrated` the gateway's migrations already applied (a copy of the run's migrated template or
 * dump, where the set-up made one; else empty, and the caller's migrations do the work).
 */
export async function createTestDatabase(kind: TestDatabaseKind = testDatabaseKind(), options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const config: DatabaseConfig = { kind: 'pglite', dataDir: null };
    return {
      config,
      url: undefined,
      open: async () => {
        const loadDataDir = pgliteDump(options.migrated ? 'migrated' : 'fresh');
        return loadDataDir ? await pgliteDatabase(new PGlite({ loadDataDir })) : openDatabase(config);
      },
      drop: async () => {},
    };
  }
  const name = `gateway_test_${randomBytes(6).toString('hex')}`;
  const template = options.migrated ? inject('postgresTemplate') : undefined;
  await admin(template ? `create database ${name} template ${template}` : `create database ${name}`);
  const config: DatabaseConfig = { kind: 'postgres', url: databaseUrl(name) };
  return {
    config,
    url: config.url,
    open: (settings = config) => openDatabase(settings),
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}

/**
 * Where a reference Tasker started by a test keeps its data (options of `startReferenceTasker`): on
 * PostgreSQL in the test's database (its own schema), on PGlite in an in-memory database of its
 * own, started from the run's fresh dump.
 */
export function taskerStorage(database: TestDatabase): { databaseUrl: string } | { loadDataDir: Blob } | Record<string, never> {
  if (database.url !== undefined) return { databaseUrl: database.url };
  const loadDataDir = pgliteDump('fresh');
  return loadDataDir ? { loadDataDir } : {};
}
