import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../reference-tasker/index.js';
import { errorCode, type GraphQLResult, runOperation } from '../support/gateway.js';
import { connectMcp, textOf } from '../support/mcp-client.js';
import { ALL_SCOPES, DEMO, OPS, startTestStack, type TestStack } from '../support/stack.js';

/**
 * The agent toolset beyond the basics, through the public surfaces: GraphQL persisted operations
 * (what the tools run) and MCP with the SDK client. Every write's effect is read back from Tasker.
 */
const ALL = ALL_SCOPES;

interface Change {
  field: string;
  before: unknown;
  after: unknown;
}
interface Write {
  dryRun: boolean;
  changes: Change[];
}
interface IssueData {
  id: string;
  key: string;
  projectId: string;
  title: string;
  description: string;
  richContent: string[];
  stateId: string | null;
  stateGroup: string | null;
  parentId: string | null;
  labelIds: string[];
  assigneeIds: string[];
  cycleId: string | null;
  moduleIds: string[];
  startDate: string | null;
  targetDate: string | null;
  createdBy: { kind: string; displayName: string };
}

let stack: TestStack;
let agent: { agentId: string; token: string };

beforeAll(async () => {
  stack = await startTestStack();
  agent = await stack.agentWith({ [DEMO.id]: ALL, [OPS.id]: ALL }, 'Toolset agent');
});
afterAll(() => stack.close());

const run = <T = Record<string, unknown>>(name: string, variables: Record<string, unknown>, token = agent.token) =>
  runOperation<T>(stack.gateway, name, { token, variables });

async function ok<T>(result: Promise<GraphQLResult<T>>): Promise<T> {
  const answer = await result;
  expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  return answer.data!;
}

const read = async (issueId: string) => (await ok(run<{ issue: IssueData }>('GetIssue', { issueId }))).issue;

async function create(input: Record<string, unknown>): Promise<IssueData> {
  const data = await ok(run<{ createIssue: Write & { issue: { id: string } } }>('CreateIssue', { input: { projectId: 'DEMO', ...input } }));
  return read(data.createIssue.issue.id);
}

const writes = async () => (await stack.tasker.activity()).length;

describe('addressing by key', () => {
  it('reads, writes and comments on an issue by its key', async () => {
    expect((await read('DEMO-2')).id).toBe(DEMO_IDS.issues['DEMO-2']);
    expect((await read('demo-2')).id).toBe(DEMO_IDS.issues['DEMO-2']);
    const issue = await create({ title: 'Addressed by key' });
    await ok(run('UpdateIssue', { input: { issueId: issue.key, priority: 'high' } }));
    expect((await read(issue.id)).createdBy).toEqual({ kind: 'agent', displayName: 'Local User' });
    expect(errorCode(await run('GetIssue', { issueId: 'DEMO-99999' }))).toBe('NOT_FOUND');
  });
});

describe('search across granted projects', () => {
  it('finds by key, title or description, sorts and pages, and never crosses a grant', async () => {
    const token = `needle${Date.now()}`;
    const a = await create({ title: `${token} urgent one`, priority: 'urgent' });
    const b = await create({ title: 'plain title', description: `mentions ${token} here`, priority: 'low' });
    const found = await ok(run<{ searchIssues: { nodes: { id: string }[] } }>('SearchIssues', { text: token, orderBy: 'priority' }));
    expect(found.searchIssues.nodes.map((node) => node.id)).toEqual([a.id, b.id]);
    const byKey = await ok(run<{ searchIssues: { nodes: { key: string }[] } }>('SearchIssues', { text: a.key }));
    expect(byKey.searchIssues.nodes.map((node) => node.key)).toContain(a.key);
    const urgentOnly = await ok(run<{ searchIssues: { nodes: { id: string }[] } }>('SearchIssues', { text: token, priorities: ['urgent'] }));
    expect(urgentOnly.searchIssues.nodes.map((node) => node.id)).toEqual([a.id]);
    const paged = await ok(run<{ searchIssues: { nodes: { id: string }[]; pageInfo: { endCursor: string } } }>('SearchIssues', { text: token, first: 1 }));
    const next = await ok(run<{ searchIssues: { nodes: { id: string }[] } }>('SearchIssues', { text: token, first: 1, after: paged.searchIssues.pageInfo.endCursor }));
    expect(new Set([...paged.searchIssues.nodes, ...next.searchIssues.nodes].map((node) => node.id))).toEqual(new Set([a.id, b.id]));

    // An agent granted only OPS never sees DEMO's issues, whatever it searches for.
    const opsOnly = await stack.agentWith({ [OPS.id]: ['ISSUES_READ'] }, 'OPS reader');
    const crossing = await ok(run<{ searchIssues: { nodes: { projectId?: string; id: string }[] } }>('SearchIssues', { text: token }, opsOnly.token));
    expect(crossing.searchIssues.nodes).toEqual([]);
    expect(errorCode(await run('SearchIssues', { text: token, projectIds: ['DEMO'] }, opsOnly.token))).toBe('FORBIDDEN');
    const sent = stack.proxy.seen.filter((line) => line.startsWith('POST') && line.includes('/issues/search'));
    expect(sent.length).toBeGreaterThan(0);
  });

  it('shows triage (intake) issues only when asked, and an issue list with them never fails', async () => {
    const plain = await ok(run<{ searchIssues: { nodes: { key: string }[] } }>('SearchIssues', { projectIds: ['OPS'] }));
    expect(plain.searchIssues.nodes.map((node) => node.key)).not.toContain('OPS-1');
    const triage = await ok(run<{ searchIssues: { nodes: { key: string; stateGroup: string }[] } }>('SearchIssues', { stateGroups: ['triage'] }));
    expect(triage.searchIssues.nodes).toEqual([expect.objectContaining({ key: 'OPS-1', stateGroup: 'triage' })]);
    expect((await read('OPS-1')).stateGroup).toBe('triage');
  });
});

describe('discussion and history', () => {
  it('reads comments oldest first, each saying whether a person or an agent (for whom) wrote it', async () => {
    await ok(run('AddComment', { issueId: 'DEMO-2', body: 'Looking into it' }));
    const { issueComments } = await ok(
      run<{ issueComments: { nodes: { body: string; author: { kind: string; displayName: string; agentId: string | null } }[] } }>('ListComments', {
        issueId: 'DEMO-2',
      }),
    );
    expect(issueComments.nodes[0]).toMatchObject({ body: 'I can reproduce this on `staging`.', author: { kind: 'person', displayName: 'Teammate', agentId: null } });
    expect(issueComments.nodes.at(-1)).toMatchObject({ body: 'Looking into it', author: { kind: 'agent', displayName: 'Local User', agentId: agent.agentId } });
  });

  it('reads the history, and only what happened since a time', async () => {
    const issue = await create({ title: 'With history' });
    const mark = new Date().toISOString();
    await ok(run('UpdateIssue', { input: { issueId: issue.id, priority: 'urgent' } }));
    const all = await ok(run<{ issueActivity: { nodes: { verb: string; field: string | null; newValue: string | null; actor: { kind: string } }[] } }>('GetIssueActivity', { issueId: issue.id }));
    expect(all.issueActivity.nodes[0]).toMatchObject({ verb: 'created' });
    const since = await ok(run<{ issueActivity: { nodes: { field: string | null; newValue: string | null }[] } }>('GetIssueActivity', { issueId: issue.id, since: mark }));
    expect(since.issueActivity.nodes).toEqual([expect.objectContaining({ field: 'priority', newValue: 'urgent' })]);
  });
});

describe('sub-issues, relations, links, cycles and modules', () => {
  it('creates a sub-issue, lists it under its parent, moves it and makes it top-level again', async () => {
    const parent = await create({ title: 'Parent' });
    const child = await create({ title: 'Child', parentId: parent.key });
    expect(child.parentId).toBe(parent.id);
    const listed = await ok(run<{ issues: { nodes: { id: string }[] } }>('ListIssues', { projectId: 'DEMO', parentId: parent.key }));
    expect(listed.issues.nodes.map((node) => node.id)).toEqual([child.id]);
    expect(errorCode(await run('UpdateIssue', { input: { issueId: parent.id, parentId: child.id } }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await run('CreateIssue', { input: { projectId: 'DEMO', title: 'x', parentId: 'OPS-1' } }))).toBe('BAD_USER_INPUT');
    await ok(run('UpdateIssue', { input: { issueId: child.id, clearParent: true } }));
    expect((await read(child.id)).parentId).toBeNull();
  });

  it('adds, reads on both sides and removes relations', async () => {
    const a = await create({ title: 'Blocker' });
    const b = await create({ title: 'Blocked' });
    const added = await ok(run<{ relateIssues: Write }>('RelateIssues', { issueId: a.key, type: 'blocks', relatedIssueId: b.key }));
    expect(added.relateIssues.changes).toEqual([{ field: 'relation', before: null, after: { type: 'blocks', issue: b.key } }]);
    const seenFromB = await ok(run<{ issueRelations: { type: string; issue: { key: string } }[] }>('GetIssueRelations', { issueId: b.id }));
    expect(seenFromB.issueRelations).toEqual([{ type: 'blocked_by', issue: expect.objectContaining({ key: a.key }) }]);
    expect(errorCode(await run('RelateIssues', { issueId: a.id, type: 'relates_to', relatedIssueId: b.id }))).toBe('CONFLICT');
    await ok(run('RelateIssues', { issueId: a.id, type: 'blocks', relatedIssueId: b.id, remove: true }));
    expect((await ok(run<{ issueRelations: unknown[] }>('GetIssueRelations', { issueId: b.id }))).issueRelations).toEqual([]);
    // A related issue outside the grants is as unknown as one that does not exist.
    const demoOnly = await stack.agentWith({ [DEMO.id]: ALL }, 'DEMO relations');
    expect(errorCode(await run('RelateIssues', { issueId: a.id, type: 'relates_to', relatedIssueId: 'OPS-1' }, demoOnly.token))).toBe('BAD_USER_INPUT');
  });

  it('attaches a pull request link, lists it, refuses it twice and removes it by URL', async () => {
    const issue = await create({ title: 'Has a PR' });
    const url = 'https://github.com/nodedc/gateway/pull/42';
    await ok(run('LinkIssue', { issueId: issue.key, url, title: 'PR #42' }));
    const links = await ok(run<{ issueLinks: { url: string; title: string }[] }>('GetIssueRelations', { issueId: issue.id }));
    expect(links.issueLinks).toEqual([{ url, title: 'PR #42' }]);
    expect(errorCode(await run('LinkIssue', { issueId: issue.id, url }))).toBe('CONFLICT');
    expect(errorCode(await run('LinkIssue', { issueId: issue.id, url: 'javascript:alert(1)' }))).toBe('BAD_USER_INPUT');
    await ok(run('LinkIssue', { issueId: issue.id, url, remove: true }));
    expect((await ok(run<{ issueLinks: unknown[] }>('GetIssueRelations', { issueId: issue.id }))).issueLinks).toEqual([]);
  });

  it('lists cycles and modules, plans an issue into them, and refuses a completed cycle', async () => {
    const planning = await ok(run<{ projectPlanning: { cycles: { id: string; status: string }[]; modules: { id: string; status: string }[] } }>('GetProjectPlanning', { projectId: 'DEMO' }));
    expect(planning.projectPlanning.cycles.map((cycle) => cycle.status)).toEqual(['completed', 'current', 'upcoming']);
    expect(planning.projectPlanning.modules.map((module) => module.status).sort()).toEqual(['in_progress', 'planned']);
    const issue = await create({ title: 'Planned' });
    await ok(run('PlanIssue', { issueId: issue.id, cycleId: DEMO_IDS.cycles.current }));
    await ok(run('PlanIssue', { issueId: issue.id, addModuleIds: [DEMO_IDS.modules.gateway, DEMO_IDS.modules.docs] }));
    await ok(run('PlanIssue', { issueId: issue.id, removeModuleIds: [DEMO_IDS.modules.docs] }));
    expect(await read(issue.id)).toMatchObject({ cycleId: DEMO_IDS.cycles.current, moduleIds: [DEMO_IDS.modules.gateway] });
    expect(errorCode(await run('PlanIssue', { issueId: issue.id, cycleId: DEMO_IDS.cycles.past }))).toBe('BAD_USER_INPUT');
    await ok(run('PlanIssue', { issueId: issue.id, leaveCycle: true }));
    expect((await read(issue.id)).cycleId).toBeNull();
  });

  it('adds and removes labels and assignees by delta, leaving the others alone', async () => {
    const issue = await create({ title: 'Deltas', labelIds: [DEMO.labels.bug], assigneeIds: ['local-user'] });
    await ok(run('SetIssueLabels', { issueId: issue.id, addLabelIds: [DEMO.labels.docs] }));
    await ok(run('SetIssueAssignees', { issueId: issue.id, addAssigneeIds: ['teammate-user'], removeAssigneeIds: ['local-user'] }));
    const after = await read(issue.id);
    expect(new Set(after.labelIds)).toEqual(new Set([DEMO.labels.bug, DEMO.labels.docs]));
    expect(after.assigneeIds).toEqual(['teammate-user']);
    expect(errorCode(await run('SetIssueLabels', { issueId: issue.id, labelIds: [], addLabelIds: [DEMO.labels.bug] }))).toBe('BAD_USER_INPUT');
  });
});

describe('Plane’s rules', () => {
  it('creates with the project’s default state and default assignee, and refuses a start after the target', async () => {
    const demo = await create({ title: 'Defaults' });
    expect(demo).toMatchObject({ stateId: DEMO.states.backlog, assigneeIds: [] });
    const ops = await ok(run<{ createIssue: { issue: { id: string } } }>('CreateIssue', { input: { projectId: 'OPS', title: 'OPS default' } }));
    expect((await read(ops.createIssue.issue.id)).assigneeIds).toEqual(['teammate-user']);
    const before = await writes();
    expect(errorCode(await run('CreateIssue', { input: { projectId: 'DEMO', title: 'x', startDate: '2026-02-01', targetDate: '2026-01-01' } }))).toBe('BAD_USER_INPUT');
    const dated = await create({ title: 'Dated', targetDate: '2026-01-10' });
    expect(errorCode(await run('UpdateIssue', { input: { issueId: dated.id, startDate: '2026-01-20' } }))).toBe('BAD_USER_INPUT');
    expect(await writes()).toBe(before + 1);
  });

  it('refuses every write of an agent whose owner is a guest, before Tasker, and never assigns a guest', async () => {
    const guestOwner = await stack.gateway.launcherToken({ sub: 'outsider-user', email: 'outsider@example.test' });
    const { createAgent, createToken, setGrant } = await import('../support/fixtures.js');
    const guestAgent = await createAgent(stack.gateway, guestOwner, 'Guest agent');
    await setGrant(stack.gateway, guestOwner, guestAgent, DEMO.id, ALL);
    const { secret } = await createToken(stack.gateway, guestOwner, guestAgent);
    expect((await ok(run<{ issue: { key: string } }>('GetIssue', { issueId: 'DEMO-1' }, secret))).issue.key).toBe('DEMO-1');
    const before = await writes();
    stack.proxy.reset();
    for (const [name, variables] of [
      ['CreateIssue', { input: { projectId: 'DEMO', title: 'guest' } }],
      ['AddComment', { issueId: 'DEMO-1', body: 'guest' }],
      ['LinkIssue', { issueId: 'DEMO-1', url: 'https://example.test/guest' }],
    ] as const) {
      const refused = await run(name, variables, secret);
      expect(errorCode(refused), name).toBe('FORBIDDEN');
      expect(refused.errors![0]!.message).toContain('guest');
    }
    // Only reads reached Tasker (resolving DEMO is a read by POST).
    expect(stack.proxy.seen.filter((line) => !line.startsWith('GET') && !line.includes('/projects/resolve'))).toEqual([]);
    expect(await writes()).toBe(before);

    const issue = await create({ title: 'No guests here' });
    const assign = await run('SetIssueAssignees', { issueId: issue.id, assigneeIds: ['outsider-user'] });
    expect(errorCode(assign)).toBe('BAD_USER_INPUT');
    expect(assign.errors![0]!.message).toContain('guests cannot be assignees');
  });
});

describe('rich text', () => {
  it('reads HTML as Markdown and names what Markdown cannot carry', async () => {
    const rich = await read('DEMO-3');
    expect(rich.description).toContain('@Teammate');
    expect(rich.description).toContain('**short**');
    expect(rich.richContent).toEqual(['mention', 'image', 'table']);
  });

  it('round-trips Markdown through Tasker’s HTML', async () => {
    const markdown = '# Plan\n\nSome *emphasis*, **strong** and `code`.\n\n- one\n- two\n\n```ts\nconst x = 1;\n```\n\n[docs](https://example.test/docs)';
    const issue = await create({ title: 'Round trip', description: markdown });
    expect(issue.richContent).toEqual([]);
    const again = await create({ title: 'Round trip 2', description: issue.description });
    expect(again.description).toBe(issue.description);
    const html = (await stack.tasker.sql.query<{ description: string }>('SELECT description FROM reference_tasker.issues WHERE id = $1', [issue.id]))[0]!.description;
    expect(html).toContain('<h1>Plan</h1>');
    expect(html).toContain('<pre><code class="language-ts">');
    // An agent's HTML is text, never markup.
    const sneaky = await create({ title: 'Sneaky', description: '<script>alert(1)</script><img src=x onerror=alert(1)>' });
    const stored = (await stack.tasker.sql.query<{ description: string }>('SELECT description FROM reference_tasker.issues WHERE id = $1', [sneaky.id]))[0]!.description;
    expect(stored).not.toMatch(/<script|<img/);
  });

  it('never silently replaces content Markdown cannot carry: append and prepend keep it, replacing needs confirmation', async () => {
    const refused = await run('UpdateIssue', { input: { issueId: 'DEMO-3', description: 'Just text' } });
    expect(errorCode(refused)).toBe('RICH_CONTENT_WOULD_BE_LOST');
    expect(refused.status).toBe(409);
    await ok(run('UpdateIssue', { input: { issueId: 'DEMO-3', description: 'Reviewed by the agent.', descriptionMode: 'append' } }));
    const appended = await read('DEMO-3');
    expect(appended.richContent).toEqual(['mention', 'image', 'table']);
    expect(appended.description.endsWith('Reviewed by the agent.')).toBe(true);
    const copy = await create({ title: 'Rich copy' });
    await stack.tasker.sql.query("UPDATE reference_tasker.issues SET description = '<p>Hi <mention-component label=\"Teammate\"></mention-component></p>' WHERE id = $1", [copy.id]);
    const confirmed = await ok(run<{ updateIssue: Write }>('UpdateIssue', { input: { issueId: copy.id, description: 'Plain now', confirmRichContentLoss: true } }));
    expect(confirmed.updateIssue.changes).toEqual([{ field: 'description', before: 'Hi @Teammate', after: 'Plain now' }]);
    expect((await read(copy.id)).richContent).toEqual([]);
  });
});

describe('dry runs', () => {
  it('answer what each write would change, write nothing, spend no key, and are audited as dry runs', async () => {
    const issue = await create({ title: 'Dry run target', labelIds: [DEMO.labels.bug] });
    const before = await writes();
    const cases: [string, Record<string, unknown>, Change[]][] = [
      ['CreateIssue', { input: { projectId: 'DEMO', title: 'Would be made', priority: 'high', dryRun: true, idempotencyKey: 'dry-1' } }, [
        { field: 'title', before: null, after: 'Would be made' },
        { field: 'priority', before: null, after: 'high' },
        { field: 'stateId', before: null, after: DEMO.states.backlog },
      ]],
      ['UpdateIssue', { input: { issueId: issue.id, title: 'Renamed', dryRun: true } }, [{ field: 'title', before: 'Dry run target', after: 'Renamed' }]],
      ['MoveIssue', { issueId: issue.id, stateId: DEMO.states.done, dryRun: true }, [{ field: 'stateId', before: DEMO.states.backlog, after: DEMO.states.done }]],
      ['AddComment', { issueId: issue.id, body: 'Would say', dryRun: true }, [{ field: 'comment', before: null, after: 'Would say' }]],
      ['SetIssueLabels', { issueId: issue.id, addLabelIds: [DEMO.labels.docs], dryRun: true }, [
        { field: 'labelIds', before: [DEMO.labels.bug], after: [DEMO.labels.bug, DEMO.labels.docs] },
      ]],
      ['SetIssueAssignees', { issueId: issue.id, assigneeIds: ['teammate-user'], dryRun: true }, [{ field: 'assigneeIds', before: [], after: ['teammate-user'] }]],
      ['RelateIssues', { issueId: issue.id, type: 'relates_to', relatedIssueId: 'DEMO-1', dryRun: true }, [
        { field: 'relation', before: null, after: { type: 'relates_to', issue: 'DEMO-1' } },
      ]],
      ['LinkIssue', { issueId: issue.id, url: 'https://example.test/ci/7', title: 'CI', dryRun: true }, [
        { field: 'link', before: null, after: { url: 'https://example.test/ci/7', title: 'CI' } },
      ]],
      ['PlanIssue', { issueId: issue.id, cycleId: DEMO_IDS.cycles.current, dryRun: true }, [{ field: 'cycleId', before: null, after: DEMO_IDS.cycles.current }]],
    ];
    for (const [name, variables, expected] of cases) {
      const data = await ok(run<Record<string, Write>>(name, variables));
      const result = Object.values(data)[0]!;
      expect(result.dryRun, name).toBe(true);
      expect(result.changes, name).toEqual(expected);
    }
    expect(await writes()).toBe(before);
    expect(await read(issue.id)).toMatchObject({ title: 'Dry run target', labelIds: [DEMO.labels.bug], assigneeIds: [], cycleId: null });
    // The key a dry run carried is still free for a different real write.
    const real = await ok(run<{ createIssue: Write & { issue: { key: string } } }>('CreateIssue', { input: { projectId: 'DEMO', title: 'Real one', idempotencyKey: 'dry-1' } }));
    expect(real.createIssue.dryRun).toBe(false);
    const events = await stack.gateway.db
      .selectFrom('audit_events')
      .select(['action', 'outcome', 'details'])
      .where('agent_id', '=', agent.agentId)
      .where('action', '=', 'agent.moveIssue')
      .execute();
    expect(events.some((event) => event.outcome === 'succeeded' && (event.details as { dryRun?: boolean }).dryRun === true)).toBe(true);
  });

  it('a dry run still checks what a write checks: a guest assignee, a missing scope', async () => {
    const issue = await create({ title: 'Checked dry run' });
    expect(errorCode(await run('SetIssueAssignees', { issueId: issue.id, assigneeIds: ['outsider-user'], dryRun: true }))).toBe('BAD_USER_INPUT');
    const reader = await stack.agentWith({ [DEMO.id]: ['ISSUES_READ'] }, 'Dry reader');
    expect(errorCode(await run('LinkIssue', { issueId: issue.id, url: 'https://example.test/x', dryRun: true }, reader.token))).toBe('FORBIDDEN');
  });
});

describe('over MCP with the SDK client', () => {
  it('searches, makes a sub-issue, links a PR and dry-runs a move', async () => {
    const client = await connectMcp(stack.gateway.url, agent.token);
    try {
      const call = async (name: string, args: Record<string, unknown>) => {
        const result = await client.callTool({ name, arguments: args });
        expect(result.isError, `${name}: ${textOf(result)}`).toBeFalsy();
        return result.structuredContent as Record<string, any>;
      };
      const found = await call('search_issues', { text: 'DEMO-2' });
      expect(found.searchIssues.nodes[0].key).toBe('DEMO-2');
      const child = await call('create_issue', { input: { projectId: 'DEMO', title: 'MCP sub-issue', parentId: 'DEMO-1' } });
      const childKey = child.createIssue.issue.key as string;
      expect((await read(childKey)).parentId).toBe(DEMO_IDS.issues['DEMO-1']);
      await call('link_issue', { issueId: childKey, url: 'https://example.test/pull/9', title: 'PR 9' });
      expect((await call('get_issue_relations', { issueId: childKey })).issueLinks).toEqual([{ url: 'https://example.test/pull/9', title: 'PR 9' }]);
      const dry = await call('move_issue', { issueId: childKey, stateId: DEMO.states.done, dryRun: true });
      expect(dry.moveIssue).toEqual({ dryRun: true, changes: [{ field: 'stateId', before: DEMO.states.backlog, after: DEMO.states.done }] });
      expect((await read(childKey)).stateId).toBe(DEMO.states.backlog);
      const comments = await call('list_comments', { issueId: 'DEMO-2' });
      expect(comments.issueComments.nodes[0].author).toEqual({ kind: 'person', displayName: 'Teammate', agentId: null });
    } finally {
      await client.close();
    }
  });
});
