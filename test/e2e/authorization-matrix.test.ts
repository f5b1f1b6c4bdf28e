import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, type GraphQLResult, runOperation } from '../support/gateway.js';
import { DEMO, OPS, startTestStack, type TestStack } from '../support/stack.js';

/**
 * Every agent field × its scope present or absent × its project granted or not, plus issue ids
 * from a project the agent has no grant for. A field added without a row here fails the last test.
 */
const ALL = ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE', 'COMMENTS_WRITE', 'LABELS_WRITE', 'ASSIGNEES_WRITE'];

interface Target {
  projectId: string;
  issueId: string;
  stateId: string;
  labelId: string;
}

interface ToolCase {
  field: string;
  scope: string;
  /** Addressed by issue id (so the cross-project case applies). */
  byIssue: boolean;
  run(stack: TestStack, token: string, target: Target): Promise<GraphQLResult>;
}

const op = (name: string) => (stack: TestStack, token: string, variables: Record<string, unknown>) =>
  runOperation(stack.gateway, name, { token, variables });

const TOOLS: ToolCase[] = [
  { field: 'projects', scope: 'PROJECTS_READ', byIssue: false, run: (s, t) => op('ListProjects')(s, t, {}) },
  { field: 'resolveProject', scope: 'PROJECTS_READ', byIssue: false, run: (s, t, x) => op('ResolveProject')(s, t, { query: x.projectId }) },
  { field: 'projectContext', scope: 'PROJECTS_READ', byIssue: false, run: (s, t, x) => op('GetProjectContext')(s, t, { projectId: x.projectId }) },
  { field: 'issues', scope: 'ISSUES_READ', byIssue: false, run: (s, t, x) => op('ListIssues')(s, t, { projectId: x.projectId }) },
  { field: 'issue', scope: 'ISSUES_READ', byIssue: true, run: (s, t, x) => op('GetIssue')(s, t, { issueId: x.issueId }) },
  {
    field: 'createIssue',
    scope: 'ISSUES_WRITE',
    byIssue: false,
    run: (s, t, x) => op('CreateIssue')(s, t, { input: { projectId: x.projectId, title: 'matrix' } }),
  },
  {
    field: 'updateIssue',
    scope: 'ISSUES_WRITE',
    byIssue: true,
    run: (s, t, x) => op('UpdateIssue')(s, t, { input: { issueId: x.issueId, priority: 'low' } }),
  },
  { field: 'moveIssue', scope: 'ISSUES_WRITE', byIssue: true, run: (s, t, x) => op('MoveIssue')(s, t, { issueId: x.issueId, stateId: x.stateId }) },
  { field: 'addComment', scope: 'COMMENTS_WRITE', byIssue: true, run: (s, t, x) => op('AddComment')(s, t, { issueId: x.issueId, body: 'matrix' }) },
  {
    field: 'setIssueLabels',
    scope: 'LABELS_WRITE',
    byIssue: true,
    run: (s, t, x) => op('SetIssueLabels')(s, t, { issueId: x.issueId, labelIds: [x.labelId] }),
  },
  {
    field: 'setIssueAssignees',
    scope: 'ASSIGNEES_WRITE',
    byIssue: true,
    run: (s, t, x) => op('SetIssueAssignees')(s, t, { issueId: x.issueId, assigneeIds: ['local-user'] }),
  },
];

let stack: TestStack;
let demo: Target;
let ops: Target;

async function seedIssue(projectId: string): Promise<string> {
  const { token } = await stack.agentWith({ [projectId]: ['ISSUES_WRITE'] }, 'seeder');
  const created = await runOperation<{ createIssue: { id: string } }>(stack.gateway, 'CreateIssue', {
    token,
    variables: { input: { projectId, title: 'matrix target' } },
  });
  expect(created.errors).toBeUndefined();
  return created.data!.createIssue.id;
}

beforeAll(async () => {
  stack = await startTestStack();
  demo = { projectId: DEMO.id, issueId: await seedIssue(DEMO.id), stateId: DEMO.states.todo, labelId: DEMO.labels.bug };
  ops = { projectId: OPS.id, issueId: await seedIssue(OPS.id), stateId: OPS.states.todo, labelId: OPS.labels.bug };
});
afterAll(() => stack.close());

describe.each(TOOLS)('$field (needs $scope)', (tool) => {
  it('is allowed with the scope on a granted project', async () => {
    const { token } = await stack.agentWith({ [DEMO.id]: ALL });
    const result = await tool.run(stack, token, demo);
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
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
  expect(TOOLS.map((tool) => tool.field).sort()).toEqual(agentFields);
});
