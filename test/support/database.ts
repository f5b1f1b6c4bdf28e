import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import type { DatabaseConfig } from '../../src/config/config.js';
import { type Db, openDatabase, pgliteDatabase } from '../../src/db/database.js';

/** Which database this vitest project runs on (vitest.config.ts sets it). */
export type TestDatabaseKind = 'pglite' | 'postgres';

export const testDatabaseKind = (): TestDatabaseKind => (process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'pglite');

export interface TestDatabase {
  config: DatabaseConfig;
  /** A postgres:// URL for other programs (the reference Tasker), when on PostgreSQL. */
  url: string | undefined;
  /**
   * Opens it: PostgreSQL with the settings of `config` (default: this database's); on PGlite a new,
   * empty in-memory database each call, as `openDatabase` of a PGlite without a folder gives.
   */
  open(config?: DatabaseConfig): Promise<Db>;
  drop(): Promise<void>;
}

let dump: Blob | undefined;

/**
 * The fresh PGlite data directory test/support/pglite-dump.ts made for this run, for an in-memory
 * PGlite to start from (`loadDataDir`) instead of running initdb; undefined without that set-up
 * (another vitest config), where PGlite runs its initdb as usual.
 */
export function freshPGliteDump(): Blob | undefined {
  if (dump) return dump;
  const file = inject('pgliteDump');
  if (file === undefined) return undefined;
  dump = new Blob([readFileSync(file)]);
  return dump;
}

/** A fresh, empty database per call: an in-memory PGlite, or a new PostgreSQL database. */
export async function createTestDatabase(kind: TestDatabaseKind = testDatabaseKind()): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const config: DatabaseConfig = { kind: 'pglite', dataDir: null };
    return {
      config,
      url: undefined,
      open: async () => {
        const loadDataDir = freshPGliteDump();
        return loadDataDir ? await pgliteDatabase(new PGlite({ loadDataDir })) : openDatabase(config);
      },
      drop: async () => {},
    };
  }
  const adminUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `gateway_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const config: DatabaseConfig = { kind: 'postgres', url: url.toString() };
  return {
    config,
    url: url.toString(),
    open: (settings = config) => openDatabase(settings),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
