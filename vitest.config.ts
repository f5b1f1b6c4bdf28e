import pg from 'pg';
import { defineConfig } from 'vitest/config';

/**
 * Every gateway suite runs twice: on embedded PGlite and on the machine's real PostgreSQL, each
 * file in a fresh database. Without a reachable PostgreSQL a developer's run keeps to PGlite and
 * says so; under CI (CI=true) PostgreSQL is required and its absence fails the run.
 */
const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export default defineConfig(async () => {
  const withPostgres = await postgresAnswers();
  if (!withPostgres) {
    const message = `PostgreSQL at ${POSTGRES_ADMIN_URL} does not answer`;
    if (process.env.CI === 'true') throw new Error(`${message}; CI requires it (set TEST_POSTGRES_URL).`);
    process.stderr.write(`\n⚠ ${message}: running the PGlite suites only.\n\n`);
  }
  const shared = { include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 };
  // graphql ships CJS and ESM builds; some dependencies load one, some the other, and graphql
  // refuses types from "another realm". One alias makes every importer share the CJS build.
  const resolve = { alias: { graphql: 'graphql/index.js' } };
  return {
    test: {
      projects: [
        { resolve, test: { ...shared, name: 'pglite', env: { TEST_DATABASE: 'pglite' } } },
        ...(withPostgres
          ? [{ resolve, test: { ...shared, name: 'postgres', env: { TEST_DATABASE: 'postgres', TEST_POSTGRES_URL: POSTGRES_ADMIN_URL } } }]
          : []),
      ],
    },
  };
});
