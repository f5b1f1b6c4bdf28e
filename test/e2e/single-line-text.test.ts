import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../reference-tasker/index.js';
import { runOperation } from '../support/gateway.js';
import { connectMcp, textOf } from '../support/mcp-client.js';
import { DEMO, startTestStack, type TestStack } from '../support/stack.js';
import { UNSAFE_SINGLE_LINE } from '../support/unsafe-text.js';

/**
 * Single-line text an agent writes for people to read later, an issue's title and a link's title,
 * is refused when it holds a control or bidi-formatting character (src/validation/text.ts), on
 * every surface, before anything reaches Tasker. Descriptions and comments keep their line breaks.
 */

let stack: TestStack;
let token: string;
const DEMO_1 = DEMO_IDS.issues['DEMO-1'];

beforeAll(async () => {
  stack = await startTestStack();
  ({ token } = await stack.agentWith({ [DEMO.id]: ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE', 'LINKS_WRITE'] }, 'Tidy agent'));
});
afterAll(() => stack.close());
beforeEach(() => stack.proxy.reset());

const writesSent = () => stack.proxy.seen.filter((line) => !line.startsWith('GET'));

describe.each(UNSAFE_SINGLE_LINE)('a title holding %s', (_label, char) => {
  it('is refused for a new issue, naming the field and the character, and Tasker gets nothing', async () => {
    const result = await runOperation(stack.gateway, 'CreateIssue', { token, variables: { input: { projectId: DEMO.id, title: `Fix${char}the build` } } });
    expect(result.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toContain(`title must not contain control or bidirectional-formatting characters (U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at position 3)`);
    expect(writesSent()).toEqual([]);
  });

  it('is refused when an issue is renamed, and as a link title', async () => {
    const renamed = await runOperation(stack.gateway, 'UpdateIssue', { token, variables: { input: { issueId: DEMO_1, title: `Re${char}named` } } });
    expect(renamed.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(renamed.errors?.[0]?.message).toContain('title must not contain control');
    const linked = await runOperation(stack.gateway, 'LinkIssue', { token, variables: { issueId: DEMO_1, url: 'https://ci.example/run/1', title: `PR${char}#42` } });
    expect(linked.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(linked.errors?.[0]?.message).toContain('link title must not contain control');
    expect(writesSent()).toEqual([]);
  });
});

describe('single-line titles, on MCP and where they are fine', () => {
  it('refuses over MCP with a message a model can act on', async () => {
    const client = await connectMcp(stack.gateway.url, token);
    try {
      const result = await client.callTool({ name: 'create_issue', arguments: { input: { projectId: DEMO.id, title: 'Line one\nLine two' } } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('title must not contain control or bidirectional-formatting characters (U+000A at position 8); use a single line of plain text');
      expect(writesSent()).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('keeps letters of every script, emoji and inner spaces, and line breaks in the description', async () => {
    const title = 'Сборка падает — 修复 🤖 build';
    const created = await runOperation<{ createIssue: { issue: { id: string } } }>(stack.gateway, 'CreateIssue', {
      token,
      variables: { input: { projectId: DEMO.id, title, description: 'first line\nsecond line' } },
    });
    expect(created.errors).toBeUndefined();
    const stored = await runOperation<{ issue: { title: string } }>(stack.gateway, 'GetIssue', { token, variables: { issueId: created.data!.createIssue.issue.id } });
    expect(stored.data?.issue.title).toBe(title);
    const linked = await runOperation(stack.gateway, 'LinkIssue', { token, variables: { issueId: created.data!.createIssue.issue.id, url: 'https://ci.example/run/2', title: 'PR #42 — ✅' } });
    expect(linked.errors).toBeUndefined();
  });
});
