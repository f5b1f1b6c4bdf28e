import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/config/config.js';

/** Which database this vitest project runs on (vitest.config.ts sets it). */
export type TestDatabaseKind = 'pglite' | 'postgres';

export const testDatabaseKind = (): TestDatabaseKind => (process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'pglite');

export interface TestDatabase {
  config: DatabaseConfig;
  /** A postgres:// URL for other programs (the reference Tasker), when on PostgreSQL. */
  url: string | undefined;
  drop(): Promise<void>;
}

/** A fresh, empty database per call: an in-memory PGlite, or a new PostgreSQL database. */
export async function createTestDatabase(kind: TestDatabaseKind = testDatabaseKind()): Promise<TestDatabase> {
  if (kind === 'pglite') return { config: { kind: 'pglite', dataDir: null }, url: undefined, drop: async () => {} };
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
  return {
    config: { kind: 'postgres', url: url.toString() },
    url: url.toString(),
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
