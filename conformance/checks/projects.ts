import { randomUUID } from 'node:crypto';
import type { ConformanceCheck } from '../check.js';
import { ensure, expectEqual, expectError, expectOk } from '../expect.js';
import type { AdapterResponse } from '../client.js';
import { ContextResponse, IssueResponse, ResolveResponse } from '../schemas.js';

/** Case-insensitive order as the contract's "by name" is checked: only what every collation agrees on. */
function inOrder(values: readonly string[]): boolean {
  return values.every((value, index) => index === 0 || (values[index - 1] ?? '').toLowerCase() <= value.toLowerCase());
}

export const projectChecks: readonly ConformanceCheck[] = [
  {
    name: 'resolve: by identifier, case-insensitively',
    async run(ctx) {
      const { project } = await ctx.project();
      for (const query of [project.identifier, project.identifier.toLowerCase()]) {
        const response = await ctx.client.call('POST', '/projects/resolve', { body: { query } });
        expectEqual(expectOk(response, 200, ResolveResponse, `resolve "${query}"`).project, project, `resolve "${query}"`);
      }
    },
  },
  {
    name: 'resolve: by exact name and by id',
    async run(ctx) {
      const { project } = await ctx.project();
      for (const query of [project.name, project.name.toUpperCase(), project.id]) {
        const response = await ctx.client.call('POST', '/projects/resolve', { body: { query } });
        expectEqual(expectOk(response, 200, ResolveResponse, `resolve "${query}"`).project, project, `resolve "${query}"`);
      }
    },
  },
  {
    name: 'resolve: no match is 404 NOT_FOUND',
    async run(ctx) {
      const response = await ctx.client.call('POST', '/projects/resolve', { body: { query: `no such project ${randomUUID()}` } });
      expectError(response, 404, 'NOT_FOUND', 'resolve a random name');
    },
  },
  {
    name: 'resolve: a project the owner is not a member of is not found',
    async run(ctx) {
      const outsider = await ctx.outsiderProject();
      for (const query of [outsider.project.id, outsider.project.identifier]) {
        const response = await ctx.client.call('POST', '/projects/resolve', { body: { query } });
        expectError(response, 404, 'NOT_FOUND', `resolve the outsider project by "${query}"`);
      }
    },
  },
  {
    name: 'resolve: an invalid body is 400 VALIDATION_FAILED',
    async run(ctx) {
      const bodies: [string, unknown][] = [
        ['an empty object', {}],
        ['an empty query', { query: '' }],
        ['a query over 200 chars', { query: 'x'.repeat(201) }],
        ['a query that is not a string', { query: 42 }],
        ['an unknown field', { query: 'x', extra: true }],
      ];
      for (const [what, body] of bodies) {
        expectError(await ctx.client.call('POST', '/projects/resolve', { body }), 400, 'VALIDATION_FAILED', what);
      }
      const malformed = await ctx.client.call('POST', '/projects/resolve', { rawBody: '{"query": ' });
      expectError(malformed, 400, 'VALIDATION_FAILED', 'malformed JSON');
    },
  },
  {
    name: 'membership: an owner unknown to Tasker is 403 FORBIDDEN',
    async run(ctx) {
      const { project } = await ctx.project();
      const as = { ownerUserId: `conformance-unknown-${randomUUID()}` };
      const resolve = await ctx.client.call('POST', '/projects/resolve', { body: { query: project.identifier }, as });
      expectError(resolve, 403, 'FORBIDDEN', 'resolve as an unknown owner');
      const context = await ctx.client.call('GET', `/projects/${encodeURIComponent(project.id)}/context`, { as });
      expectError(context, 403, 'FORBIDDEN', 'context as an unknown owner');
    },
  },
  {
    name: 'context: project, states by sequence, labels by name, members by display_name',
    async run(ctx) {
      const { project } = await ctx.project();
      const response = await ctx.client.call('GET', `/projects/${encodeURIComponent(project.id)}/context`);
      const context = expectOk(response, 200, ContextResponse, 'project context');
      expectEqual(context.project, project, 'context.project');
      const sequences = context.states.map((state) => state.sequence);
      ensure(
        sequences.every((sequence, index) => index === 0 || (sequences[index - 1] ?? sequence) <= sequence),
        `states are not ordered by sequence: ${sequences.join(', ')}`,
      );
      const labelNames = context.labels.map((label) => label.name);
      ensure(inOrder(labelNames), `labels are not ordered by name: ${labelNames.join(', ')}`);
      const memberNames = context.members.map((member) => member.display_name);
      ensure(inOrder(memberNames), `members are not ordered by display_name: ${memberNames.join(', ')}`);
      ensure(
        context.members.some((member) => member.user_id === ctx.options.ownerUserId),
        'the owner is missing from the members',
      );
    },
  },
  {
    name: 'context: an unknown project is 404 NOT_FOUND',
    async run(ctx) {
      const response = await ctx.client.call('GET', `/projects/${randomUUID()}/context`);
      expectError(response, 404, 'NOT_FOUND', 'context of a random id');
    },
  },
  {
    name: 'membership: every endpoint refuses the outsider project with 403 FORBIDDEN',
    async run(ctx) {
      const outsider = await ctx.outsiderProject();
      const outsiderIssue = await ctx.outsiderIssue();
      const projectId = outsider.project.id;
      const issuePath = `/issues/${encodeURIComponent(outsiderIssue.id)}`;
      const state = outsider.states[0];
      ensure(state !== undefined, 'the outsider project has no states');
      const attempts: [string, () => Promise<AdapterResponse>][] = [
        ['context', () => ctx.client.call('GET', `/projects/${encodeURIComponent(projectId)}/context`)],
        ['list issues', () => ctx.client.call('GET', `/issues?project_id=${encodeURIComponent(projectId)}`)],
        ['get issue', () => ctx.client.call('GET', issuePath)],
        ['create issue', () => ctx.client.call('POST', '/issues', { body: { project_id: projectId, title: 'must not exist' } })],
        ['patch issue', () => ctx.client.call('PATCH', issuePath, { body: { project_id: projectId, title: 'must not change' } })],
        ['move issue', () => ctx.client.call('POST', `${issuePath}/move`, { body: { project_id: projectId, state_id: state.id } })],
        [
          'comment',
          () => ctx.client.call('POST', `${issuePath}/comments`, { body: { project_id: projectId, comment_html: '<p>must not exist</p>' } }),
        ],
        ['get project', () => ctx.client.call('GET', `/projects/${encodeURIComponent(projectId)}`)],
        ['cycles', () => ctx.client.call('GET', `/projects/${encodeURIComponent(projectId)}/cycles`)],
        ['modules', () => ctx.client.call('GET', `/projects/${encodeURIComponent(projectId)}/modules`)],
        ['comments', () => ctx.client.call('GET', `${issuePath}/comments`)],
        ['activity', () => ctx.client.call('GET', `${issuePath}/activity`)],
        ['relations', () => ctx.client.call('GET', `${issuePath}/relations`)],
        ['links', () => ctx.client.call('GET', `${issuePath}/links`)],
        ['add link', () => ctx.client.call('POST', `${issuePath}/links`, { body: { project_id: projectId, url: 'https://example.test/x' } })],
        ['set cycle', () => ctx.client.call('PUT', `${issuePath}/cycle`, { body: { project_id: projectId, cycle_id: null } })],
        ['change labels', () => ctx.client.call('PATCH', `${issuePath}/labels`, { body: { project_id: projectId, add_label_ids: [state.id] } })],
        ['set labels', () => ctx.client.call('PUT', `${issuePath}/labels`, { body: { project_id: projectId, label_ids: [] } })],
        [
          'set assignees',
          () => ctx.client.call('PUT', `${issuePath}/assignees`, { body: { project_id: projectId, assignee_ids: [] } }),
        ],
      ];
      for (const [what, attempt] of attempts) expectError(await attempt(), 403, 'FORBIDDEN', `${what} in the outsider project`);

      const after = await ctx.client.call('GET', issuePath, { as: { ownerUserId: ctx.options.outsiderMemberUserId } });
      const unchanged = expectOk(after, 200, IssueResponse, 'the outsider issue, read by its member').issue;
      expectEqual(unchanged, outsiderIssue, 'the outsider issue after the refused writes');
    },
  },
];
