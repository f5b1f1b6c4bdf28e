import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphQLResult, runOperation } from '../support/gateway.js';
import { DEMO, OPS, startTestStack, type TestStack } from '../support/stack.js';

/** Paging and filters of the agent reads do what they say: each asserted on what comes back. */
let stack: TestStack;
let agent: { token: string };

beforeAll(async () => {
  stack = await startTestStack();
  agent = await stack.agentWith({ [DEMO.id]: ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE'], [OPS.id]: ['PROJECTS_READ'] }, 'Filter agent');
});
afterAll(() => stack.close());

async function ok<T>(result: Promise<GraphQLResult<T>>): Promise<T> {
  const answer = await result;
  expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  return answer.data!;
}

interface ProjectPage {
  projects: { nodes: { project: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

describe('projects, page by page', () => {
  it('answers the next page after the cursor, and every granted project once', async () => {
    const first = await ok(runOperation<ProjectPage>(stack.gateway, 'ListProjects', { token: agent.token, variables: { first: 1 } }));
    expect(first.projects.nodes).toHaveLength(1);
    expect(first.projects.pageInfo.hasNextPage).toBe(true);
    const second = await ok(
      runOperation<ProjectPage>(stack.gateway, 'ListProjects', { token: agent.token, variables: { first: 1, after: first.projects.pageInfo.endCursor } }),
    );
    expect(second.projects.nodes).toHaveLength(1);
    expect(second.projects.pageInfo.hasNextPage).toBe(false);
    const seen = [...first.projects.nodes, ...second.projects.nodes].map((node) => node.project.id);
    expect(seen.sort()).toEqual([DEMO.id, OPS.id].sort());
  });
});

describe('list_issues search', () => {
  it('answers only the issues whose title matches', async () => {
    const needle = `needle-${randomUUID().slice(0, 8)}`;
    const created = await ok(
      runOperation<{ createIssue: { issue: { id: string } } }>(stack.gateway, 'CreateIssue', {
        token: agent.token,
        variables: { input: { projectId: DEMO.id, title: `find the ${needle}` } },
      }),
    );
    const found = await ok(
      runOperation<{ issues: { nodes: { id: string }[] } }>(stack.gateway, 'ListIssues', { token: agent.token, variables: { projectId: DEMO.id, search: needle } }),
    );
    expect(found.issues.nodes.map((node) => node.id)).toEqual([created.createIssue.issue.id]);
  });
});
