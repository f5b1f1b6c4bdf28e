import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../reference-tasker/index.js';
import { loadToolManifest } from '../../src/mcp/manifest.js';
import { errorCode, type GraphQLResult, runOperation } from '../support/gateway.js';
import { badShape, misbehave, oversize, route, ROUTES, type RouteMatcher, TASKER_BASE } from '../support/misbehaving-tasker.js';
import { ALL_SCOPES, DEMO, OPS, PRIV, startTestStack, type TestStack } from '../support/stack.js';

/**
 * The guards against a Tasker that misbehaves: a reference Tasker behind a proxy that rewrites
 * one route's answers (support/misbehaving-tasker.ts). Items of other projects or issues in a
 * list, an answer about another project or issue, an answer too big or of the wrong shape: none
 * of it reaches the agent. The agent here is granted DEMO only, so OPS and PRIV are "elsewhere".
 */
type Json = Record<string, unknown>;

let stack: TestStack;
let agent: { agentId: string; token: string };
/** Real Tasker records from elsewhere, to smuggle into DEMO's answers. */
let opsIssue: Json;
let privIssue: Json;
let opsContext: Json;

beforeAll(async () => {
  stack = await startTestStack();
  agent = await stack.agentWith({ [DEMO.id]: ALL_SCOPES }, 'DEMO-only agent');
  opsIssue = (await stack.readTasker<{ issue: Json }>(`${TASKER_BASE}/issues/${DEMO_IDS.issues['OPS-1']}`)).issue;
  // PRIV is not the owner's: Tasker would never show it, so a PRIV issue is one made up from an OPS one.
  privIssue = { ...opsIssue, id: '00000000-0000-4000-8000-00000000bad1', project_id: PRIV.id, key: 'PRIV-1', title: 'private' };
  opsContext = await stack.readTasker<Json>(`${TASKER_BASE}/projects/${OPS.id}/context`);
});
afterAll(() => stack.close());
beforeEach(() => stack.proxy.reset());

const run = <T = Json>(operation: string, variables: Json) => runOperation<T>(stack.gateway, operation, { token: agent.token, variables });

async function ok<T>(result: Promise<GraphQLResult<T>>): Promise<T> {
  const answer = await result;
  expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  return answer.data!;
}

/** Exactly one error, with this code. */
function refused(result: GraphQLResult<unknown>, code: string): void {
  expect(result.errors?.map((error) => error.extensions.code)).toEqual([code]);
}

const DEMO_2 = DEMO_IDS.issues['DEMO-2'];

interface ReadTool {
  operation: string;
  variables: Json;
  /** The Tasker call whose answer the tool shows. */
  route: RouteMatcher;
}

const READ_TOOLS: Record<string, ReadTool> = {
  list_projects: { operation: 'ListProjects', variables: {}, route: ROUTES.projectContext },
  resolve_project: { operation: 'ResolveProject', variables: { query: 'DEMO' }, route: ROUTES.resolveProject },
  get_project_context: { operation: 'GetProjectContext', variables: { projectId: DEMO.id }, route: ROUTES.projectContext },
  get_project_planning: { operation: 'GetProjectPlanning', variables: { projectId: DEMO.id }, route: ROUTES.cycles },
  list_issues: { operation: 'ListIssues', variables: { projectId: DEMO.id }, route: ROUTES.listIssues },
  search_issues: { operation: 'SearchIssues', variables: { text: 'login' }, route: ROUTES.searchIssues },
  get_issue: { operation: 'GetIssue', variables: { issueId: DEMO_2 }, route: ROUTES.getIssue },
  list_comments: { operation: 'ListComments', variables: { issueId: DEMO_2 }, route: ROUTES.comments },
  get_issue_activity: { operation: 'GetIssueActivity', variables: { issueId: DEMO_2 }, route: ROUTES.activity },
  get_issue_relations: { operation: 'GetIssueRelations', variables: { issueId: DEMO_2 }, route: ROUTES.relations },
};

describe('every read tool refuses a Tasker answer it cannot trust', () => {
  it('has a row for each read tool that asks Tasker', () => {
    const reads = loadToolManifest()
      .tools.filter((tool) => tool.kind === 'query' && tool.name !== 'get_agent_session')
      .map((tool) => tool.name);
    expect(Object.keys(READ_TOOLS).sort()).toEqual(reads.sort());
  });

  describe.each(Object.entries(READ_TOOLS))('%s', (_name, tool) => {
    it('answers well when Tasker does', async () => {
      await ok(run(tool.operation, tool.variables));
    });

    it('answers an oversize Tasker answer with TASKER_BAD_RESPONSE', async () => {
      misbehave(stack.proxy, tool.route, oversize);
      const result = await run(tool.operation, tool.variables);
      refused(result, 'TASKER_BAD_RESPONSE');
      expect(result.errors![0]!.message).toContain('more than 5 MiB');
    });

    it('answers a Tasker answer of the wrong shape with TASKER_BAD_RESPONSE', async () => {
      misbehave(stack.proxy, tool.route, badShape);
      refused(await run(tool.operation, tool.variables), 'TASKER_BAD_RESPONSE');
    });
  });
});

describe('items from elsewhere in a list are dropped', () => {
  it('list_issues shows no issue of another project', async () => {
    misbehave(stack.proxy, ROUTES.listIssues, (body) => ({ ...body, issues: [opsIssue, ...(body.issues as Json[]), privIssue] }));
    const { issues } = await ok(run<{ issues: { nodes: { id: string }[] } }>('ListIssues', { projectId: DEMO.id }));
    const ids = issues.nodes.map((node) => node.id);
    expect(ids).toContain(DEMO_2);
    expect(ids).not.toContain(opsIssue.id);
    expect(ids).not.toContain(privIssue.id);
  });

  it('search_issues shows no issue of a project the agent was not asked about or not granted', async () => {
    misbehave(stack.proxy, ROUTES.searchIssues, (body) => ({ ...body, issues: [opsIssue, ...(body.issues as Json[]), privIssue] }));
    const { searchIssues } = await ok(run<{ searchIssues: { nodes: { id: string }[] } }>('SearchIssues', { text: 'login' }));
    expect(searchIssues.nodes.map((node) => node.id)).toEqual([DEMO_2]);
  });

  it('list_comments shows no comment of another issue', async () => {
    misbehave(stack.proxy, ROUTES.comments, (body) => {
      const [first] = body.comments as Json[];
      return { ...body, comments: [...(body.comments as Json[]), { ...first, id: '00000000-0000-4000-8000-00000000c0de', issue_id: DEMO_IDS.issues['DEMO-1'], comment_html: '<p>elsewhere</p>' }] };
    });
    const { issueComments } = await ok(run<{ issueComments: { nodes: { id: string; body: string }[] } }>('ListComments', { issueId: DEMO_2 }));
    expect(issueComments.nodes.length).toBeGreaterThan(0);
    expect(issueComments.nodes.map((node) => node.body)).not.toContain('elsewhere');
  });

  it('get_issue_activity shows no entry of another issue', async () => {
    const entry = (issueId: unknown, verb: string, n: number) => ({
      id: `00000000-0000-4000-8000-00000000ac7${n}`,
      issue_id: issueId,
      verb,
      field: null,
      old_value: null,
      new_value: null,
      actor: { user_id: DEMO_IDS.users.teammate, display_name: 'Teammate', agent_id: null },
      created_at: '2025-01-02T03:04:05Z',
    });
    misbehave(stack.proxy, ROUTES.activity, (body) => ({ ...body, activity: [entry(DEMO_2, 'here', 1), entry(opsIssue.id, 'elsewhere', 2)] }));
    const { issueActivity } = await ok(run<{ issueActivity: { nodes: { verb: string }[] } }>('GetIssueActivity', { issueId: DEMO_2 }));
    expect(issueActivity.nodes.map((node) => node.verb)).toEqual(['here']);
  });

  it('get_issue_relations shows no related issue of a project the agent may not read', async () => {
    const ref = (issue: Json) => ({ id: issue.id, key: issue.key, project_id: issue.project_id, title: issue.title, state_group: null });
    misbehave(stack.proxy, ROUTES.relations, () => ({
      relations: [
        { relation_type: 'blocks', issue: ref(opsIssue) },
        { relation_type: 'relates_to', issue: ref(privIssue) },
        { relation_type: 'duplicate_of', issue: { ...ref(opsIssue), id: DEMO_IDS.issues['DEMO-1'], key: 'DEMO-1', project_id: DEMO.id, title: 'shown' } },
      ],
    }));
    const { issueRelations } = await ok(run<{ issueRelations: { issue: { key: string } }[] }>('GetIssueRelations', { issueId: DEMO_2 }));
    expect(issueRelations.map((relation) => relation.issue.key)).toEqual(['DEMO-1']);
  });
});

describe('an answer about another project or issue is not taken for the one asked about', () => {
  it('list_projects leaves out a project Tasker answers for with another project', async () => {
    misbehave(stack.proxy, ROUTES.projectContext, () => opsContext);
    const { projects } = await ok(run<{ projects: { nodes: { project: { id: string } }[] } }>('ListProjects', {}));
    expect(projects.nodes).toEqual([]);
  });

  it('get_project_context refuses a context of another project', async () => {
    misbehave(stack.proxy, ROUTES.projectContext, () => opsContext);
    const result = await run<{ projectContext: { project: { id: string } } | null }>('GetProjectContext', { projectId: DEMO.id });
    refused(result, 'TASKER_BAD_RESPONSE');
    expect(JSON.stringify(result)).not.toContain(OPS.id);
  });

  it('resolve_project refuses a project resolved to one not granted', async () => {
    misbehave(stack.proxy, ROUTES.resolveProject, () => ({ project: opsContext.project }));
    refused(await run('ResolveProject', { query: 'DEMO' }), 'FORBIDDEN');
  });

  it('an identifier Tasker resolves to another project is not granted (list_issues by identifier)', async () => {
    misbehave(stack.proxy, ROUTES.resolveProject, () => ({ project: { ...(opsContext.project as Json), id: DEMO.id } }));
    refused(await run('ListIssues', { projectId: 'DEMO' }), 'FORBIDDEN');
    expect(stack.proxy.seen.some((line) => line.startsWith(`GET ${TASKER_BASE}/issues?`))).toBe(false);
  });

  it('get_issue answers NOT_FOUND for an issue Tasker says is in a project not granted', async () => {
    misbehave(stack.proxy, ROUTES.getIssue, () => ({ issue: { ...privIssue, id: DEMO_2 } }));
    refused(await run('GetIssue', { issueId: DEMO_2 }), 'NOT_FOUND');
  });

  it('a write is not applied on an issue Tasker says is in a project not granted', async () => {
    misbehave(stack.proxy, ROUTES.getIssue, () => ({ issue: { ...opsIssue, id: DEMO_2 } }));
    refused(await run('AddComment', { issueId: DEMO_2, body: 'never sent' }), 'NOT_FOUND');
    expect(stack.proxy.seen.filter((line) => line.startsWith('POST'))).toEqual([]);
  });

  it('a comment Tasker says it added to another issue is not confirmed', async () => {
    misbehave(stack.proxy, route('POST', /^\/issues\/[^/]+\/comments$/), (body) => ({
      ...body,
      comment: { ...(body.comment as Json), issue_id: DEMO_IDS.issues['DEMO-1'] },
    }));
    const result = await run('AddComment', { issueId: DEMO_2, body: 'where did it go' });
    refused(result, 'TASKER_WRITE_NOT_APPLIED');
    expect(result.errors![0]!.extensions.details).toEqual({ mismatched: ['comment.issue_id'] });
  });

  it('a write answered with another issue is not confirmed', async () => {
    const target = await ok(run<{ createIssue: { issue: { id: string } } }>('CreateIssue', { input: { projectId: DEMO.id, title: 'moved or not' } }));
    const other = await ok(run<{ createIssue: { issue: { id: string } } }>('CreateIssue', { input: { projectId: DEMO.id, title: 'already done', stateId: DEMO.states.done } }));
    const { issue: otherIssue } = await stack.readTasker<{ issue: Json }>(`${TASKER_BASE}/issues/${other.createIssue.issue.id}`);
    stack.proxy.inject({ kind: 'respond', when: (request) => request.method === 'POST' && request.path.endsWith('/move'), answer: async () => ({ status: 200, body: { issue: otherIssue } }) });
    refused(await run('MoveIssue', { issueId: target.createIssue.issue.id, stateId: DEMO.states.done }), 'TASKER_WRITE_NOT_APPLIED');
  });
});
