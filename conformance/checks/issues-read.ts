import { randomUUID } from 'node:crypto';
import type { ConformanceCheck } from '../check.js';
import { ensure, expectEqual, expectError, expectSameSet } from '../expect.js';
import type { Issue } from '../schemas.js';
import { fetchIssue, listPage, queryString, searchIds } from './helpers.js';

const MAX_PAGES = 5;

export const issueReadChecks: readonly ConformanceCheck[] = [
  {
    name: 'list: project_id is required, bad parameters are 400, an unknown project is 404',
    async run(ctx) {
      const { project } = await ctx.project();
      expectError(await ctx.client.call('GET', '/issues'), 400, 'VALIDATION_FAILED', 'without project_id');
      const unknownParam = await ctx.client.call('GET', `/issues?${queryString({ project_id: project.id, colour: 'red' })}`);
      expectError(unknownParam, 400, 'VALIDATION_FAILED', 'with an unknown parameter');
      const unknownProject = await ctx.client.call('GET', `/issues?${queryString({ project_id: randomUUID() })}`);
      expectError(unknownProject, 404, 'NOT_FOUND', 'for a random project id');
    },
  },
  {
    name: 'list: limit must be 1..100',
    async run(ctx) {
      const { project } = await ctx.project();
      for (const limit of ['0', '101', '-1', 'abc', '1.5']) {
        const response = await ctx.client.call('GET', `/issues?${queryString({ project_id: project.id, limit })}`);
        expectError(response, 400, 'VALIDATION_FAILED', `limit=${limit}`);
      }
      await ctx.createIssue();
      const one = await listPage(ctx, { limit: '1' }, 'limit=1');
      expectEqual(one.issues.length, 1, 'issues returned with limit=1');
      const hundred = await listPage(ctx, { limit: '100' }, 'limit=100');
      ensure(hundred.issues.length <= 100, `limit=100 returned ${hundred.issues.length} issues`);
    },
  },
  {
    name: 'list: cursor paging walks the pages newest first without duplicates',
    async run(ctx) {
      const token = ctx.token('paging');
      const created: Issue[] = [];
      for (let n = 1; n <= 3; n += 1) created.push(await ctx.createIssue({ title: `${token} page item ${n}` }));

      const seen: Issue[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const params: Record<string, string> = { search: token, limit: '2', ...(cursor === null ? {} : { cursor }) };
        const page = await listPage(ctx, params, `page ${pages + 1}`);
        ensure(page.issues.length <= 2, `page ${pages + 1} has ${page.issues.length} issues with limit=2`);
        seen.push(...page.issues);
        cursor = page.next_cursor;
        pages += 1;
      } while (cursor !== null && pages < MAX_PAGES);

      ensure(cursor === null, `still a next_cursor after ${MAX_PAGES} pages of a 3-issue result`);
      ensure(pages >= 2, 'three issues with limit=2 came back on a single page');
      const ids = seen.map((issue) => issue.id);
      expectEqual(new Set(ids).size, ids.length, 'no issue appears twice across pages');
      expectSameSet(ids, created.map((issue) => issue.id), 'issues across all pages');
      const sequences = seen.map((issue) => issue.sequence_id);
      ensure(
        sequences.every((sequence, index) => index === 0 || (sequences[index - 1] ?? 0) > sequence),
        `issues are not ordered by sequence_id descending: ${sequences.join(', ')}`,
      );
    },
  },
  {
    name: 'list: a bad cursor is 400 VALIDATION_FAILED',
    async run(ctx) {
      const { project } = await ctx.project();
      for (const cursor of ['!!!', Buffer.from('not a cursor').toString('base64url')]) {
        const response = await ctx.client.call('GET', `/issues?${queryString({ project_id: project.id, cursor })}`);
        expectError(response, 400, 'VALIDATION_FAILED', `cursor=${cursor}`);
      }
    },
  },
  {
    name: 'list: filter by state_id',
    async run(ctx) {
      const { otherState } = await ctx.project();
      const token = ctx.token('state');
      const inState = await ctx.createIssue({ title: `${token} in state`, state_id: otherState.id });
      await ctx.createIssue({ title: `${token} default state` });
      expectEqual(await searchIds(ctx, token, { state_id: otherState.id }), [inState.id], 'issues filtered by state');
      const page = await listPage(ctx, { state_id: otherState.id }, 'state filter without search');
      ensure(page.issues.every((issue) => issue.state_id === otherState.id), 'the state filter let another state through');
    },
  },
  {
    name: 'list: filter by label_id',
    async run(ctx) {
      const { labels } = await ctx.project();
      const [first, second] = labels;
      ensure(first !== undefined && second !== undefined, 'needs two labels');
      const token = ctx.token('label');
      const labelled = await ctx.createIssue({ title: `${token} labelled`, label_ids: [first.id] });
      await ctx.createIssue({ title: `${token} other label`, label_ids: [second.id] });
      expectEqual(await searchIds(ctx, token, { label_id: first.id }), [labelled.id], 'issues filtered by label');
      const page = await listPage(ctx, { label_id: first.id }, 'label filter without search');
      ensure(page.issues.every((issue) => issue.label_ids.includes(first.id)), 'the label filter let an unlabelled issue through');
    },
  },
  {
    name: 'list: filter by assignee_id',
    async run(ctx) {
      const owner = ctx.options.ownerUserId;
      const token = ctx.token('assignee');
      const assigned = await ctx.createIssue({ title: `${token} assigned`, assignee_ids: [owner] });
      await ctx.createIssue({ title: `${token} unassigned` });
      expectEqual(await searchIds(ctx, token, { assignee_id: owner }), [assigned.id], 'issues filtered by assignee');
      const page = await listPage(ctx, { assignee_id: owner }, 'assignee filter without search');
      ensure(page.issues.every((issue) => issue.assignee_ids.includes(owner)), 'the assignee filter let another issue through');
    },
  },
  {
    name: 'list: search is a case-insensitive substring of title or description',
    async run(ctx) {
      const token = ctx.token('search');
      const inTitle = await ctx.createIssue({ title: `Title with ${token} inside` });
      const inDescription = await ctx.createIssue({ description_html: `<p>The description mentions ${token} once.</p>` });
      await ctx.createIssue({ title: `${ctx.token('unrelated')} unrelated` });
      expectSameSet(await searchIds(ctx, token.toUpperCase()), [inTitle.id, inDescription.id], 'search in upper case');
    },
  },
  {
    name: 'get: an issue reads back as created; an unknown id is 404',
    async run(ctx) {
      const created = await ctx.createIssue({ description_html: '<p>read me back</p>', priority: 'medium' });
      expectEqual(await fetchIssue(ctx, created, 'get the new issue'), created, 'GET /issues/:id vs the create answer');
      const missing = await ctx.client.call('GET', `/issues/${randomUUID()}`);
      expectError(missing, 404, 'NOT_FOUND', 'a random issue id');
    },
  },
];
