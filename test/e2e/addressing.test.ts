import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, runOperation } from '../support/gateway.js';
import { DEMO, OPS, PRIV, startTestStack, type TestStack } from '../support/stack.js';

/**
 * How tools name things: a project by id or identifier, an issue by id; and what an agent learns
 * from a name outside its grants (nothing: the same answer as for a name that means nothing).
 */
const ALL = ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE', 'COMMENTS_WRITE', 'LABELS_WRITE', 'ASSIGNEES_WRITE'];

let stack: TestStack;
let demoOnly: { agentId: string; token: string };
let opsIssueId: string;

beforeAll(async () => {
  stack = await startTestStack();
  demoOnly = await stack.agentWith({ [DEMO.id]: ALL }, 'DEMO only');
  const opsAgent = await stack.agentWith({ [OPS.id]: ['ISSUES_WRITE'] }, 'OPS seeder');
  const created = await runOperation<{ createIssue: { issue: { id: string } } }>(stack.gateway, 'CreateIssue', {
    token: opsAgent.token,
    variables: { input: { projectId: OPS.id, title: 'An OPS issue' } },
  });
  expect(created.errors).toBeUndefined();
  opsIssueId = created.data!.createIssue.issue.id;
});
afterAll(() => stack.close());

const withoutId = (message: string, id: string) => message.replaceAll(id, '<id>');

describe('an issue outside the grants', () => {
  it('answers NOT_FOUND, word for word the answer for an issue that does not exist', async () => {
    const unknownId = '00000000-0000-4000-8000-000000000000';
    for (const [operation, variables] of [
      ['GetIssue', (issueId: string) => ({ issueId })],
      ['AddComment', (issueId: string) => ({ issueId, body: 'hello' })],
      ['UpdateIssue', (issueId: string) => ({ input: { issueId, priority: 'low' } })],
    ] as const) {
      const foreign = await runOperation(stack.gateway, operation, { token: demoOnly.token, variables: variables(opsIssueId) });
      const unknown = await runOperation(stack.gateway, operation, { token: demoOnly.token, variables: variables(unknownId) });
      expect(errorCode(foreign), operation).toBe('NOT_FOUND');
      expect(foreign.status).toBe(unknown.status);
      expect(withoutId(foreign.errors![0]!.message, opsIssueId)).toBe(withoutId(unknown.errors![0]!.message, unknownId));
      expect(JSON.stringify(foreign)).not.toContain(OPS.id);
    }
  });

  it('answers the same when Tasker hides the issue because the owner is not a member of its project', async () => {
    // The agent is granted PRIV in the gateway, but in Tasker its owner is not a member of PRIV.
    await stack.tasker.setMember(PRIV.id, 'local-user', 'member');
    const privAgent = await stack.agentWith({ [PRIV.id]: ALL }, 'PRIV agent');
    const created = await runOperation<{ createIssue: { issue: { id: string } } }>(stack.gateway, 'CreateIssue', {
      token: privAgent.token,
      variables: { input: { projectId: PRIV.id, title: 'A private issue' } },
    });
    expect(created.errors).toBeUndefined();
    await stack.tasker.setMember(PRIV.id, 'local-user', null);

    const hidden = await runOperation(stack.gateway, 'GetIssue', { token: privAgent.token, variables: { issueId: created.data!.createIssue.issue.id } });
    const unknown = await runOperation(stack.gateway, 'GetIssue', { token: privAgent.token, variables: { issueId: 'no-such-issue' } });
    expect(errorCode(hidden)).toBe('NOT_FOUND');
    expect(withoutId(hidden.errors![0]!.message, created.data!.createIssue.issue.id)).toBe(withoutId(unknown.errors![0]!.message, 'no-such-issue'));
  });

  it('is audited as denied, with the real reason kept for the owner', async () => {
    await runOperation(stack.gateway, 'MoveIssue', { token: demoOnly.token, variables: { issueId: opsIssueId, stateId: OPS.states.done } });
    const event = await stack.gateway.db
      .selectFrom('audit_events')
      .select(['outcome', 'reason', 'target_id'])
      .where('agent_id', '=', demoOnly.agentId)
      .where('action', '=', 'agent.moveIssue')
      .executeTakeFirstOrThrow();
    expect(event).toEqual({ outcome: 'denied', reason: expect.stringContaining('not granted'), target_id: opsIssueId });
  });

  it('still says FORBIDDEN, naming the scope, for an issue in a granted project when only the scope is missing', async () => {
    const readOnly = await stack.agentWith({ [OPS.id]: ['ISSUES_READ'] }, 'OPS reader');
    const result = await runOperation(stack.gateway, 'AddComment', { token: readOnly.token, variables: { issueId: opsIssueId, body: 'hi' } });
    expect(errorCode(result)).toBe('FORBIDDEN');
    expect(result.errors![0]!.message).toContain('comments:write');
  });
});

describe('a project named by its identifier', () => {
  it('is resolved wherever a project id is accepted, in any case', async () => {
    const context = await runOperation<{ projectContext: { project: { id: string } } }>(stack.gateway, 'GetProjectContext', {
      token: demoOnly.token,
      variables: { projectId: 'DEMO' },
    });
    expect(context.data?.projectContext.project.id).toBe(DEMO.id);

    const listed = await runOperation<{ issues: { nodes: { key: string }[] } }>(stack.gateway, 'ListIssues', {
      token: demoOnly.token,
      variables: { projectId: 'demo', first: 100 },
    });
    expect(listed.errors).toBeUndefined();
    expect(listed.data!.issues.nodes.map((issue) => issue.key)).toEqual(expect.arrayContaining(['DEMO-1', 'DEMO-2', 'DEMO-3']));

    const created = await runOperation<{ createIssue: { issue: { id: string; key: string } } }>(stack.gateway, 'CreateIssue', {
      token: demoOnly.token,
      variables: { input: { projectId: 'DEMO', title: 'Created by identifier' } },
    });
    expect(created.errors).toBeUndefined();
    expect(created.data!.createIssue.issue.key).toMatch(/^DEMO-\d+$/);
    const read = await runOperation<{ issue: { projectId: string } }>(stack.gateway, 'GetIssue', {
      token: demoOnly.token,
      variables: { issueId: created.data!.createIssue.issue.key },
    });
    expect(read.data?.issue.projectId).toBe(DEMO.id);
  });

  it('answers an identifier outside the grants exactly like one that names nothing, without its id', async () => {
    const ops = await runOperation(stack.gateway, 'ListIssues', { token: demoOnly.token, variables: { projectId: 'OPS' } });
    const none = await runOperation(stack.gateway, 'ListIssues', { token: demoOnly.token, variables: { projectId: 'NOPE' } });
    expect(errorCode(ops)).toBe('FORBIDDEN');
    expect(errorCode(none)).toBe('FORBIDDEN');
    expect(ops.errors![0]!.message.replace('OPS', 'X')).toBe(none.errors![0]!.message.replace('NOPE', 'X'));
    expect(JSON.stringify(ops)).not.toContain(OPS.id);
  });

  it('never takes a project name or a part of one for an identifier', async () => {
    // Tasker's resolve would find "Demo Project" by this part of its name; a tool must not.
    const result = await runOperation(stack.gateway, 'GetProjectContext', { token: demoOnly.token, variables: { projectId: 'Dem' } });
    expect(errorCode(result)).toBe('FORBIDDEN');
  });
});
