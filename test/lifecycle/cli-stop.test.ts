import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDirs } from '../support/processes.js';
import { DEMO, startTestStack, type TestStack } from '../support/stack.js';
import { allGone, descendants, isAlive, NO_TEST_CLOCK, TEST_NODE } from './support/gateway-process.js';

/**
 * The CLI's long-running mode, `tasker-agent mcp` (what Codex or Claude Code starts and later stops),
 * leaves nothing behind after SIGTERM or SIGINT: not itself, not what it started. It runs its
 * TypeScript through tsx, whose compiler (esbuild) is a child process; with tsx's cache off that child
 * is there for sure, so the check has something to find.
 */
const temp = tempDirs();
const BIN = fileURLToPath(new URL('../../bin/tasker-agent.js', import.meta.url));
let stack: TestStack;
let configDir: string;
/** Every process seen below a CLI; any still alive after a failed test are stopped. */
const below: { pid: number; args: string }[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  const agent = await stack.agentWith({ [DEMO.id]: ['PROJECTS_READ', 'ISSUES_READ'] }, 'Stopped agent');
  // What `tasker-agent pair` stores (test/cli covers pairing itself).
  configDir = join(temp.make('cli-stop-'), 'config');
  mkdirSync(configDir, { mode: 0o700 });
  const credentials = {
    gateway: stack.gateway.url,
    token: agent.token,
    agent: { id: agent.agentId, displayName: 'Stopped agent' },
    owner: { userId: 'local-user', email: 'local@example.test' },
    pairedAt: new Date().toISOString(),
  };
  writeFileSync(join(configDir, 'credentials.json'), JSON.stringify(credentials), { mode: 0o600 });
}, NO_TEST_CLOCK.timeout);

afterAll(async () => {
  for (const row of below) if (isAlive(row.pid)) process.kill(row.pid, 'SIGKILL');
  await stack?.close();
  temp.removeAll();
}, NO_TEST_CLOCK.timeout);

/** Writes JSON-RPC messages to the CLI and resolves each answer by id, from its stdout lines. */
function speak(child: ChildProcessWithoutNullStreams) {
  let pending = '';
  let stderr = '';
  const answers = new Map<number, (message: Record<string, unknown>) => void>();
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const message = JSON.parse(line) as Record<string, unknown>;
      if (typeof message.id === 'number') answers.get(message.id)?.(message);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    exited,
    stderr: () => stderr,
    request: (id: number, method: string, params: Record<string, unknown>) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        answers.set(id, resolve);
        void exited.then(({ code, signal }) => reject(new Error(`the CLI exited (${code ?? signal}) before answering ${method}:\n${stderr}`)));
        child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
      }),
  };
}

it.each(['SIGTERM', 'SIGINT'] as const)('tasker-agent mcp: %s stops it and everything it started', NO_TEST_CLOCK, async (signal) => {
  const child = spawn(TEST_NODE, [BIN, 'mcp'], {
    cwd: temp.make('cli-stop-cwd-'),
    env: { PATH: process.env.PATH, TASKER_AGENT_CONFIG_DIR: configDir, TSX_DISABLE_CACHE: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const cli = speak(child);

  // Ready: it answers the MCP handshake and lists the tools, asking the gateway for the token's scopes.
  const initialized = await cli.request(1, 'initialize', {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'cli-stop-test', version: '1.0.0' },
  });
  expect(initialized.result).toMatchObject({ serverInfo: expect.any(Object) });
  child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  const listed = await cli.request(2, 'tools/list', {});
  expect((listed.result as { tools: { name: string }[] }).tools.map((tool) => tool.name)).toContain('list_issues');

  const started = descendants(child.pid!);
  below.push(...started);
  expect(started.some((row) => /esbuild/.test(row.args)), `the CLI's processes:\n${started.map((row) => row.args).join('\n')}`).toBe(true);

  // As an MCP client stops a server: the signal, with stdin still open.
  child.kill(signal);
  const exit = await cli.exited;
  expect(exit.code === 0 || exit.signal === signal, `exit ${JSON.stringify(exit)}:\n${cli.stderr()}`).toBe(true);
  await allGone(started);
});
