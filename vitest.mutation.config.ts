import { defineConfig } from 'vitest/config';

/**
 * The suite as mutation testing runs it (scripts/mutation.ts): one database kind (MUTATION_DATABASE,
 * default pglite), and only the test files named in MUTATION_TESTS (comma-separated), so one
 * folder's mutants meet only the tests about that folder. Everything else is as in vitest.config.ts.
 */
const tests = (process.env.MUTATION_TESTS ?? '').split(',').filter(Boolean);
if (tests.length === 0) throw new Error('MUTATION_TESTS names no test files (scripts/mutation.ts sets it)');
const database = process.env.MUTATION_DATABASE ?? 'pglite';
if (database !== 'pglite' && database !== 'postgres') throw new Error(`MUTATION_DATABASE is pglite or postgres, not ${database}`);

export default defineConfig({
  resolve: { alias: { graphql: 'graphql/index.js' } },
  test: {
    include: tests,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // As in vitest.config.ts: fresh databases are copies of ones made once per run.
    globalSetup: [database === 'pglite' ? 'test/support/pglite-dump.ts' : 'test/support/postgres-template.ts'],
    env: {
      TEST_DATABASE: database,
      ...(database === 'postgres' ? { TEST_POSTGRES_URL: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' } : {}),
    },
  },
});
