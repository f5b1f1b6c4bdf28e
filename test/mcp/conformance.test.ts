import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BearerProxy, startBearerProxy } from '../support/bearer-proxy.js';
import { DEMO, startTestStack, type TestStack } from '../support/stack.js';
import { findMcpTools, type McpTools } from './external/mcp-tools.js';

/**
 * The official MCP conformance suite and the MCP Inspector CLI, run against /mcp on Node 24. The
 * suite cannot send a bearer token, so a loopback proxy adds the agent's; Host and Origin pass
 * through unchanged. Expected failures are listed, each with its reason, in conformance-baseline.yml:
 * the suite itself fails on a scenario that fails outside the list and on one that passes inside it.
 * The tools do not depend on the database, so this runs in the PGlite project only.
 */
const BASELINE = fileURLToPath(new URL('./external/conformance-baseline.yml', import.meta.url));
const REPORT_DIR = mkdtempSync(join(tmpdir(), 'mcp-conformance-'));
const found = findMcpTools();
const runHere = process.env.TEST_DATABASE !== 'postgres';

if (runHere && 'missing' in found) {
  if (process.env.CI === 'true') throw new Error(`MCP tools missing under CI: ${found.missing}`);
  process.stderr.write(`\n⚠ skipping the MCP conformance suite and Inspector check: ${found.missing}\n\n`);
}

function run(tools: McpTools, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(tools.node, args, { maxBuffer: 32 * 1024 * 1024, env: { PATH: process.env.PATH ?? '', HOME: REPORT_DIR } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe.runIf(runHere && !('missing' in found))('official MCP tools against /mcp (Node 24)', () => {
  const tools = found as McpTools;
  let stack: TestStack;
  let proxy: BearerProxy;
  let token: string;

  beforeAll(async () => {
    stack = await startTestStack();
    ({ token } = await stack.agentWith({ [DEMO.id]: ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE', 'COMMENTS_WRITE', 'LABELS_WRITE', 'ASSIGNEES_WRITE', 'RELATIONS_WRITE', 'LINKS_WRITE', 'PLANNING_WRITE'] }, 'Conformance'));
    proxy = await startBearerProxy(stack.gateway.url, token);
  });
  afterAll(async () => {
    await proxy?.close();
    await stack?.close();
  });

  it('passes every conformance scenario outside the expected-failures baseline', async () => {
    const result = await run(tools, [tools.conformance, 'server', '--url', `${proxy.url}/mcp`, '--expected-failures', BASELINE, '-o', REPORT_DIR]);
    const output = `${result.stdout}\n${result.stderr}`;
    const total = /Total: (\d+) passed, (\d+) failed/.exec(output);
    writeFileSync(join(REPORT_DIR, 'summary.txt'), output);
    process.stderr.write(`MCP conformance: ${total?.[0] ?? 'no total'} (checks); baseline check ${result.code === 0 ? 'passed' : 'FAILED'}; report in ${REPORT_DIR}\n`);
    expect(output).toContain('Baseline check passed');
    expect(result.code, output.slice(-4000)).toBe(0);
  }, 300_000);

  it('runs the Inspector CLI --strict on tools/list and records its warnings', async () => {
    const result = await run(tools, [
      tools.inspector, '--cli', `${stack.gateway.url}/mcp`, '--transport', 'http',
      '--header', `Authorization: Bearer ${token}`, '--method', 'tools/list', '--strict',
    ]);
    const listing = JSON.parse(result.stdout) as { tools: { name: string }[] };
    const warnings = result.stderr.split('\n').filter((line) => /^(Warning|Error):/.test(line)).length;
    writeFileSync(join(REPORT_DIR, 'inspector-strict.txt'), result.stderr);
    process.stderr.write(`MCP Inspector --strict: exit ${result.code}, ${listing.tools.length} tools, ${Buffer.byteLength(JSON.stringify(listing))} bytes, ${warnings} findings\n`);
    expect(listing.tools.length).toBeGreaterThan(0);
    // Every tool schema is portable: no errors and no warnings.
    expect(warnings, result.stderr.slice(-2000)).toBe(0);
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
  }, 120_000);
});
