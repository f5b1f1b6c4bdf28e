import { availableParallelism } from 'node:os';
import pg from 'pg';
import { defineConfig } from 'vitest/config';

/**
 * Every gateway suite runs twice: on embedded PGlite and on the machine's real PostgreSQL, each
 * file in a fresh database. Without a reachable PostgreSQL a developer's run keeps to PGlite and
 * says so; under CI (CI=true) PostgreSQL is required and its absence fails the run.
 */
const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Nobody listening (connection refused, no such host or socket) means PostgreSQL is absent. Any
 * other failure (a timeout on a busy machine, a server still starting, a refused login) is not
 * absence: the probe keeps asking for a while and then fails the run, so the PostgreSQL half is
 * never dropped silently because the server was slow to answer.
 */
const ABSENT_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'ENOTFOUND', 'EADDRNOTAVAIL']);
const PROBE_PATIENCE_MS = 120_000;

async function probeOnce(): Promise<'answers' | 'absent' | string> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
    return 'answers';
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code && ABSENT_CODES.has(code) ? 'absent' : `${code ?? 'no code'}: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

async function postgresAnswers(): Promise<boolean> {
  const deadline = Date.now() + PROBE_PATIENCE_MS;
  for (;;) {
    const outcome = await probeOnce();
    if (outcome === 'answers') return true;
    if (outcome === 'absent') return false;
    if (Date.now() > deadline) {
      throw new Error(`PostgreSQL at ${POSTGRES_ADMIN_URL} is there but does not answer (${outcome}); fix it or point TEST_POSTGRES_URL elsewhere.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export default defineConfig(async () => {
  const withPostgres = await postgresAnswers();
  if (!withPostgres) {
    const message = `PostgreSQL at ${POSTGRES_ADMIN_URL} is absent (nothing listens there)`;
    if (process.env.CI === 'true') throw new Error(`${message}; CI requires it (set TEST_POSTGRES_URL).`);
    process.stderr.write(`\n⚠ ${message}: running the PGlite suites only.\n\n`);
  }
  const shared = { include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 };
  // graphql ships CJS and ESM builds; some dependencies load one, some the other, and graphql
  // refuses types from "another realm". One alias makes every importer share the CJS build.
  const resolve = { alias: { graphql: 'graphql/index.js' } };
  return {
    test: {
      // vitest runs cores − 1 files at a time: one on this 2-core machine, while a test file spends much
      // of its time waiting (on PostgreSQL, on the gateways and tools it spawns, on Chromium). Two at
      // a time keep both cores busy. Files share nothing that could collide: every server listens on
      // port 0, every database and folder is the file's own, the build is shared behind a lock.
      // `--maxWorkers` on the command line still decides.
      maxWorkers: Math.max(2, availableParallelism() - 1),
      projects: [
        // Each project's fresh databases are copies of ones made once per run (test/support/pglite-dump.ts, postgres-template.ts).
        { resolve, test: { ...shared, name: 'pglite', env: { TEST_DATABASE: 'pglite' }, globalSetup: ['test/support/pglite-dump.ts'] } },
        ...(withPostgres
          ? [{ resolve, test: { ...shared, name: 'postgres', env: { TEST_DATABASE: 'postgres', TEST_POSTGRES_URL: POSTGRES_ADMIN_URL }, globalSetup: ['test/support/postgres-template.ts'] } }]
          : []),
      ],
    },
  };
});
