import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, setGrant } from '../support/fixtures.js';
import { graphql } from '../support/gateway.js';
import { type ClientKind, connectStdio, textOf } from '../support/mcp-client.js';
import { DEMO_IDS } from '../../reference-tasker/index.js';
import { type ProgramRun, runProgram, tempDirs } from '../support/processes.js';
import { DEMO, startTestStack, type TestStack } from '../support/stack.js';
import { NO_TEST_CLOCK } from '../lifecycle/support/gateway-process.js';

/**
 * The CLI as a user runs it: a separate process, talking to the gateway over loopback HTTP. Every
 * test starts it, so none has a clock of its own (NO_TEST_CLOCK; at load 18 the 30 s default cut
 * them): a hang is ended by runProgram's limit and the MCP client's request timeout.
 */
const temp = tempDirs();
const BIN = fileURLToPath(new URL('../../bin/tasker-agent.js', import.meta.url));

function cli(args: string[], configDir: string): Promise<ProgramRun> {
  return runProgram([BIN, ...args], { env: { TASKER_AGENT_CONFIG_DIR: configDir } });
}

let stack: TestStack;
let agentId: string;

async function pairingCode(forAgent = agentId): Promise<string> {
  const result = await graphql<{ createPairingCode: { code: string } }>(
    stack.gateway,
    'mutation($i: CreatePairingCodeInput!) { createPairingCode(input: $i) { code } }',
    { token: stack.owner, variables: { i: { agentId: forAgent } } },
  );
  expect(result.errors).toBeUndefined();
  return result.data!.createPairingCode.code;
}

async function pairedConfigDir(forAgent = agentId): Promise<string> {
  const dir = join(temp.make('tasker-agent-'), 'config');
  const paired = await cli(['pair', await pairingCode(forAgent), '--gateway', stack.gateway.url], dir);
  expect(paired.code, paired.stderr).toBe(0);
  return dir;
}

beforeAll(async () => {
  stack = await startTestStack();
  agentId = await createAgent(stack.gateway, stack.owner, 'Laptop Codex');
  await setGrant(stack.gateway, stack.owner, agentId, DEMO.id, ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE']);
});
afterAll(async () => {
  await stack.close();
  temp.removeAll();
});

describe('tasker-agent pair', NO_TEST_CLOCK, () => {
  it('stores the token 0600 in the config folder without printing it, and says what was connected', async () => {
    const dir = join(temp.make('tasker-agent-'), 'config');
    const result = await cli(['pair', (await pairingCode()).toLowerCase(), '--gateway', `${stack.gateway.url}/`], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Paired as agent "Laptop Codex" acting for local@example.test');
    expect(result.stdout).toContain(`${DEMO.id}: projects:read, issues:read, issues:write`);
    const file = join(dir, 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { token: string; gateway: string };
    expect(stored.token).toMatch(/^ndcag_/);
    expect(stored.gateway).toBe(stack.gateway.url);
    expect(result.stdout).not.toContain(stored.token);
  });

  it('prints the token only when asked', async () => {
    const dir = join(temp.make('tasker-agent-'), 'config');
    const result = await cli(['pair', await pairingCode(), '--gateway', stack.gateway.url, '--print-token'], dir);
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(/^ndcag_/);
  });

  it('explains a refused or malformed code', async () => {
    const dir = temp.make('tasker-agent-');
    const refused = await cli(['pair', 'BBBB-BBBB', '--gateway', stack.gateway.url], dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('pairing failed: NOT_FOUND');
    const malformed = await cli(['pair', 'hello', '--gateway', stack.gateway.url], dir);
    expect(malformed.stderr).toContain('that is not a pairing code');
    const noGateway = await cli(['pair', 'BBBB-BBBB'], dir);
    expect(noGateway.stderr).toContain('--gateway');
  });
});

const wrapper = (dir: string) => ({ command: process.execPath, args: [BIN, 'mcp'], env: { PATH: process.env.PATH ?? '', TASKER_AGENT_CONFIG_DIR: dir } });
const CLIENTS: ClientKind[] = ['2.x modern', '2.x legacy', '1.x'];

describe.each(CLIENTS)('tasker-agent mcp (stdio) with the %s client', (kind) => {
  it('serves the scoped tools and forwards calls to the gateway as persisted operations', NO_TEST_CLOCK, async () => {
    const dir = await pairedConfigDir();
    const client = await connectStdio(wrapper(dir), kind);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual([
        'create_issue', 'get_agent_session', 'get_issue', 'get_issue_activity', 'get_project_context',
        'list_comments', 'list_issues', 'list_projects', 'move_issue', 'resolve_project', 'search_issues', 'update_issue',
      ]);
      const listed = await client.callTool({ name: 'list_issues', arguments: { projectId: DEMO.id, first: 1 } });
      expect(listed.isError).toBeFalsy();
      expect((listed.structuredContent as { issues: { nodes: unknown[] } }).issues.nodes).toHaveLength(1);

      const args = { input: { projectId: DEMO.id, title: 'Via stdio', idempotencyKey: `stdio-${kind}` } };
      const created = await client.callTool({ name: 'create_issue', arguments: args });
      const again = await client.callTool({ name: 'create_issue', arguments: args });
      expect(again.structuredContent).toEqual(created.structuredContent);

      const denied = await client.callTool({ name: 'add_comment', arguments: { issueId: 'x', body: 'not allowed' } });
      expect(denied.isError).toBe(true);
      expect(textOf(denied)).toMatch(/^FORBIDDEN: .*comments:write/);

      const malformed = await client.callTool({ name: 'get_issue', arguments: {} });
      expect(textOf(malformed)).toContain("must have required property 'issueId'");

      // Revoke every token of the agent: the very next call is refused, inside the same session.
      const tokens = await graphql<{ agent: { tokens: { id: string; status: string }[] } }>(
        stack.gateway,
        'query($id: ID!) { agent(id: $id) { tokens { id status } } }',
        { token: stack.owner, variables: { id: agentId } },
      );
      for (const token of tokens.data!.agent.tokens.filter((t) => t.status === 'active')) {
        await graphql(stack.gateway, 'mutation($id: ID!) { revokeToken(id: $id) { id } }', { token: stack.owner, variables: { id: token.id } });
      }
      const revoked = await client.callTool({ name: 'list_issues', arguments: { projectId: DEMO.id } });
      expect(revoked.isError).toBe(true);
      expect(textOf(revoked)).toMatch(/^UNAUTHENTICATED: the agent token has been revoked/);
    } finally {
      await client.close();
    }
  });
});

describe('tasker-agent mcp (stdio), every tool', NO_TEST_CLOCK, () => {
  it('calls each tool through the wrapper for a fully scoped agent', async () => {
    const everything = await createAgent(stack.gateway, stack.owner, 'Everything agent');
    await setGrant(stack.gateway, stack.owner, everything, DEMO.id, [
      'PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE', 'COMMENTS_WRITE', 'LABELS_WRITE', 'ASSIGNEES_WRITE', 'RELATIONS_WRITE', 'LINKS_WRITE', 'PLANNING_WRITE',
    ]);
    const dir = await pairedConfigDir(everything);
    const all = wrapper(dir);
    const client = await connectStdio({ ...all, args: [...all.args, '--toolsets', 'all'] }, '2.x modern');
    try {
      const created = await client.callTool({ name: 'create_issue', arguments: { input: { projectId: DEMO.id, title: 'Every tool' } } });
      const issueId = (created.structuredContent as { createIssue: { issue: { id: string } } }).createIssue.issue.id;
      const samples: Record<string, Record<string, unknown>> = {
        get_agent_session: {},
        list_projects: {},
        resolve_project: { query: 'DEMO' },
        get_project_context: { projectId: DEMO.id },
        list_issues: { projectId: DEMO.id },
        get_issue: { issueId },
        create_issue: { input: { projectId: DEMO.id, title: 'Second' } },
        update_issue: { input: { issueId, priority: 'urgent' } },
        move_issue: { issueId, stateId: DEMO.states.todo },
        add_comment: { issueId, body: 'from stdio' },
        set_issue_labels: { issueId, labelIds: [DEMO.labels.bug] },
        set_issue_assignees: { issueId, assigneeIds: ['local-user'] },
        search_issues: { text: 'Every tool' },
        list_comments: { issueId },
        get_issue_activity: { issueId },
        get_issue_relations: { issueId },
        get_project_planning: { projectId: 'DEMO' },
        relate_issues: { issueId, type: 'relates_to', relatedIssueId: 'DEMO-1' },
        link_issue: { issueId, url: 'https://example.test/stdio', title: 'stdio' },
        plan_issue: { issueId, addModuleIds: [DEMO_IDS.modules.gateway] },
      };
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(Object.keys(samples).sort());
      for (const tool of tools) {
        const result = await client.callTool({ name: tool.name, arguments: samples[tool.name]! });
        expect(result.isError, `${tool.name}: ${textOf(result)}`).toBeFalsy();
        expect(result.structuredContent, tool.name).toBeDefined();
      }
    } finally {
      await client.close();
    }
  });
});

describe('tasker-agent doctor and codex-config', NO_TEST_CLOCK, () => {
  it('reports a healthy set-up, then a revoked token in plain words', async () => {
    const dir = await pairedConfigDir();
    const healthy = await cli(['doctor'], dir);
    expect(healthy.code, healthy.stdout).toBe(0);
    expect(healthy.stdout).toContain('ok    token accepted: agent "Laptop Codex" acting for local@example.test');
    expect(healthy.stdout).toContain('tools available to this agent (14)');

    await graphql(stack.gateway, 'mutation($id: ID!) { disableAgent(id: $id) { id } }', { token: stack.owner, variables: { id: agentId } });
    try {
      const broken = await cli(['doctor'], dir);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toContain('FAIL  the gateway refuses the stored token: the agent is disabled by its owner');
    } finally {
      await graphql(stack.gateway, 'mutation($id: ID!) { enableAgent(id: $id) { id } }', { token: stack.owner, variables: { id: agentId } });
    }
  });

  it('says what to do when nothing is paired yet', async () => {
    const result = await cli(['doctor'], temp.make('tasker-agent-'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('run "tasker-agent pair <CODE> --gateway <URL>" first');
  });

  it('prints both Codex configurations without the token', async () => {
    const dir = await pairedConfigDir();
    const result = await cli(['codex-config'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('[mcp_servers.tasker]');
    expect(result.stdout).toContain(`args = [${JSON.stringify(BIN)}, "mcp"]`);
    expect(result.stdout).toContain(`url = "${stack.gateway.url}/mcp"`);
    expect(result.stdout).toContain('bearer_token_env_var = "TASKER_AGENT_TOKEN"');
    const stored = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as { token: string };
    expect(result.stdout).not.toContain(stored.token);
    // Each way under a name of its own, in the commands and in the tables alike.
    const names = (pattern: RegExp) => [...result.stdout.matchAll(pattern)].map((match) => match[1]);
    expect(names(/codex mcp add (\S+)/g)).toEqual(['tasker', 'tasker_http']);
    expect(names(/^\[mcp_servers\.([^\]]+)\]$/gm)).toEqual(['tasker', 'tasker_http']);
  });
});
