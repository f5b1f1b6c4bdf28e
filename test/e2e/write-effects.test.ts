import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// What the reference Tasker holds, read back in the contract's own shapes.
import type { Comment as TaskerComment, Issue as TaskerIssue, Link as TaskerLink, Relation as TaskerRelation } from '../../reference-tasker/contract.js';
import { DEMO_IDS } from '../../reference-tasker/index.js';
import { loadToolManifest } from '../../src/mcp/manifest.js';
import type { ProxiedRequest, ReadAsCaller } from '../support/fault-proxy.js';
import { errorCode, type GraphQLResult, runOperation } from '../support/gateway.js';
import { ALL_SCOPES, DEMO, startTestStack, type TestStack } from '../support/stack.js';

/**
 * Every write tool, asserted on its effect in Tasker: the state read back straight from the
 * reference Tasker (signed GETs, not the gateway's read path) shows what was asked; a Tasker that
 * answers success and changes nothing yields TASKER_WRITE_NOT_APPLIED; the same idempotency key
 * twice writes once; and every scope the write needs is refused when missing, before anything
 * reaches Tasker. The cases are keyed by tool: a write tool added to the manifest without a case
 * fails the first test.
 */
const BASE = '/api/internal/nodedc/agent';


let stack: TestStack;
let full: { agentId: string; token: string };

beforeAll(async () => {
  stack = await startTestStack();
  full = await stack.agentWith({ [DEMO.id]: ALL_SCOPES }, 'Writer');
});
afterAll(() => stack.close());
beforeEach(() => stack.proxy.reset());

const tasker = {
  issue: async (id: string) => (await stack.readTasker<{ issue: TaskerIssue }>(`${BASE}/issues/${id}`)).issue,
  comments: async (id: string) => (await stack.readTasker<{ comments: TaskerComment[] }>(`${BASE}/issues/${id}/comments?limit=100`)).comments,
  relations: async (id: string) => (await stack.readTasker<{ relations: TaskerRelation[] }>(`${BASE}/issues/${id}/relations`)).relations,
  links: async (id: string) => (await stack.readTasker<{ links: TaskerLink[] }>(`${BASE}/issues/${id}/links`)).links,
};

const READS_BY_POST = ['/issues/search', '/projects/resolve'];
const isWrite = (request: Pick<ProxiedRequest, 'method' | 'path'>) =>
  request.method !== 'GET' && !READS_BY_POST.some((path) => request.path.split('?')[0]!.endsWith(path));
/** The writes that reached Tasker since the last reset. */
const writesSent = () =>
  stack.proxy.seen.map((line) => line.split(' ')).filter(([method, path]) => isWrite({ method: method!, path: path! }));

async function ok<T = Record<string, unknown>>(result: Promise<GraphQLResult<T>> | GraphQLResult<T>): Promise<T> {
  const answer = await result;
  expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  return answer.data!;
}

/** A fresh issue for each case, so cases never see each other's writes. */
async function freshIssue(extra: Record<string, unknown> = {}): Promise<string> {
  const data = await ok(
    runOperation<{ createIssue: { issue: { id: string } } }>(stack.gateway, 'CreateIssue', {
      token: full.token,
      variables: { input: { projectId: DEMO.id, title: `effect target ${randomUUID().slice(0, 8)}`, ...extra } },
    }),
  );
  return data.createIssue.issue.id;
}

const issueAnswer = async (issueId: string, read: ReadAsCaller) => ({ status: 200, body: await read(`${BASE}/issues/${issueId}`) });

interface Arranged {
  issueId: string;
  /** A second issue, for relations. */
  otherId?: string;
}

/**
 * One way of calling one write tool. `scopes` are the scopes this call needs (GraphQL spelling);
 * `lazyAnswer` is what a Tasker that changes nothing answers; `applied` and `unchanged` read Tasker.
 */
interface WriteCase {
  name: string;
  tool: string;
  operation: string;
  scopes: string[];
  arrange(): Promise<Arranged>;
  variables(arranged: Arranged, key?: string): Record<string, unknown>;
  applied(arranged: Arranged, data: Record<string, unknown>): Promise<void>;
  unchanged(arranged: Arranged): Promise<void>;
  lazyAnswer(arranged: Arranged, request: ProxiedRequest, read: ReadAsCaller): Promise<{ status: number; body: unknown }>;
}

const { bug, feature, docs } = DEMO.labels;
const LOCAL = DEMO_IDS.users.local;
const TEAMMATE = DEMO_IDS.users.teammate;
const createdTitle = 'created with every field';

const CASES: WriteCase[] = [
  {
    name: 'create_issue with every field',
    tool: 'create_issue',
    operation: 'CreateIssue',
    scopes: ['ISSUES_WRITE', 'LABELS_WRITE', 'ASSIGNEES_WRITE'],
    arrange: async () => ({ issueId: await freshIssue() }),
    variables: (arranged, key) => ({
      input: {
        projectId: DEMO.id,
        title: createdTitle,
        description: 'Made **by** the effect test',
        priority: 'high',
        stateId: DEMO.states.inProgress,
        parentId: arranged.issueId,
        labelIds: [bug, docs],
        assigneeIds: [TEAMMATE],
        startDate: '2030-01-02',
        targetDate: '2030-02-03',
        ...(key ? { idempotencyKey: key } : {}),
      },
    }),
    applied: async (arranged, data) => {
      const id = (data.createIssue as { issue: { id: string } }).issue.id;
      const issue = await tasker.issue(id);
      expect(issue).toMatchObject({
        project_id: DEMO.id,
        title: createdTitle,
        priority: 'high',
        state_id: DEMO.states.inProgress,
        parent_id: arranged.issueId,
        assignee_ids: [TEAMMATE],
        start_date: '2030-01-02',
        target_date: '2030-02-03',
      });
      expect(issue.description_html).toContain('<strong>by</strong>');
      expect(new Set(issue.label_ids)).toEqual(new Set([bug, docs]));
    },
    unchanged: async (arranged) => {
      const children = await stack.readTasker<{ issues: TaskerIssue[] }>(`${BASE}/issues?project_id=${DEMO.id}&parent_id=${arranged.issueId}`);
      expect(children.issues).toEqual([]);
    },
    // Tasker says "created" and answers with an issue that was already there.
    lazyAnswer: async (arranged, _request, read) => issueAnswer(arranged.issueId, read),
  },
  {
    name: 'update_issue with every field',
    tool: 'update_issue',
    operation: 'UpdateIssue',
    scopes: ['ISSUES_WRITE'],
    arrange: async () => ({ issueId: await freshIssue(), otherId: await freshIssue() }),
    variables: (arranged, key) => ({
      input: {
        issueId: arranged.issueId,
        title: 'updated title',
        description: 'updated _text_',
        priority: 'low',
        startDate: '2031-03-04',
        targetDate: '2031-05-06',
        parentId: arranged.otherId,
        ...(key ? { idempotencyKey: key } : {}),
      },
    }),
    applied: async (arranged) => {
      const issue = await tasker.issue(arranged.issueId);
      expect(issue).toMatchObject({ title: 'updated title', priority: 'low', start_date: '2031-03-04', target_date: '2031-05-06', parent_id: arranged.otherId });
      expect(issue.description_html).toContain('<em>text</em>');
    },
    unchanged: async (arranged) => expect(await tasker.issue(arranged.issueId)).toMatchObject({ priority: 'none', parent_id: null, start_date: null }),
    lazyAnswer: (arranged, _request, read) => issueAnswer(arranged.issueId, read),
  },
  {
    name: 'update_issue making a sub-issue top-level',
    tool: 'update_issue',
    operation: 'UpdateIssue',
    scopes: ['ISSUES_WRITE'],
    arrange: async () => {
      const otherId = await freshIssue();
      return { otherId, issueId: await freshIssue({ parentId: otherId }) };
    },
    variables: (arranged, key) => ({ input: { issueId: arranged.issueId, clearParent: true, ...(key ? { idempotencyKey: key } : {}) } }),
    applied: async (arranged) => expect((await tasker.issue(arranged.issueId)).parent_id).toBeNull(),
    unchanged: async (arranged) => expect((await tasker.issue(arranged.issueId)).parent_id).toBe(arranged.otherId),
    lazyAnswer: (arranged, _request, read) => issueAnswer(arranged.issueId, read),
  },
  {
    name: 'move_issue',
    tool: 'move_issue',
    operation: 'MoveIssue',
    scopes: ['ISSUES_WRITE'],
    arrange: async () => ({ issueId: await freshIssue({ stateId: DEMO.states.todo }) }),
    variables: (arranged, key) => ({ issueId: arranged.issueId, stateId: DEMO.states.done, ...(key ? { idempotencyKey: key } : {}) }),
    applied: async (arranged) => expect((await tasker.issue(arranged.issueId)).state_id).toBe(DEMO.states.done),
    unchanged: async (arranged) => expect((await tasker.issue(arranged.issueId)).state_id).toBe(DEMO.states.todo),
    lazyAnswer: (arranged, _request, read) => issueAnswer(arranged.issueId, read),
  },
  {
    name: 'add_comment',
    tool: 'add_comment',
    operation: 'AddComment',
    scopes: ['COMMENTS_WRITE'],
    arrange: async () => {
      const issueId = await freshIssue();
      await ok(runOperation(stack.gateway, 'AddComment', { token: full.token, variables: { issueId, body: 'an earlier comment' } }));
      return { issueId };
    },
    variables: (arranged, key) => ({ issueId: arranged.issueId, body: 'The **effect** comment', ...(key ? { idempotencyKey: key } : {}) }),
    applied: async (arranged) => {
      const comments = await tasker.comments(arranged.issueId);
      expect(comments.map((comment) => comment.comment_html).filter((html) => html.includes('<strong>effect</strong>'))).toHaveLength(1);
    },
    unchanged: async (arranged) => expect((await tasker.comments(arranged.issueId)).map((comment) => comment.comment_html)).toEqual([expect.stringContaining('an earlier comment')]),
    // Tasker says "commented" and answers with the comment that was already there.
    lazyAnswer: async (arranged, _request, read) => {
      const { comments } = await read<{ comments: TaskerComment[] }>(`${BASE}/issues/${arranged.issueId}/comments`);
      const { issue } = await read<{ issue: TaskerIssue }>(`${BASE}/issues/${arranged.issueId}`);
      return { status: 200, body: { issue, comment: comments[0] } };
    },
  },
  ...(['whole', 'delta'] as const).map((mode): WriteCase => ({
    name: `set_issue_labels (${mode})`,
    tool: 'set_issue_labels',
    operation: 'SetIssueLabels',
    scopes: ['LABELS_WRITE'],
    arrange: async () => ({ issueId: await freshIssue({ labelIds: [bug] }) }),
    variables: (arranged, key) => ({
      issueId: arranged.issueId,
      ...(mode === 'whole' ? { labelIds: [feature, docs] } : { addLabelIds: [feature, docs], removeLabelIds: [bug] }),
      ...(key ? { idempotencyKey: key } : {}),
    }),
    applied: async (arranged) => expect(new Set((await tasker.issue(arranged.issueId)).label_ids)).toEqual(new Set([feature, docs])),
    unchanged: async (arranged) => expect((await tasker.issue(arranged.issueId)).label_ids).toEqual([bug]),
    lazyAnswer: (arranged, _request, read) => issueAnswer(arranged.issueId, read),
  })),
  ...(['whole', 'delta'] as const).map((mode): WriteCase => ({
    name: `set_issue_assignees (${mode})`,
    tool: 'set_issue_assignees',
    operation: 'SetIssueAssignees',
    scopes: ['ASSIGNEES_WRITE'],
    arrange: async () => ({ issueId: await freshIssue({ assigneeIds: [LOCAL] }) }),
    variables: (arranged, key) => ({
      issueId: arranged.issueId,
      ...(mode === 'whole' ? { assigneeIds: [TEAMMATE] } : { addAssigneeIds: [TEAMMATE], removeAssigneeIds: [LOCAL] }),
      ...(key ? { idempotencyKey: key } : {}),
    }),
    applied: async (arranged) => expect((await tasker.issue(arranged.issueId)).assignee_ids).toEqual([TEAMMATE]),
    unchanged: async (arranged) => expect((await tasker.issue(arranged.issueId)).assignee_ids).toEqual([LOCAL]),
    lazyAnswer: (arranged, _request, read) => issueAnswer(arranged.issueId, read),
  })),
  {
    name: 'relate_issues (add)',
    tool: 'relate_issues',
    operation: 'RelateIssues',
    scopes: ['RELATIONS_WRITE'],
    arrange: async () => ({ issueId: await freshIssue(), otherId: await freshIssue() }),
    variables: (arranged, key) => ({ issueId: arranged.issueId, type: 'blocks', relatedIssueId: arranged.otherId, ...(key ? { idempotencyKey: key } : {}) }),
    applied: async (arranged) =>
      expect((await tasker.relations(arranged.issueId)).map((relation) => [relation.relation_type, relation.issue.id])).toEqual([['blocks', arranged.otherId]]),
    unchanged: async (arranged) => expect(await tasker.relations(arranged.issueId)).toEqual([]),
    lazyAnswer: async (arranged, _request, read) => ({ status: 200, body: await read(`${BASE}/issues/${arranged.issueId}/relations`) }),
  },
  {
    name: 'relate_issues (remove)',
    tool: 'relate_issues',
    operation: 'RelateIssues',
    scopes: ['RELATIONS_WRITE'],
    arrange: async () => {
      const arranged = { issueId: await freshIssue(), otherId: await freshIssue() };
      await ok(runOperation(stack.gateway, 'RelateIssues', { token: full.token, variables: { issueId: arranged.issueId, type: 'relates_to', relatedIssueId: arranged.otherId } }));
      return arranged;
    },
    variables: (arranged, key) => ({ issueId: arranged.issueId, type: 'relates_to', relatedIssueId: arranged.otherId, remove: true, ...(key ? { idempotencyKey: key } : {}) }),
    applied: async (arranged) => expect(await tasker.relations(arranged.issueId)).toEqual([]),
    unchanged: async (arranged) => expect((await tasker.relations(arranged.issueId)).map((relation) => relation.issue.id)).toEqual([arranged.otherId]),
    lazyAnswer: async (arranged, _request, read) => ({ status: 200, body: await read(`${BASE}/issues/${arranged.issueId}/relations`) }),
  },
  {
    name: 'link_issue (add)',
    tool: 'link_issue',
    operation: 'LinkIssue',
    scopes: ['LINKS_WRITE'],
    arrange: async () => ({ issueId: await freshIssue() }),
    variables: (arranged, key) => ({ issueId: arranged.issueId, url: 'https://ci.example.test/run/1', title: 'CI run', ...(key ? { idempotencyKey: key } : {}) }),
    applied: async (arranged) =>
      expect((await tasker.links(arranged.issueId)).map((link) => [link.url, link.title])).toEqual([['https://ci.example.test/run/1', 'CI run']]),
    unchanged: async (arranged) => expect(await tasker.links(arranged.issueId)).toEqual([]),
    lazyAnswer: async (arranged, _request, read) => ({ status: 200, body: await read(`${BASE}/issues/${arranged.issueId}/links`) }),
  },
  {
    name: 'link_issue (remove)',
    tool: 'link_issue',
    operation: 'LinkIssue',
    scopes: ['LINKS_WRITE'],
    arrange: async () => {
      const issueId = await freshIssue();
      await ok(runOperation(stack.gateway, 'LinkIssue', { token: full.token, variables: { issueId, url: 'https://pr.example.test/7' } }));
      return { issueId };
    },
    variables: (arranged, key) => ({ issueId: arranged.issueId, url: 'https://pr.example.test/7', remove: true, ...(key ? { idempotencyKey: key } : {}) }),
    applied: async (arranged) => expect(await tasker.links(arranged.issueId)).toEqual([]),
    unchanged: async (arranged) => expect((await tasker.links(arranged.issueId)).map((link) => link.url)).toEqual(['https://pr.example.test/7']),
    lazyAnswer: async (arranged, _request, read) => ({ status: 200, body: await read(`${BASE}/issues/${arranged.issueId}/links`) }),
  },
  {
    name: 'plan_issue (into a cycle)',
    tool: 'plan_issue',
    operation: 'PlanIssue',
    scopes: ['PLANNING_WRITE'],
    arrange: async () => ({ issueId: await freshIssue() }),
    variables: (arranged, key) => ({ issueId: arranged.issueId, cycleId: DEMO_IDS.cycles.current, ...(key ? { idempotencyKey: key } : {}) }),
    applied: async (arranged) => expect((await tasker.issue(arranged.issueId)).cycle_id).toBe(DEMO_IDS.cycles.current),
    unchanged: async (arranged) => expect((await tasker.issue(arranged.issueId)).cycle_id).toBeNull(),
    lazyAnswer: (arranged, _request, read) => issueAnswer(arranged.issueId, read),
  },
  {
    name: 'plan_issue (out of its cycle)',
    tool: 'plan_issue',
    operation: 'PlanIssue',
    scopes: ['PLANNING_WRITE'],
    arrange: async () => {
      const issueId = await freshIssue();
      await ok(runOperation(stack.gateway, 'PlanIssue', { token: full.token, variables: { issueId, cycleId: DEMO_IDS.cycles.next } }));
      return { issueId };
    },
    variables: (arranged, key) => ({ issueId: arranged.issueId, leaveCycle: true, ...(key ? { idempotencyKey: key } : {}) }),
    applied: async (arranged) => expect((await tasker.issue(arranged.issueId)).cycle_id).toBeNull(),
    unchanged: async (arranged) => expect((await tasker.issue(arranged.issueId)).cycle_id).toBe(DEMO_IDS.cycles.next),
    lazyAnswer: (arranged, _request, read) => issueAnswer(arranged.issueId, read),
  },
  {
    name: 'plan_issue (modules)',
    tool: 'plan_issue',
    operation: 'PlanIssue',
    scopes: ['PLANNING_WRITE'],
    arrange: async () => {
      const issueId = await freshIssue();
      await ok(runOperation(stack.gateway, 'PlanIssue', { token: full.token, variables: { issueId, addModuleIds: [DEMO_IDS.modules.docs] } }));
      return { issueId };
    },
    variables: (arranged, key) => ({
      issueId: arranged.issueId,
      addModuleIds: [DEMO_IDS.modules.gateway],
      removeModuleIds: [DEMO_IDS.modules.docs],
      ...(key ? { idempotencyKey: key } : {}),
    }),
    applied: async (arranged) => expect((await tasker.issue(arranged.issueId)).module_ids).toEqual([DEMO_IDS.modules.gateway]),
    unchanged: async (arranged) => expect((await tasker.issue(arranged.issueId)).module_ids).toEqual([DEMO_IDS.modules.docs]),
    lazyAnswer: (arranged, _request, read) => issueAnswer(arranged.issueId, read),
  },
];

const run = (writeCase: WriteCase, arranged: Arranged, options: { key?: string; token?: string } = {}) =>
  runOperation(stack.gateway, writeCase.operation, { token: options.token ?? full.token, variables: writeCase.variables(arranged, options.key) });

describe('the cases cover every write tool', () => {
  it('has a case for each mutation tool of the manifest, with the scopes the manifest declares', () => {
    const writeTools = loadToolManifest().tools.filter((tool) => tool.kind === 'mutation');
    expect(new Set(CASES.map((writeCase) => writeCase.tool))).toEqual(new Set(writeTools.map((tool) => tool.name)));
    for (const tool of writeTools) {
      const declared = tool.scopes.map((scope) => scope.replace(':', '_').toUpperCase());
      for (const writeCase of CASES.filter((candidate) => candidate.tool === tool.name)) {
        expect(writeCase.operation).toBe(tool.operationName);
        expect(writeCase.scopes).toEqual(expect.arrayContaining(declared));
      }
    }
  });
});

describe.each(CASES.map((writeCase) => [writeCase.name, writeCase] as const))('%s', (_name, writeCase) => {
  it('changes Tasker as asked', async () => {
    const arranged = await writeCase.arrange();
    stack.proxy.reset();
    const data = await ok(run(writeCase, arranged));
    expect(writesSent()).toHaveLength(1);
    await writeCase.applied(arranged, data);
  });

  it('answers TASKER_WRITE_NOT_APPLIED when Tasker says yes and changes nothing', async () => {
    const arranged = await writeCase.arrange();
    stack.proxy.reset();
    stack.proxy.inject({ kind: 'respond', when: isWrite, answer: (request, read) => writeCase.lazyAnswer(arranged, request, read) });
    const result = await run(writeCase, arranged);
    expect(errorCode(result)).toBe('TASKER_WRITE_NOT_APPLIED');
    expect(result.errors).toHaveLength(1);
    expect(writesSent()).toHaveLength(1);
    await writeCase.unchanged(arranged);
  });

  it('writes once when replayed with the same idempotency key', async () => {
    const arranged = await writeCase.arrange();
    const key = `effect-${randomUUID()}`;
    stack.proxy.reset();
    const first = await ok(run(writeCase, arranged, { key }));
    const second = await ok(run(writeCase, arranged, { key }));
    expect(second).toEqual(first);
    expect(writesSent()).toHaveLength(1);
    await writeCase.applied(arranged, first);
  });

  it.each(writeCase.scopes)('is refused without %s, before anything reaches Tasker', async (scope) => {
    const arranged = await writeCase.arrange();
    const lacking = await stack.agentWith({ [DEMO.id]: ALL_SCOPES.filter((candidate) => candidate !== scope) }, `Without ${scope}`);
    stack.proxy.reset();
    const result = await run(writeCase, arranged, { token: lacking.token });
    expect(errorCode(result)).toBe('FORBIDDEN');
    expect(result.errors).toHaveLength(1);
    expect(writesSent()).toEqual([]);
    await writeCase.unchanged(arranged);
  });
});

describe('create_issue needs labels:write and assignees:write only when it sets them', () => {
  it('creates without them when no labels or assignees are given', async () => {
    const plain = await stack.agentWith({ [DEMO.id]: ['ISSUES_WRITE'] }, 'Plain writer');
    const data = await ok(
      runOperation<{ createIssue: { issue: { id: string } } }>(stack.gateway, 'CreateIssue', {
        token: plain.token,
        variables: { input: { projectId: DEMO.id, title: 'no labels, no assignees' } },
      }),
    );
    expect((await tasker.issue(data.createIssue.issue.id)).title).toBe('no labels, no assignees');
  });
});

describe('a create Tasker applies only in part', () => {
  // Tasker creates the issue but drops or alters one field: the gateway must say so.
  const fields: [string, (issue: TaskerIssue) => TaskerIssue][] = [
    ['title', (issue) => ({ ...issue, title: 'something else' })],
    ['project_id', (issue) => ({ ...issue, project_id: DEMO_IDS.projects.OPS.id })],
    ['priority', (issue) => ({ ...issue, priority: 'none' })],
    ['state_id', (issue) => ({ ...issue, state_id: DEMO.states.backlog })],
    ['label_ids', (issue) => ({ ...issue, label_ids: [bug] })],
    ['assignee_ids', (issue) => ({ ...issue, assignee_ids: [] })],
    ['start_date', (issue) => ({ ...issue, start_date: null })],
    ['target_date', (issue) => ({ ...issue, target_date: null })],
    ['parent_id', (issue) => ({ ...issue, parent_id: null })],
    ['description_html', (issue) => ({ ...issue, description_html: '<p></p>' })],
  ];
  const create = CASES[0]!;

  it.each(fields)('answers TASKER_WRITE_NOT_APPLIED when %s is not as asked', async (field, alter) => {
    const arranged = await create.arrange();
    stack.proxy.inject({
      kind: 'rewrite',
      rewrite: (body, request) => (isWrite({ method: request.method, path: request.path }) ? { issue: alter(body.issue as TaskerIssue) } : body),
    });
    const result = await run(create, arranged);
    expect(errorCode(result)).toBe('TASKER_WRITE_NOT_APPLIED');
    expect(result.errors![0]!.extensions.details).toEqual({ mismatched: [field] });
  });
});

describe('an update Tasker applies only in part', () => {
  const fields: [string, (issue: TaskerIssue) => TaskerIssue][] = [
    ['title', (issue) => ({ ...issue, title: 'effect target' })],
    ['priority', (issue) => ({ ...issue, priority: 'none' })],
    ['start_date', (issue) => ({ ...issue, start_date: null })],
    ['target_date', (issue) => ({ ...issue, target_date: null })],
    ['parent_id', (issue) => ({ ...issue, parent_id: null })],
    ['description_html', (issue) => ({ ...issue, description_html: '<p></p>' })],
  ];
  const update = CASES.find((candidate) => candidate.name === 'update_issue with every field')!;

  it.each(fields)('answers TASKER_WRITE_NOT_APPLIED when %s is not as asked', async (field, alter) => {
    const arranged = await update.arrange();
    stack.proxy.inject({
      kind: 'rewrite',
      rewrite: (body, request) => (isWrite({ method: request.method, path: request.path }) ? { issue: alter(body.issue as TaskerIssue) } : body),
    });
    const result = await run(update, arranged);
    expect(errorCode(result)).toBe('TASKER_WRITE_NOT_APPLIED');
    expect(result.errors![0]!.extensions.details).toEqual({ mismatched: [field] });
  });
});
