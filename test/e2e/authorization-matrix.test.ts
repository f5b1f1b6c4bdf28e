import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, type GraphQLResult, runOperation } from '../support/gateway.js';
import { DEMO_IDS } from '../../reference-tasker/index.js';
import { ALL_SCOPES, DEMO, OPS, startTestStack, type TestStack } from '../support/stack.js';

/**
 * Every agent field × its scope present or absent × its project granted or not, plus issue ids
 * from a project the agent has no grant for. A field added without a row here fails the last test.
 */
const ALL = ALL_SCOPES;

interface Target {
  projectId: string;
  issueId: string;
  /** An issue of the same project, for relations. */
  otherIssueId: string;
  stateId: string;
  labelId: string;
  cycleId: string | null;
}

interface ToolCase {
  field: string;
  scope: string;
  /** Addressed by issue id (so the cross-project case applies). */
  byIssue: boolean;
  run(stack: TestStack, token: string, target: Target): Promise<GraphQLResult>;
  /** What an allowed call must answer: the data itself, not only the absence of errors. */
  check(data: Record<string, unknown>, target: Target): void;
}

const op = (name: string) => (stack: TestStack, token: string, variables: Record<string, unknown>) =>
  runOperation(stack.gateway, name, { token, variables });

/** Every write is run as a dry run here: the matrix is about who may, and a dry run passes every check a write does. */
const changed = (field: string, after: (target: Target) => unknown) => (data: Record<string, unknown>, target: Target) => {
  const result = Object.values(data)[0] as { dryRun: boolean; changes: { field: string; after: unknown }[] };
  expect(result.dryRun).toBe(true);
  expect(result.changes).toContainEqual(expect.objectContaining({ field, after: after(target) }));
};

const TOOLS: ToolCase[] = [
  {
    field: 'projects',
    scope: 'PROJECTS_READ',
    byIssue: false,
    run: (s, t) => op('ListProjects')(s, t, {}),
    check: (d, x) => expect((d as { projects: { nodes: { project: { id: string } }[] } }).projects.nodes.map((n) => n.project.id)).toEqual([x.projectId]),
  },
  {
    field: 'resolveProject',
    scope: 'PROJECTS_READ',
    byIssue: false,
    run: (s, t, x) => op('ResolveProject')(s, t, { query: x.projectId }),
    check: (d, x) => expect((d as { resolveProject: { id: string } }).resolveProject.id).toBe(x.projectId),
  },
  {
    field: 'projectContext',
    scope: 'PROJECTS_READ',
    byIssue: false,
    run: (s, t, x) => op('GetProjectContext')(s, t, { projectId: x.projectId }),
    check: (d, x) => expect((d as { projectContext: { states: { id: string }[] } }).projectContext.states.map((s) => s.id)).toContain(x.stateId),
  },
  {
    field: 'projectPlanning',
    scope: 'PROJECTS_READ',
    byIssue: false,
    run: (s, t, x) => op('GetProjectPlanning')(s, t, { projectId: x.projectId }),
    check: (d, x) => expect((d as { projectPlanning: { cycles: { id: string }[] } }).projectPlanning.cycles.map((c) => c.id)).toContain(x.cycleId),
  },
  {
    field: 'issues',
    scope: 'ISSUES_READ',
    byIssue: false,
    run: (s, t, x) => op('ListIssues')(s, t, { projectId: x.projectId, first: 100 }),
    check: (d, x) => expect((d as { issues: { nodes: { id: string }[] } }).issues.nodes.map((n) => n.id)).toContain(x.issueId),
  },
  {
    field: 'searchIssues',
    scope: 'ISSUES_READ',
    byIssue: false,
    run: (s, t, x) => op('SearchIssues')(s, t, { projectIds: [x.projectId], text: 'matrix target', first: 100 }),
    check: (d, x) => expect((d as { searchIssues: { nodes: { id: string }[] } }).searchIssues.nodes.map((n) => n.id)).toContain(x.issueId),
  },
  {
    field: 'issue',
    scope: 'ISSUES_READ',
    byIssue: true,
    run: (s, t, x) => op('GetIssue')(s, t, { issueId: x.issueId }),
    check: (d, x) => expect((d as { issue: { id: string; projectId: string } }).issue).toMatchObject({ id: x.issueId, projectId: x.projectId }),
  },
  {
    field: 'issueComments',
    scope: 'ISSUES_READ',
    byIssue: true,
    run: (s, t, x) => op('ListComments')(s, t, { issueId: x.issueId }),
    check: (d) => expect((d as { issueComments: { nodes: { body: string }[] } }).issueComments.nodes.map((n) => n.body)).toContain('matrix note'),
  },
  {
    field: 'issueActivity',
    scope: 'ISSUES_READ',
    byIssue: true,
    run: (s, t, x) => op('GetIssueActivity')(s, t, { issueId: x.issueId }),
    check: (d) => expect((d as { issueActivity: { nodes: { verb: string }[] } }).issueActivity.nodes[0]?.verb).toBe('created'),
  },
  {
    field: 'issueRelations',
    scope: 'ISSUES_READ',
    byIssue: true,
    run: (s, t, x) => op('GetIssueRelations')(s, t, { issueId: x.issueId }),
    check: (d) => expect((d as { issueLinks: { url: string }[] }).issueLinks.map((l) => l.url)).toContain('https://example.test/matrix'),
  },
  {
    field: 'issueLinks',
    scope: 'ISSUES_READ',
    byIssue: true,
    run: (s, t, x) => op('GetIssueRelations')(s, t, { issueId: x.issueId }),
    check: (d) => expect((d as { issueLinks: unknown[] }).issueLinks).toHaveLength(1),
  },
  {
    field: 'createIssue',
    scope: 'ISSUES_WRITE',
    byIssue: false,
    run: (s, t, x) => op('CreateIssue')(s, t, { input: { projectId: x.projectId, title: 'matrix', dryRun: true } }),
    check: changed('title', () => 'matrix'),
  },
  {
    field: 'updateIssue',
    scope: 'ISSUES_WRITE',
    byIssue: true,
    run: (s, t, x) => op('UpdateIssue')(s, t, { input: { issueId: x.issueId, priority: 'low', dryRun: true } }),
    check: changed('priority', () => 'low'),
  },
  {
    field: 'moveIssue',
    scope: 'ISSUES_WRITE',
    byIssue: true,
    run: (s, t, x) => op('MoveIssue')(s, t, { issueId: x.issueId, stateId: x.stateId, dryRun: true }),
    check: changed('stateId', (x) => x.stateId),
  },
  {
    field: 'addComment',
    scope: 'COMMENTS_WRITE',
    byIssue: true,
    run: (s, t, x) => op('AddComment')(s, t, { issueId: x.issueId, body: 'matrix', dryRun: true }),
    check: changed('comment', () => 'matrix'),
  },
  {
    field: 'setIssueLabels',
    scope: 'LABELS_WRITE',
    byIssue: true,
    run: (s, t, x) => op('SetIssueLabels')(s, t, { issueId: x.issueId, labelIds: [x.labelId], dryRun: true }),
    check: changed('labelIds', (x) => [x.labelId]),
  },
  {
    field: 'setIssueAssignees',
    scope: 'ASSIGNEES_WRITE',
    byIssue: true,
    run: (s, t, x) => op('SetIssueAssignees')(s, t, { issueId: x.issueId, assigneeIds: ['local-user'], dryRun: true }),
    check: changed('assigneeIds', () => ['local-user']),
  },
  {
    field: 'relateIssues',
    scope: 'RELATIONS_WRITE',
    byIssue: true,
    run: (s, t, x) => op('RelateIssues')(s, t, { issueId: x.issueId, type: 'blocks', relatedIssueId: x.otherIssueId, dryRun: true }),
    check: changed('relation', () => ({ type: 'blocks', issue: 'DEMO-1' })),
  },
  {
    field: 'linkIssue',
    scope: 'LINKS_WRITE',
    byIssue: true,
    run: (s, t, x) => op('LinkIssue')(s, t, { issueId: x.issueId, url: 'https://example.test/pr/1', title: 'PR 1', dryRun: true }),
    check: changed('link', () => ({ url: 'https://example.test/pr/1', title: 'PR 1' })),
  },
  {
    field: 'planIssue',
    scope: 'PLANNING_WRITE',
    byIssue: true,
    run: (s, t, x) => op('PlanIssue')(s, t, { issueId: x.issueId, cycleId: x.cycleId, dryRun: true }),
    check: changed('cycleId', (x) => x.cycleId),
  },
];

let stack: TestStack;
let demo: Target;
let ops: Target;

/** An issue with one comment and one link, so every read has something to show. */
async function seedIssue(projectId: string): Promise<string> {
  const { token } = await stack.agentWith({ [projectId]: ['ISSUES_WRITE', 'COMMENTS_WRITE', 'LINKS_WRITE'] }, 'seeder');
  const created = await runOperation<{ createIssue: { issue: { id: string } } }>(stack.gateway, 'CreateIssue', {
    token,
    variables: { input: { projectId, title: 'matrix target' } },
  });
  expect(created.errors).toBeUndefined();
  const issueId = created.data!.createIssue.issue.id;
  for (const [name, variables] of [
    ['AddComment', { issueId, body: 'matrix note' }],
    ['LinkIssue', { issueId, url: 'https://example.test/matrix', title: 'matrix' }],
  ] as const) {
    expect((await runOperation(stack.gateway, name, { token, variables })).errors).toBeUndefined();
  }
  return issueId;
}

beforeAll(async () => {
  stack = await startTestStack();
  const base = { stateId: DEMO.states.todo, labelId: DEMO.labels.bug };
  demo = { projectId: DEMO.id, issueId: await seedIssue(DEMO.id), otherIssueId: DEMO_IDS.issues['DEMO-1'], ...base, cycleId: DEMO_IDS.cycles.current };
  ops = { projectId: OPS.id, issueId: await seedIssue(OPS.id), otherIssueId: DEMO_IDS.issues['DEMO-1'], stateId: OPS.states.todo, labelId: OPS.labels.bug, cycleId: null };
});
afterAll(() => stack.close());

describe.each(TOOLS)('$field (needs $scope)', (tool) => {
  it('is allowed with the scope on a granted project, and answers what is there', async () => {
    const { token } = await stack.agentWith({ [DEMO.id]: ALL });
    const activityBefore = (await stack.tasker.activity()).length;
    const result = await tool.run(stack, token, demo);
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    tool.check(result.data!, demo);
    // Reads and dry runs leave Tasker as it was.
    expect((await stack.tasker.activity()).length).toBe(activityBefore);
  });

  it('is FORBIDDEN without the scope, even on a granted project', async () => {
    const { token } = await stack.agentWith({ [DEMO.id]: ALL.filter((scope) => scope !== tool.scope) });
    const result = await tool.run(stack, token, demo);
    expect(errorCode(result)).toBe('FORBIDDEN');
  });

  it('is refused on a project that is not granted (an issue there is NOT_FOUND, as if it did not exist)', async () => {
    // Granted everything on OPS, addressing DEMO; local-user is a member of both in Tasker.
    const { token } = await stack.agentWith({ [OPS.id]: ALL });
    const result = await tool.run(stack, token, demo);
    if (tool.field === 'projects') {
      const ids = (result.data as { projects: { nodes: { project: { id: string } }[] } }).projects.nodes.map((n) => n.project.id);
      expect(ids).not.toContain(DEMO.id);
    } else {
      expect(errorCode(result)).toBe(tool.byIssue ? 'NOT_FOUND' : 'FORBIDDEN');
    }
  });

  it.runIf(tool.byIssue)('refuses an issue id from a project without a grant', async () => {
    const { token } = await stack.agentWith({ [DEMO.id]: ALL });
    const activityBefore = (await stack.tasker.activity()).length;
    const result = await tool.run(stack, token, { ...demo, issueId: ops.issueId, stateId: ops.stateId, labelId: ops.labelId });
    expect(result.errors).toHaveLength(1);
    expect(errorCode(result)).toBe('NOT_FOUND');
    expect((await stack.tasker.activity()).length).toBe(activityBefore);
  });
});

it('covers every agent root field', async () => {
  const { pothosSchema } = await import('../../src/schema/index.js');
  const { ROOT_RULES } = await import('../../src/auth/shield.js');
  const agentFields = [...Object.entries(ROOT_RULES.Query), ...Object.entries(ROOT_RULES.Mutation)]
    .filter(([name]) => {
      const field = pothosSchema.getQueryType()!.getFields()[name] ?? pothosSchema.getMutationType()!.getFields()[name];
      const scopes = (field?.extensions?.pothosOptions as { authScopes?: unknown }).authScopes;
      return typeof scopes === 'object' && scopes !== null && 'agentScope' in scopes;
    })
    .map(([name]) => name)
    .sort();
  expect([...new Set(TOOLS.map((tool) => tool.field))].sort()).toEqual(agentFields);
});
