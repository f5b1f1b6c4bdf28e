/**
 * npm run test:plants [-- name…] [--no-baseline] [--list] [--check]
 *
 * Plants each bug of issue #12, one at a time, and reports whether the suite catches it. The
 * checkout is never touched: the working tree is copied to a temporary folder (node_modules
 * linked), each plant patches that copy, runs only its own test files on PGlite, and is undone
 * before the next. Ctrl-C stops the run and removes the copy.
 *
 * Each patch names the exact text it replaces and must find it exactly once; a patch whose text
 * is gone (the code moved on) fails the whole run before anything is planted, so the script stays
 * honest as the code changes. A baseline run of the same test files, unplanted, first shows they
 * pass, so a plant is "caught" by an assertion, not by a test that fails anyway.
 *
 * --check only checks that every patch still applies (quick; no tests run).
 *
 * Exit status: 0 when every plant is caught, 1 when any is missed, 2 when a patch no longer
 * applies or the baseline fails.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Patch {
  file: string;
  find: string;
  replace: string;
}

interface Plant {
  name: string;
  /** The bug as the issue names it. */
  bug: string;
  patches: Patch[];
  /** The test files that should catch it (PGlite project only, to fit a 2-core machine). */
  tests: string[];
  /** Narrows the run to the tests about this bug, when a file holds many others. */
  testNamePattern?: string;
}

const W = 'src/resolvers/agent/write-checks.ts';
const EFFECTS = ['test/e2e/write-effects.test.ts'];

const noop = (signature: string): Patch => ({ file: W, find: `${signature} {\n`, replace: `${signature} {\n  return;\n` });

const PLANTS: Plant[] = [
  {
    name: 'shield-launcher-allow',
    bug: 'every Launcher-only graphql-shield rule turned into allow',
    patches: [{ file: 'src/auth/shield.ts', find: "  if (ctx.principal.kind === 'launcher') return true;\n", replace: '  return true;\n' }],
    tests: ['test/schema/layers-alone.test.ts'],
  },
  {
    name: 'shield-agent-allow',
    bug: 'every agent-only graphql-shield rule turned into allow',
    patches: [{ file: 'src/auth/shield.ts', find: "  if (ctx.principal.kind === 'agent') return true;\n", replace: '  return true;\n' }],
    tests: ['test/schema/layers-alone.test.ts'],
  },
  {
    name: 'create-without-labels-write',
    bug: 'createIssue no longer requiring labels:write when labels are passed',
    patches: [{ file: 'src/resolvers/agent/issue-writes.ts', find: "...(input.labelIds !== undefined ? ['labels:write' as const] : []),", replace: '...[],' }],
    tests: EFFECTS,
    testNamePattern: 'create_issue',
  },
  {
    name: 'create-without-assignees-write',
    bug: 'createIssue no longer requiring assignees:write when assignees are passed',
    patches: [
      { file: 'src/resolvers/agent/issue-writes.ts', find: "...(input.assigneeIds !== undefined ? ['assignees:write' as const] : []),", replace: '...[],' },
    ],
    tests: EFFECTS,
    testNamePattern: 'create_issue',
  },
  ...(
    [
      ['create', 'export function checkCreated(issue: TaskerIssue, asked: NewIssue): void', 'create_issue'],
      ['update', 'export function checkUpdated(issue: TaskerIssue, changes: IssueChanges): void', 'update_issue'],
      ['move', 'export function checkMoved(issue: TaskerIssue, stateId: string): void', 'move_issue'],
      ['comment', 'export function checkCommented(comment: TaskerComment, issueId: string, html: string): void', 'add_comment'],
      ['assignees', 'export function checkAssignees(issue: TaskerIssue, assigneeIds: string[]): void', 'set_issue_assignees'],
      ['labels', 'export function checkLabels(issue: TaskerIssue, labelIds: string[]): void', 'set_issue_labels'],
    ] as const
  ).map(
    ([what, signature, tool]): Plant => ({
      name: `no-read-after-write-${what}`,
      bug: `the read-after-write check for ${what} turned into a no-op`,
      patches: [noop(signature)],
      tests: EFFECTS,
      testNamePattern: tool,
    }),
  ),
  {
    name: 'key-ignored-update',
    bug: 'idempotency keys ignored on update',
    patches: [
      {
        file: 'src/resolvers/agent/issue-writes.ts',
        find: "const spec = { tool: 'updateIssue', scope: 'issues:write' as const, issueRef: issueId, idempotencyKey, dryRun: isDryRun, input: fields };",
        replace: "const spec = { tool: 'updateIssue', scope: 'issues:write' as const, issueRef: issueId, idempotencyKey: undefined, dryRun: isDryRun, input: fields };",
      },
    ],
    tests: EFFECTS,
    testNamePattern: 'update_issue',
  },
  {
    name: 'key-ignored-move',
    bug: 'idempotency keys ignored on move',
    patches: [
      {
        file: 'src/resolvers/agent/issue-writes.ts',
        find: "    issueRef: issueId,\n    idempotencyKey,\n    dryRun: isDryRun,\n    input: { stateId },",
        replace: '    issueRef: issueId,\n    idempotencyKey: undefined,\n    dryRun: isDryRun,\n    input: { stateId },',
      },
    ],
    tests: EFFECTS,
    testNamePattern: 'move_issue',
  },
  {
    name: 'key-ignored-comment',
    bug: 'idempotency keys ignored on comment',
    patches: [
      {
        file: 'src/resolvers/agent/comments.ts',
        find: "const spec = { tool: 'addComment', scope: 'comments:write' as const, issueRef: issueId, idempotencyKey,",
        replace: "const spec = { tool: 'addComment', scope: 'comments:write' as const, issueRef: issueId, idempotencyKey: undefined,",
      },
    ],
    tests: EFFECTS,
    testNamePattern: 'add_comment',
  },
  ...(['LABELS', 'ASSIGNEES'] as const).map(
    (kind): Plant => ({
      name: `key-ignored-${kind.toLowerCase()}`,
      bug: `idempotency keys ignored on ${kind.toLowerCase()}`,
      patches: [
        {
          file: 'src/resolvers/agent/labels-assignees.ts',
          find: `return changeSet(deps, ctx, ${kind}, issueId, change, { idempotencyKey, dryRun: isDryRun, input });`,
          replace: `return changeSet(deps, ctx, ${kind}, issueId, change, { idempotencyKey: undefined, dryRun: isDryRun, input });`,
        },
      ],
      tests: EFFECTS,
      testNamePattern: kind === 'LABELS' ? 'set_issue_labels' : 'set_issue_assignees',
    }),
  ),
  {
    name: 'list-issues-keeps-foreign',
    bug: 'listIssues no longer dropping issues of other projects that a misbehaving Tasker returns',
    patches: [
      {
        file: 'src/resolvers/agent/issue-reads.ts',
        find: 'const nodes = list.issues.filter((issue) => issue.project_id === projectId).slice(0, input.first);',
        replace: 'const nodes = list.issues.slice(0, input.first);',
      },
    ],
    tests: ['test/e2e/tasker-guards.test.ts'],
    testNamePattern: 'list_issues',
  },
  {
    name: 'list-projects-wrong-project',
    bug: 'listProjects accepting an answer for the wrong project',
    patches: [{ file: 'src/resolvers/agent/projects.ts', find: 'if (project.id !== projectId) throw', replace: 'if (false) throw' }],
    tests: ['test/e2e/tasker-guards.test.ts'],
    testNamePattern: 'list_projects',
  },
  {
    name: 'projects-after-ignored',
    bug: 'the after cursor of projects doing nothing',
    patches: [
      {
        file: 'src/resolvers/agent/projects.ts',
        find: 'const remaining = after === undefined ? granted : granted.filter((projectId) => projectId > after);',
        replace: 'const remaining = granted;',
      },
    ],
    tests: ['test/e2e/read-filters.test.ts'],
  },
  {
    name: 'list-issues-search-ignored',
    bug: 'the search filter of listIssues doing nothing',
    patches: [{ file: 'src/resolvers/agent/issue-reads.ts', find: '        ...(input.search ? { search: input.search } : {}),\n', replace: '' }],
    tests: ['test/e2e/read-filters.test.ts'],
  },
  {
    name: 'no-max-token-lifetime',
    bug: 'the maximum token lifetime removed',
    patches: [{ file: 'src/resolvers/tokens.ts', find: 'if (request.ttlDays > deps.config.tokens.maxTtlDays) {', replace: 'if (false) {' }],
    tests: ['test/http/token-rules.test.ts'],
  },
  {
    name: 'pair-disabled-agent',
    bug: 'the refusal to pair a disabled agent removed',
    patches: [{ file: 'src/resolvers/pairing.ts', find: "    if (agent.status !== 'active') throw conflict('the agent is disabled; enable it before pairing');\n", replace: '' }],
    tests: ['test/http/pairing.test.ts', 'test/http/token-rules.test.ts'],
  },
  {
    name: 'mcp-allowed-origins-ignored',
    bug: 'the MCP_ALLOWED_ORIGINS allow-list ignored',
    patches: [
      {
        file: 'src/mcp/origin-policy.ts',
        find: 'const allowed = new Set(options.allowedOrigins.map((origin) => originOf(origin) ?? origin));',
        replace: 'const allowed = new Set<string>();',
      },
    ],
    tests: ['test/mcp/streamable-http.test.ts', 'test/mcp/allowed-origins.test.ts'],
  },
  {
    name: 'last-used-never-written',
    bug: 'last_used_at never written',
    patches: [{ file: 'src/db/repositories/tokens.ts', find: '  if (uses.length === 0) return;\n', replace: '  return;\n' }],
    tests: ['test/auth/token-usage.test.ts'],
  },
  {
    name: 'no-retry-in-progress',
    bug: "no retry on Tasker's in-progress answer",
    patches: [
      {
        file: 'src/tasker/client.ts',
        find: "throw new RetryableFailure('IDEMPOTENCY_IN_PROGRESS', 'Tasker is still applying an earlier attempt of this write', status);",
        replace: "throw new TaskerCallError('IDEMPOTENCY_IN_PROGRESS', 'Tasker is still applying an earlier attempt of this write', status, latencyMs);",
      },
    ],
    tests: ['test/e2e/tasker-guards-client.test.ts'],
  },
  {
    name: 'tasker-url-prefix-dropped',
    bug: 'a TASKER_URL path prefix dropped',
    patches: [{ file: 'src/tasker/client.ts', find: "const prefix = `${base.pathname.replace(/\\/+$/, '')}${TASKER_BASE_PATH}`;", replace: 'const prefix = TASKER_BASE_PATH;' }],
    tests: ['test/e2e/tasker-guards-client.test.ts'],
  },
  {
    name: 'cli-path-prefix-reverted',
    bug: 'the CLI path-prefix fix reverted',
    patches: [
      {
        file: 'src/cli/gateway-client.ts',
        find: "export const gatewayEndpoint = (gateway: string, path: string) => new URL(path, gateway.endsWith('/') ? gateway : `${gateway}/`);",
        replace: 'export const gatewayEndpoint = (gateway: string, path: string) => new URL(`/${path}`, gateway);',
      },
    ],
    tests: ['test/cli/gateway-endpoint.test.ts'],
  },
  {
    name: 'grant-changed-not-audited',
    bug: 'the grant.changed audit action',
    patches: [{ file: 'src/resolvers/grants.ts', find: "action: previousScopes === null ? 'grant.created' : 'grant.changed',", replace: "action: 'grant.created'," }],
    tests: ['test/http/token-rules.test.ts'],
  },
  {
    name: 'rest-token-scopes-ignored',
    bug: 'the REST token scopes field ignored',
    patches: [{ file: 'src/http/routes/rest.ts', find: '        ...(body.scopes ? { scopes: body.scopes } : {}),\n', replace: '' }],
    tests: ['test/http/token-rules.test.ts'],
  },
  {
    name: 'rest-token-expiry-ignored',
    bug: 'the REST token expires_in_days field ignored',
    patches: [
      { file: 'src/http/routes/rest.ts', find: '        ...(body.expires_in_days !== undefined ? { expiresInDays: body.expires_in_days } : {}),\n', replace: '' },
    ],
    tests: ['test/http/token-rules.test.ts'],
  },
];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function countOccurrences(text: string, find: string): number {
  let count = 0;
  for (let at = text.indexOf(find); at !== -1; at = text.indexOf(find, at + find.length)) count += 1;
  return count;
}

/** Every patch must find its text exactly once in the checkout as it is now. */
function stalePatches(plants: Plant[]): string[] {
  const problems: string[] = [];
  for (const plant of plants) {
    for (const patch of plant.patches) {
      const count = countOccurrences(readFileSync(join(root, patch.file), 'utf8'), patch.find);
      if (count !== 1) problems.push(`${plant.name}: ${patch.file} holds the text to replace ${count} times (needs exactly 1): ${JSON.stringify(patch.find.slice(0, 100))}`);
    }
  }
  return problems;
}

/** The working tree (tracked and new files, not ignored ones) copied, node_modules linked. */
function copyCheckout(): string {
  const copy = mkdtempSync(join(tmpdir(), 'plant-bugs-'));
  const listed = spawnSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    try {
      cpSync(join(root, file), join(copy, file));
    } catch (error) {
      // A file deleted in the working tree but still tracked is simply not there.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  return copy;
}

let running: ChildProcess | undefined;
let copy: string | undefined;

function cleanUp(): void {
  if (running?.pid !== undefined) {
    try {
      process.kill(-running.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  if (copy !== undefined) rmSync(copy, { recursive: true, force: true });
  copy = undefined;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping; the checkout was never changed, the temporary copy is removed.\n`);
    cleanUp();
    process.exit(130);
  });
}

interface RunOutcome {
  passed: boolean;
  failedTests: string[];
  /** Files vitest could not run (an import or syntax error), as opposed to failing assertions. */
  brokenFiles: string[];
}

/** Runs test files in the copy on PGlite; the JSON report tells assertions from broken files. */
async function runTests(dir: string, tests: string[], testNamePattern: string | undefined): Promise<RunOutcome> {
  const report = join(dir, '.plant-report.json');
  rmSync(report, { force: true });
  const args = ['vitest', 'run', '--project', 'pglite', '--reporter=json', `--outputFile=${report}`, ...(testNamePattern ? ['-t', testNamePattern] : []), ...tests];
  const child = spawn('npx', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: { ...process.env, CI: '' } });
  running = child;
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  running = undefined;
  let parsed: { testResults: { name: string; status: string; message?: string; assertionResults: { fullName: string; status: string }[] }[] };
  try {
    parsed = JSON.parse(readFileSync(report, 'utf8')) as typeof parsed;
  } catch {
    throw new Error(`vitest left no report (exit ${code}); its last words:\n${stderr}`);
  }
  const failedTests = parsed.testResults.flatMap((file) => file.assertionResults.filter((test) => test.status === 'failed').map((test) => test.fullName));
  const brokenFiles = parsed.testResults.filter((file) => file.status === 'failed' && file.assertionResults.length === 0).map((file) => file.name);
  return { passed: code === 0, failedTests, brokenFiles };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--list')) {
    for (const plant of PLANTS) process.stdout.write(`${plant.name.padEnd(32)} ${plant.bug}\n`);
    return;
  }
  const names = args.filter((arg) => !arg.startsWith('--'));
  const unknown = names.filter((name) => !PLANTS.some((plant) => plant.name === name));
  if (unknown.length > 0) throw new Error(`no plant named ${unknown.join(', ')} (--list shows them)`);
  const plants = names.length === 0 ? PLANTS : PLANTS.filter((plant) => names.includes(plant.name));

  const stale = stalePatches(plants);
  if (stale.length > 0) {
    process.stderr.write(`Patches that no longer match the source (update scripts/plant-bugs.ts):\n${stale.map((line) => `  ${line}`).join('\n')}\n`);
    process.exit(2);
  }

  if (args.includes('--check')) {
    process.stdout.write(`every patch of ${plants.length} plants still finds its text exactly once\n`);
    return;
  }

  copy = copyCheckout();
  const started = Date.now();
  try {
    if (!args.includes('--no-baseline')) {
      const files = [...new Set(plants.flatMap((plant) => plant.tests))];
      process.stdout.write(`baseline: ${files.length} test files, unplanted … `);
      const baseline = await runTests(copy, files, undefined);
      if (!baseline.passed) {
        process.stdout.write('FAILED\n');
        process.stderr.write(`The test files fail without any plant; fix them first:\n${[...baseline.failedTests, ...baseline.brokenFiles].map((t) => `  ${t}`).join('\n')}\n`);
        process.exit(2);
      }
      process.stdout.write('pass\n');
    }
    const missed: string[] = [];
    for (const plant of plants) {
      const originals = new Map<string, string>();
      for (const patch of plant.patches) {
        const path = join(copy, patch.file);
        const text = originals.get(patch.file) ?? readFileSync(path, 'utf8');
        if (!originals.has(patch.file)) originals.set(patch.file, text);
        writeFileSync(path, readFileSync(path, 'utf8').replace(patch.find, () => patch.replace));
      }
      const planted = Date.now();
      const outcome = await runTests(copy, plant.tests, plant.testNamePattern);
      for (const [file, text] of originals) writeFileSync(join(copy, file), text);
      const seconds = ((Date.now() - planted) / 1000).toFixed(0);
      // Caught means an assertion failed; a file that no longer loads is reported, not counted.
      const caught = outcome.failedTests.length > 0;
      if (!caught) missed.push(plant.name);
      const detail = caught ? `by ${outcome.failedTests.length} test(s), e.g. "${outcome.failedTests[0]}"` : outcome.brokenFiles.length > 0 ? `files broken, not caught: ${outcome.brokenFiles.join(', ')}` : 'every test passed';
      process.stdout.write(`${caught ? 'caught' : 'MISSED'}  ${plant.name.padEnd(32)} ${seconds.padStart(4)} s  ${detail}\n`);
    }
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    process.stdout.write(`\n${plants.length - missed.length}/${plants.length} planted bugs caught in ${minutes} min${missed.length > 0 ? `; missed: ${missed.join(', ')}` : ''}\n`);
    process.exitCode = missed.length > 0 ? 1 : 0;
  } finally {
    cleanUp();
  }
}

await main();
