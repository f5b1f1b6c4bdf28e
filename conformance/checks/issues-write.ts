import { randomUUID } from 'node:crypto';
import type { ConformanceCheck } from '../check.js';
import type { AdapterResponse, Method } from '../client.js';
import type { ConformanceContext } from '../context.js';
import { ensure, expectEqual, expectError, expectOk, expectSameSet } from '../expect.js';
import { CommentResponse, IssueResponse, type Issue } from '../schemas.js';
import { fetchIssue, issuePath, searchIds } from './helpers.js';

async function twoLabels(ctx: ConformanceContext) {
  const { labels } = await ctx.project();
  const [first, second] = labels;
  ensure(first !== undefined && second !== undefined, 'needs two labels');
  return [first, second] as const;
}

/** Sends each bad body and expects 400 VALIDATION_FAILED for every one. */
async function expectAllRejected(
  ctx: ConformanceContext,
  method: Method,
  path: string,
  bodies: readonly (readonly [string, unknown])[],
): Promise<void> {
  for (const [what, body] of bodies) {
    expectError(await ctx.client.call(method, path, { body }), 400, 'VALIDATION_FAILED', what);
  }
}

/** The issue-addressed writes, each with a valid body for `projectId` apart from the project. */
function issueWrites(ctx: ConformanceContext, issue: Pick<Issue, 'id'>, projectId: string, stateId: string) {
  const writes: [string, () => Promise<AdapterResponse>][] = [
    ['patch', () => ctx.client.call('PATCH', issuePath(issue), { body: { project_id: projectId, title: 'must not change' } })],
    ['move', () => ctx.client.call('POST', issuePath(issue, '/move'), { body: { project_id: projectId, state_id: stateId } })],
    [
      'comment',
      () => ctx.client.call('POST', issuePath(issue, '/comments'), { body: { project_id: projectId, comment_html: '<p>must not exist</p>' } }),
    ],
    ['set labels', () => ctx.client.call('PUT', issuePath(issue, '/labels'), { body: { project_id: projectId, label_ids: [] } })],
    [
      'set assignees',
      () => ctx.client.call('PUT', issuePath(issue, '/assignees'), { body: { project_id: projectId, assignee_ids: [] } }),
    ],
  ];
  return writes;
}

export const issueWriteChecks: readonly ConformanceCheck[] = [
  {
    name: 'create: 201 with the contract defaults',
    async run(ctx) {
      const { project, defaultState } = await ctx.project();
      const title = `[conformance ${ctx.runId}] defaults`;
      const response = await ctx.client.call('POST', '/issues', { body: { project_id: project.id, title } });
      const { issue } = expectOk(response, 201, IssueResponse, 'create with only project_id and title');
      expectEqual(
        {
          project_id: issue.project_id,
          key: issue.key,
          title: issue.title,
          description_html: issue.description_html,
          priority: issue.priority,
          state_id: issue.state_id,
          label_ids: issue.label_ids,
          assignee_ids: issue.assignee_ids,
          start_date: issue.start_date,
          target_date: issue.target_date,
        },
        {
          project_id: project.id,
          key: `${project.identifier}-${issue.sequence_id}`,
          title,
          description_html: '<p></p>',
          priority: 'none',
          state_id: defaultState.id,
          label_ids: [],
          assignee_ids: project.default_assignee_id === null ? [] : [project.default_assignee_id],
          start_date: null,
          target_date: null,
        },
        'the new issue',
      );
      expectEqual(await fetchIssue(ctx, issue, 'read back'), issue, 'GET after create');
    },
  },
  {
    name: 'create: 201 with state, priority, dates, labels and assignees',
    async run(ctx) {
      const { otherState } = await ctx.project();
      const [first, second] = await twoLabels(ctx);
      const fields = {
        description_html: '<p>Created by the conformance suite.</p>',
        priority: 'high',
        state_id: otherState.id,
        label_ids: [first.id, second.id],
        assignee_ids: [ctx.options.ownerUserId],
        start_date: '2030-01-02',
        target_date: '2030-02-03',
      };
      const issue = await ctx.createIssue(fields);
      expectEqual(
        [issue.description_html, issue.priority, issue.state_id, issue.start_date, issue.target_date],
        [fields.description_html, fields.priority, fields.state_id, fields.start_date, fields.target_date],
        'description, priority, state, dates',
      );
      expectSameSet(issue.label_ids, fields.label_ids, 'label_ids');
      expectSameSet(issue.assignee_ids, fields.assignee_ids, 'assignee_ids');
      expectEqual(await fetchIssue(ctx, issue, 'read back'), issue, 'GET after create');
    },
  },
  {
    name: 'create: an invalid body is 400 VALIDATION_FAILED and creates nothing',
    async run(ctx) {
      const { project } = await ctx.project();
      const token = ctx.token('invalid');
      const base = { project_id: project.id, title: `${token} invalid` };
      await expectAllRejected(ctx, 'POST', '/issues', [
        ['no title', { project_id: project.id }],
        ['no project_id', { title: base.title }],
        ['an empty title', { ...base, title: '' }],
        ['a title over 255 chars', { ...base, title: `${token} ${'x'.repeat(255)}` }],
        ['an unknown priority', { ...base, priority: 'critical' }],
        ['a malformed date', { ...base, start_date: '2030-13-45' }],
        ['label_ids that is not an array', { ...base, label_ids: 'bug' }],
        ['an unknown field', { ...base, estimate: 3 }],
        ['a description_html over 200000 chars', { ...base, description_html: 'x'.repeat(200_001) }],
        ['a start_date after the target_date', { ...base, start_date: '2030-02-02', target_date: '2030-02-01' }],
        ['the v1 field description', { ...base, description: 'plain' }],
      ]);
      const malformed = await ctx.client.call('POST', '/issues', { rawBody: `{"project_id":"${project.id}",` });
      expectError(malformed, 400, 'VALIDATION_FAILED', 'malformed JSON');
      expectEqual(await searchIds(ctx, token), [], 'issues created by the rejected requests');
    },
  },
  {
    name: 'create: an unknown state, label or assignee is 400 VALIDATION_FAILED',
    async run(ctx) {
      const { project } = await ctx.project();
      const outsider = await ctx.outsiderProject();
      const base = { project_id: project.id, title: `[conformance ${ctx.runId}] bad reference` };
      const foreignLabel = outsider.labels[0];
      const foreignState = outsider.states[0];
      await expectAllRejected(ctx, 'POST', '/issues', [
        ['a random state_id', { ...base, state_id: randomUUID() }],
        ['a random label id', { ...base, label_ids: [randomUUID()] }],
        ['a random assignee', { ...base, assignee_ids: [`conformance-nobody-${randomUUID()}`] }],
        ['an assignee who is not a project member', { ...base, assignee_ids: [ctx.options.outsiderMemberUserId] }],
        ...(foreignLabel === undefined ? [] : [['a label of another project', { ...base, label_ids: [foreignLabel.id] }] as const]),
        ...(foreignState === undefined ? [] : [['a state of another project', { ...base, state_id: foreignState.id }] as const]),
      ]);
    },
  },
  {
    name: 'patch: changes the named fields, null clears dates, an empty description is <p></p>, the answer shows the change',
    async run(ctx) {
      const { project } = await ctx.project();
      const created = await ctx.createIssue({ description_html: '<p>before</p>', start_date: '2030-01-01', target_date: '2030-01-31' });
      const title = `[conformance ${ctx.runId}] patched`;
      const changed = await ctx.client.call('PATCH', issuePath(created), {
        body: { project_id: project.id, title, description_html: '<p>after</p>', priority: 'urgent', target_date: '2030-03-31' },
      });
      const { issue } = expectOk(changed, 200, IssueResponse, 'patch');
      expectEqual(
        [issue.title, issue.description_html, issue.priority, issue.start_date, issue.target_date, issue.state_id, issue.label_ids],
        [title, '<p>after</p>', 'urgent', '2030-01-01', '2030-03-31', created.state_id, created.label_ids],
        'title, description, priority, dates, untouched state and labels',
      );
      expectEqual(await fetchIssue(ctx, issue, 'read back'), issue, 'GET after patch');

      const cleared = await ctx.client.call('PATCH', issuePath(created), {
        body: { project_id: project.id, description_html: '', start_date: null, target_date: null },
      });
      const after = expectOk(cleared, 200, IssueResponse, 'patch with nulls').issue;
      expectEqual([after.description_html, after.start_date, after.target_date, after.title], ['<p></p>', null, null, title], 'cleared fields');
    },
  },
  {
    name: 'patch: nothing to change, a null title or an unknown field is 400',
    async run(ctx) {
      const { project, otherState } = await ctx.project();
      const issue = await ctx.createIssue();
      await expectAllRejected(ctx, 'PATCH', issuePath(issue), [
        ['only project_id', { project_id: project.id }],
        ['a null title', { project_id: project.id, title: null }],
        ['a null priority', { project_id: project.id, priority: null }],
        ['a null description_html', { project_id: project.id, description_html: null }],
        ['a start_date after the target_date', { project_id: project.id, start_date: '2999-01-01', target_date: '2998-01-01' }],
        ['two description operations', { project_id: project.id, description_html: '<p>a</p>', description_append_html: '<p>b</p>' }],
        ['state_id (states change only by move)', { project_id: project.id, state_id: otherState.id }],
        ['no project_id', { title: 'x' }],
      ]);
      expectEqual(await fetchIssue(ctx, issue, 'read back'), issue, 'the issue after rejected patches');
    },
  },
  {
    name: 'move: changes the state; an unknown state is 400',
    async run(ctx) {
      const { project, otherState } = await ctx.project();
      const outsider = await ctx.outsiderProject();
      const created = await ctx.createIssue();
      const moved = await ctx.client.call('POST', issuePath(created, '/move'), {
        body: { project_id: project.id, state_id: otherState.id },
      });
      const { issue } = expectOk(moved, 200, IssueResponse, 'move');
      expectEqual(issue.state_id, otherState.id, 'state after move');
      expectEqual(await fetchIssue(ctx, issue, 'read back'), issue, 'GET after move');
      const foreignState = outsider.states[0];
      await expectAllRejected(ctx, 'POST', issuePath(created, '/move'), [
        ['a random state', { project_id: project.id, state_id: randomUUID() }],
        ...(foreignState === undefined
          ? []
          : [['a state of another project', { project_id: project.id, state_id: foreignState.id }] as const]),
        ['no state_id', { project_id: project.id }],
      ]);
      expectEqual((await fetchIssue(ctx, issue, 'read back')).state_id, otherState.id, 'state after rejected moves');
    },
  },
  {
    name: 'comment: 201 with the comment, attributed to the agent and its owner',
    async run(ctx) {
      const { project } = await ctx.project();
      const issue = await ctx.createIssue();
      const body = `<p>Conformance comment ${ctx.runId}</p>`;
      const response = await ctx.client.call('POST', issuePath(issue, '/comments'), { body: { project_id: project.id, comment_html: body } });
      const answer = expectOk(response, 201, CommentResponse, 'comment');
      expectEqual(
        [answer.comment.issue_id, answer.comment.comment_html, answer.comment.actor.user_id, answer.comment.actor.agent_id, answer.comment.edited_at],
        [issue.id, body, ctx.options.ownerUserId, ctx.options.agentId, null],
        'the comment',
      );
      expectEqual(answer.issue.id, issue.id, 'the issue in the comment answer');
      await expectAllRejected(ctx, 'POST', issuePath(issue, '/comments'), [
        ['an empty comment_html', { project_id: project.id, comment_html: '' }],
        ['a comment_html over 200000 chars', { project_id: project.id, comment_html: 'x'.repeat(200_001) }],
        ['the v1 field body', { project_id: project.id, body: 'x' }],
        ['an unknown field', { project_id: project.id, comment_html: '<p>x</p>', internal: true }],
      ]);
    },
  },
  {
    name: 'labels: PUT replaces the set; an unknown label is 400 and changes nothing',
    async run(ctx) {
      const { project } = await ctx.project();
      const [first, second] = await twoLabels(ctx);
      const created = await ctx.createIssue({ label_ids: [first.id] });
      const path = issuePath(created, '/labels');
      for (const labelIds of [[first.id, second.id], [second.id], []]) {
        const response = await ctx.client.call('PUT', path, { body: { project_id: project.id, label_ids: labelIds } });
        const { issue } = expectOk(response, 200, IssueResponse, `set labels to [${labelIds.join(', ')}]`);
        expectSameSet(issue.label_ids, labelIds, 'label_ids in the answer');
        expectEqual(await fetchIssue(ctx, issue, 'read back'), issue, 'GET after setting labels');
      }
      await expectAllRejected(ctx, 'PUT', path, [
        ['a random label', { project_id: project.id, label_ids: [first.id, randomUUID()] }],
        ['more than 50 labels', { project_id: project.id, label_ids: Array.from({ length: 51 }, () => randomUUID()) }],
        ['no label_ids', { project_id: project.id }],
      ]);
      expectEqual((await fetchIssue(ctx, created, 'read back')).label_ids, [], 'labels after rejected writes');
    },
  },
  {
    name: 'assignees: PUT replaces the set; a non-member is 400 and changes nothing',
    async run(ctx) {
      const { project } = await ctx.project();
      const owner = ctx.options.ownerUserId;
      const created = await ctx.createIssue();
      const path = issuePath(created, '/assignees');
      for (const assigneeIds of [[owner], []]) {
        const response = await ctx.client.call('PUT', path, { body: { project_id: project.id, assignee_ids: assigneeIds } });
        const { issue } = expectOk(response, 200, IssueResponse, `set assignees to [${assigneeIds.join(', ')}]`);
        expectSameSet(issue.assignee_ids, assigneeIds, 'assignee_ids in the answer');
        expectEqual(await fetchIssue(ctx, issue, 'read back'), issue, 'GET after setting assignees');
      }
      await expectAllRejected(ctx, 'PUT', path, [
        ['a user who is not a member', { project_id: project.id, assignee_ids: [ctx.options.outsiderMemberUserId] }],
        ['an unknown user', { project_id: project.id, assignee_ids: [owner, `conformance-nobody-${randomUUID()}`] }],
      ]);
      expectEqual((await fetchIssue(ctx, created, 'read back')).assignee_ids, [], 'assignees after rejected writes');
    },
  },
  {
    name: 'guard: an issue-addressed write naming another project_id is 404 and changes nothing',
    async run(ctx) {
      const created = await ctx.createIssue({ description_html: '<p>guarded</p>' });
      const second = await ctx.secondProject();
      // Each target is a project id with a state of that same project, so that only the
      // issue's placement is wrong.
      const targets: [string, string, string][] = [['a random project', randomUUID(), randomUUID()]];
      const secondState = second?.states[0];
      if (second !== null && secondState !== undefined) targets.push(['the second project', second.project.id, secondState.id]);
      for (const [kind, projectId, stateId] of targets) {
        for (const [what, write] of issueWrites(ctx, created, projectId, stateId)) {
          expectError(await write(), 404, 'NOT_FOUND', `${what} naming ${kind}`);
        }
      }
      expectEqual(await fetchIssue(ctx, created, 'read back'), created, 'the issue after the refused writes');
    },
  },
  {
    name: 'guard: an issue-addressed write to an unknown issue is 404',
    async run(ctx) {
      const { project, otherState } = await ctx.project();
      const ghost = { id: randomUUID() };
      for (const [what, write] of issueWrites(ctx, ghost, project.id, otherState.id)) {
        expectError(await write(), 404, 'NOT_FOUND', `${what} of a random issue id`);
      }
    },
  },
];
