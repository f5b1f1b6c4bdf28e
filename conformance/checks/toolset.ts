import { createHash, randomUUID } from 'node:crypto';
import type { ConformanceCheck } from '../check.js';
import type { ConformanceContext } from '../context.js';
import { ensure, expectEqual, expectError, expectOk, expectSameSet } from '../expect.js';
import {
  ActivityListResponse,
  CommentListResponse,
  CycleListResponse,
  type Issue,
  IssueListResponse,
  IssueResponse,
  LinkListResponse,
  ModuleListResponse,
  ProjectResponse,
  RelationListResponse,
} from '../schemas.js';
import { fetchIssue, issuePath } from './helpers.js';

/**
 * Contract v2 (Plane's model): a project by id, an issue by key, search across projects, comments
 * and history, sub-issues, relations, links, cycles and modules, label and assignee deltas, rich
 * text operations, and guests. Checks that need data a Tasker may not have (a completed cycle, a
 * guest) find it through the contract first and say what is missing instead of passing silently.
 */
const search = async (ctx: ConformanceContext, body: Record<string, unknown>, what: string) =>
  expectOk(await ctx.client.call('POST', '/issues/search', { body }), 200, IssueListResponse, what);

const write = async (ctx: ConformanceContext, method: 'POST' | 'PUT' | 'PATCH', issue: Pick<Issue, 'id'>, suffix: string, body: Record<string, unknown>) => {
  const { project } = await ctx.project();
  return ctx.client.call(method, issuePath(issue, suffix), { body: { project_id: project.id, ...body } });
};

export const toolsetChecks: readonly ConformanceCheck[] = [
  {
    name: 'project: GET /projects/{id} answers the project with the owner role and the defaults for new issues',
    async run(ctx) {
      const { project, states } = await ctx.project();
      const got = expectOk(await ctx.client.call('GET', `/projects/${project.id}`), 200, ProjectResponse, 'get project').project;
      expectEqual(got, project, 'GET /projects/{id} vs the resolved project');
      ensure(['admin', 'member'].includes(got.owner_role), `the owner's role is ${got.owner_role}; the checks need a member`);
      ensure(states.some((state) => state.id === got.default_state_id && state.group !== 'triage'), 'default_state_id is not a non-triage state');
      expectError(await ctx.client.call('GET', `/projects/${randomUUID()}`), 404, 'NOT_FOUND', 'an unknown project');
      const outsider = await ctx.outsiderProject();
      expectError(await ctx.client.call('GET', `/projects/${outsider.project.id}`), 403, 'FORBIDDEN', 'the outsider project');
    },
  },
  {
    name: 'key: GET /issues/{KEY} reads the issue by its key, in any case; an unknown key is 404',
    async run(ctx) {
      const issue = await ctx.createIssue();
      for (const key of [issue.key, issue.key.toLowerCase()]) {
        expectEqual(expectOk(await ctx.client.call('GET', `/issues/${key}`), 200, IssueResponse, `get ${key}`).issue, issue, `GET by key ${key}`);
      }
      const { project } = await ctx.project();
      expectError(await ctx.client.call('GET', `/issues/${project.identifier}-999999999`), 404, 'NOT_FOUND', 'an unknown key');
      const outsider = await ctx.outsiderIssue();
      expectError(await ctx.client.call('GET', `/issues/${outsider.key}`), 404, 'NOT_FOUND', 'a key in a project the owner is not a member of');
    },
  },
  {
    name: 'search: text finds the key, title or description across the named projects, and nothing outside them',
    async run(ctx) {
      const { project } = await ctx.project();
      const token = ctx.token('search');
      const inTitle = await ctx.createIssue({ title: `${token} in the title` });
      const inDescription = await ctx.createIssue({ description_html: `<p>about ${token}</p>` });
      const outsider = await ctx.outsiderProject();
      const second = await ctx.secondProject();
      const projectIds = [project.id, outsider.project.id, ...(second ? [second.project.id] : [])];
      const found = await search(ctx, { project_ids: projectIds, text: token.toUpperCase(), limit: 100 }, 'search by text');
      expectSameSet(found.issues.map((issue) => issue.id), [inTitle.id, inDescription.id], 'issues matching the text');
      const byKey = await search(ctx, { project_ids: [project.id], text: inTitle.key }, 'search by key');
      ensure(byKey.issues.some((issue) => issue.id === inTitle.id), 'a search for the key does not find the issue');
      const outsiderIssue = await ctx.outsiderIssue();
      const foreign = await search(ctx, { project_ids: [outsider.project.id], text: outsiderIssue.title }, 'search in a project the owner is not in');
      expectEqual(foreign.issues, [], 'issues of a project the owner is not a member of');
      if (second) {
        const onlySecond = await search(ctx, { project_ids: [second.project.id], text: token }, 'search in the second project only');
        expectEqual(onlySecond.issues, [], 'issues of a project not named');
      }
    },
  },
  {
    name: 'search: filters combine (priorities, label_ids, assignee_ids, state_groups, updated_since) and pages by priority without repeats',
    async run(ctx) {
      const { project, labels } = await ctx.project();
      const token = ctx.token('filters');
      const label = labels[0]!;
      const urgent = await ctx.createIssue({ title: `${token} a`, priority: 'urgent', label_ids: [label.id], assignee_ids: [ctx.options.ownerUserId] });
      const low = await ctx.createIssue({ title: `${token} b`, priority: 'low' });
      const high = await ctx.createIssue({ title: `${token} c`, priority: 'high' });
      const base = { project_ids: [project.id], text: token };
      const ids = async (extra: Record<string, unknown>, what: string) => (await search(ctx, { ...base, ...extra }, what)).issues.map((issue) => issue.id);
      expectSameSet(await ids({ priorities: ['urgent', 'high'] }, 'priorities'), [urgent.id, high.id], 'priorities filter');
      expectEqual(await ids({ label_ids: [label.id] }, 'labels'), [urgent.id], 'label filter');
      expectEqual(await ids({ assignee_ids: [ctx.options.ownerUserId] }, 'assignees'), [urgent.id], 'assignee filter');
      const group = urgent.state_group!;
      expectSameSet(await ids({ state_groups: [group] }, 'state groups'), [urgent.id, low.id, high.id], 'state group filter');
      expectEqual(await ids({ updated_since: '2999-01-01T00:00:00Z' }, 'updated since'), [], 'updated_since in the future');
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 5; page += 1) {
        const answer = await search(ctx, { ...base, order_by: 'priority', limit: 1, ...(cursor ? { cursor } : {}) }, `priority page ${page}`);
        seen.push(...answer.issues.map((issue) => issue.id));
        cursor = answer.next_cursor;
        if (cursor === null) break;
      }
      expectEqual(seen, [urgent.id, high.id, low.id], 'pages in priority order');
      expectError(await ctx.client.call('POST', '/issues/search', { body: { ...base, cursor: 'bm90LWEtY3Vyc29y' } }), 400, 'VALIDATION_FAILED', 'a bad cursor');
      expectError(await ctx.client.call('POST', '/issues/search', { body: { text: token } }), 400, 'VALIDATION_FAILED', 'no project_ids');
    },
  },
  {
    name: 'triage: an issue in a triage state is left out of lists and searches unless triage is asked for',
    async run(ctx) {
      const second = await ctx.secondProject();
      const triage = [await ctx.project(), ...(second ? [second] : [])]
        .map((context) => ({ context, state: context.states.find((state) => state.group === 'triage') }))
        .find((candidate) => candidate.state !== undefined);
      ensure(triage !== undefined, 'neither the main nor the second project has a triage state (Plane: intake on)');
      const { context, state } = triage as { context: typeof triage.context; state: NonNullable<typeof triage.state> };
      const token = ctx.token('triage');
      const created = expectOk(
        await ctx.client.call('POST', '/issues', { body: { project_id: context.project.id, title: `${token} intake`, state_id: state.id } }),
        201,
        IssueResponse,
        'create in the triage state',
      ).issue;
      expectEqual(created.state_group, 'triage', 'state_group of the new issue');
      const listed = expectOk(
        await ctx.client.call('GET', `/issues?project_id=${context.project.id}&search=${token}`),
        200,
        IssueListResponse,
        'list',
      );
      expectEqual(listed.issues, [], 'a plain list');
      expectEqual((await search(ctx, { project_ids: [context.project.id], text: token }, 'search')).issues, [], 'a plain search');
      const asked = await search(ctx, { project_ids: [context.project.id], text: token, state_groups: ['triage'] }, 'search for triage');
      expectEqual(asked.issues.map((issue) => issue.id), [created.id], 'a search asking for triage');
    },
  },
  {
    name: 'comments: GET lists them oldest first, paged, each with its author (user, and agent when an agent wrote it)',
    async run(ctx) {
      const issue = await ctx.createIssue();
      const bodies = ['<p>one</p>', '<p>two</p>', '<p>three</p>'];
      for (const body of bodies) ensure((await write(ctx, 'POST', issue, '/comments', { comment_html: body })).status === 201, 'comment not created');
      const first = expectOk(await ctx.client.call('GET', `${issuePath(issue, '/comments')}?limit=2`), 200, CommentListResponse, 'page 1');
      ensure(first.next_cursor !== null, 'no next_cursor after a full page');
      const rest = expectOk(await ctx.client.call('GET', `${issuePath(issue, '/comments')}?limit=2&cursor=${first.next_cursor}`), 200, CommentListResponse, 'page 2');
      const all = [...first.comments, ...rest.comments];
      expectEqual(all.map((comment) => comment.comment_html), bodies, 'comments, oldest first');
      expectEqual(rest.next_cursor, null, 'next_cursor on the last page');
      for (const comment of all) expectEqual([comment.actor.user_id, comment.actor.agent_id], [ctx.options.ownerUserId, ctx.options.agentId], 'author');
      expectEqual(expectOk(await ctx.client.call('GET', `/issues/${issue.key}/comments`), 200, CommentListResponse, 'by key').comments.length, 3, 'comments read by key');
    },
  },
  {
    name: 'activity: every write leaves field-level history, oldest first, filterable by since',
    async run(ctx) {
      const { otherState } = await ctx.project();
      const issue = await ctx.createIssue();
      await write(ctx, 'PATCH', issue, '', { priority: 'high' });
      await write(ctx, 'POST', issue, '/move', { state_id: otherState.id });
      const history = expectOk(await ctx.client.call('GET', issuePath(issue, '/activity')), 200, ActivityListResponse, 'activity');
      expectEqual(history.activity[0]?.verb, 'created', 'the first entry');
      const priority = history.activity.find((entry) => entry.field === 'priority');
      expectEqual([priority?.verb, priority?.old_value, priority?.new_value], ['updated', 'none', 'high'], 'the priority change');
      ensure(history.activity.some((entry) => entry.field === 'state_id' && entry.new_value === otherState.id), 'no entry for the move');
      for (const entry of history.activity) expectEqual(entry.actor.agent_id, ctx.options.agentId, 'the agent on each entry');
      const later = expectOk(await ctx.client.call('GET', `${issuePath(issue, '/activity')}?since=2999-01-01T00:00:00Z`), 200, ActivityListResponse, 'since');
      expectEqual(later.activity, [], 'activity since a future time');
    },
  },
  {
    name: 'sub-issues: create under a parent, list by parent_id, set and clear the parent; loops and foreign parents are 400',
    async run(ctx) {
      const { project } = await ctx.project();
      const parent = await ctx.createIssue({ title: `[conformance ${ctx.runId}] parent` });
      const child = await ctx.createIssue({ parent_id: parent.id });
      expectEqual(child.parent_id, parent.id, 'parent_id of the child');
      const children = expectOk(await ctx.client.call('GET', `/issues?project_id=${project.id}&parent_id=${parent.id}`), 200, IssueListResponse, 'children');
      expectEqual(children.issues.map((issue) => issue.id), [child.id], 'sub-issues by parent_id');
      expectError(await write(ctx, 'PATCH', parent, '', { parent_id: child.id }), 400, 'VALIDATION_FAILED', 'a loop');
      expectError(await write(ctx, 'PATCH', parent, '', { parent_id: parent.id }), 400, 'VALIDATION_FAILED', 'itself as parent');
      const outsider = await ctx.outsiderIssue();
      expectError(await write(ctx, 'PATCH', child, '', { parent_id: outsider.id }), 400, 'VALIDATION_FAILED', 'a parent in another project');
      const cleared = expectOk(await write(ctx, 'PATCH', child, '', { parent_id: null }), 200, IssueResponse, 'clear the parent').issue;
      expectEqual(cleared.parent_id, null, 'parent_id after clearing');
      const reparented = expectOk(await write(ctx, 'PATCH', child, '', { parent_id: parent.id }), 200, IssueResponse, 'set the parent').issue;
      expectEqual(reparented.parent_id, parent.id, 'parent_id after setting');
    },
  },
  {
    name: 'relations: add shows on both sides (blocks / blocked_by), repeating is a no-op, another type is 409, remove takes it off both sides',
    async run(ctx) {
      const a = await ctx.createIssue();
      const b = await ctx.createIssue();
      const added = expectOk(await write(ctx, 'POST', a, '/relations', { relation_type: 'blocks', related_issue_id: b.id }), 200, RelationListResponse, 'add');
      expectEqual(added.relations.map((r) => [r.relation_type, r.issue.id]), [['blocks', b.id]], 'relations of A');
      const fromB = expectOk(await ctx.client.call('GET', issuePath(b, '/relations')), 200, RelationListResponse, 'relations of B');
      expectEqual(fromB.relations.map((r) => [r.relation_type, r.issue.id, r.issue.key]), [['blocked_by', a.id, a.key]], 'relations of B');
      expectOk(await write(ctx, 'POST', a, '/relations', { relation_type: 'blocks', related_issue_id: b.id }), 200, RelationListResponse, 'add again');
      expectError(await write(ctx, 'POST', a, '/relations', { relation_type: 'relates_to', related_issue_id: b.id }), 409, 'RELATION_EXISTS', 'another type');
      expectError(await write(ctx, 'POST', a, '/relations', { relation_type: 'relates_to', related_issue_id: a.id }), 400, 'VALIDATION_FAILED', 'itself');
      const outsider = await ctx.outsiderIssue();
      expectError(await write(ctx, 'POST', a, '/relations', { relation_type: 'relates_to', related_issue_id: outsider.id }), 400, 'VALIDATION_FAILED', 'an issue the owner cannot see');
      expectError(await write(ctx, 'POST', a, '/relations', { relation_type: 'parent_of', related_issue_id: b.id }), 400, 'VALIDATION_FAILED', 'an unknown type');
      const removed = expectOk(await write(ctx, 'POST', b, '/relations/remove', { relation_type: 'blocked_by', related_issue_id: a.id }), 200, RelationListResponse, 'remove from B');
      expectEqual(removed.relations, [], 'relations of B after removing');
      expectEqual(expectOk(await ctx.client.call('GET', issuePath(a, '/relations')), 200, RelationListResponse, 'A after').relations, [], 'relations of A after');
      expectError(await write(ctx, 'POST', a, '/relations/remove', { relation_type: 'blocks', related_issue_id: b.id }), 404, 'NOT_FOUND', 'removing it twice');
      const dup = expectOk(await write(ctx, 'POST', a, '/relations', { relation_type: 'duplicate_of', related_issue_id: b.id }), 200, RelationListResponse, 'duplicate');
      expectEqual(dup.relations.map((r) => r.relation_type), ['duplicate_of'], 'duplicate_of');
    },
  },
  {
    name: 'links: add a URL with a title, list them, a second link to the same URL is 409, remove by id',
    async run(ctx) {
      const issue = await ctx.createIssue();
      const url = `https://example.test/pull/${ctx.runId}`;
      const added = expectOk(await write(ctx, 'POST', issue, '/links', { url, title: 'PR' }), 201, LinkListResponse, 'add link');
      expectEqual(added.links.map((link) => [link.url, link.title, link.actor.agent_id]), [[url, 'PR', ctx.options.agentId]], 'links');
      expectEqual(expectOk(await ctx.client.call('GET', issuePath(issue, '/links')), 200, LinkListResponse, 'list').links, added.links, 'GET links');
      expectError(await write(ctx, 'POST', issue, '/links', { url, title: 'again' }), 409, 'LINK_EXISTS', 'the same URL again');
      expectError(await write(ctx, 'POST', issue, '/links', { url: 'javascript:alert(1)' }), 400, 'VALIDATION_FAILED', 'a non-http URL');
      const removed = expectOk(await write(ctx, 'POST', issue, '/links/remove', { link_id: added.links[0]!.id }), 200, LinkListResponse, 'remove');
      expectEqual(removed.links, [], 'links after removing');
      expectError(await write(ctx, 'POST', issue, '/links/remove', { link_id: randomUUID() }), 404, 'NOT_FOUND', 'an unknown link');
    },
  },
  {
    name: 'cycles: listed with Plane’s computed status; an issue is in one cycle at a time; a completed cycle takes no issues',
    async run(ctx) {
      const { project } = await ctx.project();
      const { cycles } = expectOk(await ctx.client.call('GET', `/projects/${project.id}/cycles`), 200, CycleListResponse, 'cycles');
      const open = cycles.filter((cycle) => cycle.status === 'current' || cycle.status === 'upcoming');
      ensure(open.length >= 2, 'the main project needs two cycles that are current or upcoming');
      const issue = await ctx.createIssue();
      const first = expectOk(await write(ctx, 'PUT', issue, '/cycle', { cycle_id: open[0]!.id }), 200, IssueResponse, 'set cycle').issue;
      expectEqual(first.cycle_id, open[0]!.id, 'cycle_id');
      const moved = expectOk(await write(ctx, 'PUT', issue, '/cycle', { cycle_id: open[1]!.id }), 200, IssueResponse, 'another cycle').issue;
      expectEqual(moved.cycle_id, open[1]!.id, 'cycle_id after moving to another cycle');
      const out = expectOk(await write(ctx, 'PUT', issue, '/cycle', { cycle_id: null }), 200, IssueResponse, 'leave the cycle').issue;
      expectEqual(out.cycle_id, null, 'cycle_id after leaving');
      expectError(await write(ctx, 'PUT', issue, '/cycle', { cycle_id: randomUUID() }), 400, 'VALIDATION_FAILED', 'an unknown cycle');
      const completed = cycles.find((cycle) => cycle.status === 'completed');
      ensure(completed !== undefined, 'the main project needs a completed cycle');
      expectError(await write(ctx, 'PUT', issue, '/cycle', { cycle_id: completed.id }), 400, 'CYCLE_COMPLETED', 'a completed cycle');
    },
  },
  {
    name: 'modules: listed; PATCH adds and removes an issue, leaving its other modules alone',
    async run(ctx) {
      const { project } = await ctx.project();
      const { modules } = expectOk(await ctx.client.call('GET', `/projects/${project.id}/modules`), 200, ModuleListResponse, 'modules');
      ensure(modules.length >= 2, 'the main project needs two modules');
      const [m1, m2] = [modules[0]!.id, modules[1]!.id];
      const issue = await ctx.createIssue();
      const both = expectOk(await write(ctx, 'PATCH', issue, '/modules', { add_module_ids: [m1, m2] }), 200, IssueResponse, 'add').issue;
      expectSameSet(both.module_ids, [m1, m2], 'module_ids after adding');
      const one = expectOk(await write(ctx, 'PATCH', issue, '/modules', { remove_module_ids: [m1] }), 200, IssueResponse, 'remove').issue;
      expectEqual(one.module_ids, [m2], 'module_ids after removing one');
      expectError(await write(ctx, 'PATCH', issue, '/modules', { add_module_ids: [randomUUID()] }), 400, 'VALIDATION_FAILED', 'an unknown module');
      expectError(await write(ctx, 'PATCH', issue, '/modules', {}), 400, 'VALIDATION_FAILED', 'nothing to change');
    },
  },
  {
    name: 'labels and assignees: PATCH adds and removes some, leaving the rest; a guest is never an assignee',
    async run(ctx) {
      const { labels, members } = await ctx.project();
      const [l1, l2] = [labels[0]!.id, labels[1]!.id];
      const issue = await ctx.createIssue({ label_ids: [l1] });
      const labelled = expectOk(await write(ctx, 'PATCH', issue, '/labels', { add_label_ids: [l2] }), 200, IssueResponse, 'add a label').issue;
      expectSameSet(labelled.label_ids, [l1, l2], 'labels after adding');
      const fewer = expectOk(await write(ctx, 'PATCH', issue, '/labels', { remove_label_ids: [l1] }), 200, IssueResponse, 'remove a label').issue;
      expectEqual(fewer.label_ids, [l2], 'labels after removing');
      const owner = ctx.options.ownerUserId;
      const assigned = expectOk(await write(ctx, 'PATCH', issue, '/assignees', { add_assignee_ids: [owner] }), 200, IssueResponse, 'add assignee').issue;
      expectEqual(assigned.assignee_ids, [owner], 'assignees after adding');
      const guest = members.find((member) => member.role === 'guest');
      ensure(guest !== undefined, 'the main project needs a guest member');
      expectError(await write(ctx, 'PATCH', issue, '/assignees', { add_assignee_ids: [guest.user_id] }), 400, 'VALIDATION_FAILED', 'a guest assignee');
      expectError(await write(ctx, 'PUT', issue, '/assignees', { assignee_ids: [guest.user_id] }), 400, 'VALIDATION_FAILED', 'a guest in the whole set');
      expectEqual((await fetchIssue(ctx, issue, 'read back')).assignee_ids, [owner], 'assignees after the refused writes');
    },
  },
  {
    name: 'guests: an owner who is a guest of the project may read but every write is 403 GUEST_READ_ONLY',
    async run(ctx) {
      const { project, members } = await ctx.project();
      ensure(members.some((m) => m.user_id === ctx.options.guestUserId && m.role === 'guest'), `${ctx.options.guestUserId} is not a guest of ${project.identifier}`);
      const as = { ownerUserId: ctx.options.guestUserId };
      const seen = expectOk(await ctx.client.call('GET', `/projects/${project.id}`, { as }), 200, ProjectResponse, 'the project as the guest').project;
      expectEqual(seen.owner_role, 'guest', 'owner_role for the guest');
      expectError(await ctx.client.call('POST', '/issues', { body: { project_id: project.id, title: 'guest write' }, as }), 403, 'GUEST_READ_ONLY', 'create as a guest');
      const issue = await ctx.createIssue();
      expectOk(await ctx.client.call('GET', issuePath(issue), { as }), 200, IssueResponse, 'read as a guest');
      const body = { project_id: project.id, comment_html: '<p>guest</p>' };
      expectError(await ctx.client.call('POST', issuePath(issue, '/comments'), { body, as }), 403, 'GUEST_READ_ONLY', 'comment as a guest');
    },
  },
  {
    name: 'rich text: append and prepend keep the stored HTML; a replacement bound to a stale hash is 409 DESCRIPTION_CHANGED',
    async run(ctx) {
      const original = '<p>Hi <mention-component entity_identifier="x" entity_name="user_mention"></mention-component></p>';
      const issue = await ctx.createIssue({ description_html: original });
      const appended = expectOk(await write(ctx, 'PATCH', issue, '', { description_append_html: '<p>after</p>' }), 200, IssueResponse, 'append').issue;
      expectEqual(appended.description_html, `${original}<p>after</p>`, 'after appending');
      const prepended = expectOk(await write(ctx, 'PATCH', issue, '', { description_prepend_html: '<p>before</p>' }), 200, IssueResponse, 'prepend').issue;
      expectEqual(prepended.description_html, `<p>before</p>${original}<p>after</p>`, 'after prepending');
      const stale = createHash('sha256').update(original, 'utf8').digest('hex');
      expectError(await write(ctx, 'PATCH', issue, '', { description_html: '<p>x</p>', if_description_sha256: stale }), 409, 'DESCRIPTION_CHANGED', 'a stale hash');
      const current = createHash('sha256').update(prepended.description_html, 'utf8').digest('hex');
      const replaced = expectOk(await write(ctx, 'PATCH', issue, '', { description_html: '<p>x</p>', if_description_sha256: current }), 200, IssueResponse, 'replace').issue;
      expectEqual(replaced.description_html, '<p>x</p>', 'after a replacement with the current hash');
    },
  },
];
