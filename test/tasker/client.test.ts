import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as reference from '../../reference-tasker/contract.js';
import { DEMO_IDS, startReferenceTasker, type ReferenceTasker } from '../../reference-tasker/index.js';
import { createTaskerClient, type TaskerCallObservation, type TaskerClient, type TaskerClientOptions } from '../../src/tasker/client.js';
import * as contract from '../../src/tasker/contract.js';
import { KEY_ID_FORMAT } from '../../src/tasker/signing.js';
import { TaskerCallError } from '../../src/tasker/tasker-error.js';
import { stripInvisible, stripInvisibleOrNull } from '../../src/tasker/text-safety.js';
import { unconfiguredTasker } from '../../src/tasker/unconfigured.js';
import { createTestDatabase, taskerStorage, type TestDatabase } from '../support/database.js';
import { startFaultProxy, type FaultProxy, type ProxiedRequest } from '../support/fault-proxy.js';
import { TASKER_BASE } from '../support/misbehaving-tasker.js';
import { taskerReader, type TaskerRead } from '../support/tasker-reader.js';

/**
 * The Tasker client on its own, against the reference Tasker on loopback (which checks every
 * signature) behind the fault proxy (which shows what was sent and misbehaves on demand): each
 * endpoint's request and answer, which failures are retried and which are not, how Tasker's
 * refusals become the gateway's error codes, and what the observer is told. The same behaviour
 * seen through the agent tools is in test/e2e/tasker-faults.test.ts and tasker-guards*.test.ts.
 */
const SECRET = randomUUID().repeat(2);
const DEMO = DEMO_IDS.projects.DEMO;
const caller = { agentId: 'client-test-agent', ownerUserId: 'local-user', requestId: 'client-test-request' };

let database: TestDatabase;
let tasker: ReferenceTasker;
let proxy: FaultProxy;
let read: TaskerRead;
const clients: TaskerClient[] = [];

function client(options: Partial<TaskerClientOptions> = {}): TaskerClient {
  const created = createTaskerClient({
    baseUrl: proxy.url,
    signingSecret: SECRET,
    connectTimeoutMs: 2_000,
    timeoutMs: 5_000,
    maxRetries: 2,
    retryBaseDelayMs: 1,
    ...options,
  });
  clients.push(created);
  return created;
}

beforeAll(async () => {
  database = await createTestDatabase();
  tasker = await startReferenceTasker({ signingSecret: SECRET, ...taskerStorage(database) });
  proxy = await startFaultProxy(tasker.url, { signingSecret: SECRET });
  read = taskerReader(tasker.url, SECRET);
});
afterAll(async () => {
  await Promise.all(clients.map((created) => created.close()));
  await proxy.close();
  await tasker.close();
  await database.drop();
});
beforeEach(() => proxy.reset());

const key = () => `client-${randomUUID()}`;
const only = (): ProxiedRequest => {
  expect(proxy.requests).toHaveLength(1);
  return proxy.requests[0]!;
};
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(TaskerCallError);
      expect((error as Error).name).toBe('TaskerCallError');
      return error as TaskerCallError;
    },
  );
/** Tasker answers the next `times` requests with this status and body. */
const answer = (status: number, body: unknown, times = 1) => proxy.inject({ kind: 'respond', answer: async () => ({ status, body }) }, times);

describe('the contract the client reads', () => {
  it("speaks the reference Tasker's vocabulary and base path", () => {
    expect(contract.TASKER_BASE_PATH).toBe(reference.BASE_PATH);
    expect(contract.PRIORITIES).toEqual(reference.ISSUE_PRIORITIES);
    expect(contract.STATE_GROUPS).toEqual(reference.STATE_GROUPS);
    expect(contract.MEMBER_ROLES).toEqual(reference.MEMBER_ROLES);
    expect(contract.RELATION_TYPES).toEqual(reference.RELATION_TYPES);
    expect(contract.CYCLE_STATUSES).toEqual(reference.CYCLE_STATUSES);
    expect(contract.MODULE_STATUSES).toEqual(reference.MODULE_STATUSES);
  });

  it('refuses an issue whose ids are empty, whose dates are not calendar dates or whose number is not whole', async () => {
    const { issue } = await read<{ issue: Record<string, unknown> }>(`${TASKER_BASE}/issues/${DEMO_IDS.issues['DEMO-1']}`);
    expect(contract.IssueSchema.safeParse(issue).success).toBe(true);
    const bad: Record<string, unknown>[] = [
      { id: '' },
      { project_id: '' },
      { start_date: '2025-1-06' },
      { start_date: 'x2025-01-06' },
      { target_date: '2025-01-06x' },
      { start_date: '2025-01-0a' },
      { sequence_id: 1.5 },
      { priority: 'whenever' },
      { label_ids: [''] },
    ];
    for (const change of bad) expect(contract.IssueSchema.safeParse({ ...issue, ...change }).success, JSON.stringify(change)).toBe(false);
    expect(contract.IssueSchema.safeParse({ ...issue, start_date: '2025-01-06', target_date: null }).success).toBe(true);
  });

  it('refuses nested records that lack their fields, and takes the real ones', async () => {
    const context = await read<{ project: Record<string, unknown>; labels: unknown[]; members: unknown[] }>(`${TASKER_BASE}/projects/${DEMO.id}/context`);
    const { issue } = await read<{ issue: { created_by: unknown } }>(`${TASKER_BASE}/issues/${DEMO_IDS.issues['DEMO-2']}`);
    expect(contract.ProjectSchema.safeParse(context.project).success).toBe(true);
    expect(contract.ProjectSchema.safeParse({ ...context.project, workspace: {} }).success).toBe(false);
    const samples: [string, { safeParse(value: unknown): { success: boolean } }, unknown][] = [
      ['label', contract.LabelSchema, context.labels[0]],
      ['member', contract.MemberSchema, context.members[0]],
      ['actor', contract.ActorSchema, issue.created_by],
      ['activity', contract.ActivitySchema, { id: 'a', issue_id: 'i', verb: 'updated', field: 'title', old_value: null, new_value: 'x', actor: issue.created_by, created_at: '2026-01-01T00:00:00Z' }],
      ['issue ref', contract.IssueRefSchema, { id: 'i', key: 'DEMO-1', project_id: DEMO.id, title: 't', state_group: null }],
    ];
    for (const [name, schema, sample] of samples) {
      expect(sample, name).toBeDefined();
      expect(schema.safeParse(sample).success, name).toBe(true);
      expect(schema.safeParse({}).success, name).toBe(false);
    }
  });

  it('takes signing key ids of 1 to 64 letters, digits, dots, underscores and dashes only (TASKER_SIGNING_KEY_ID)', () => {
    for (const id of ['a', 'key-2026.v1_A', 'x'.repeat(64)]) expect(KEY_ID_FORMAT.test(id), id).toBe(true);
    for (const id of ['', 'x'.repeat(65), ' key', 'key ', 'a/b', 'ключ', 'a\nb']) expect(KEY_ID_FORMAT.test(id), id).toBe(false);
  });

  it("cleans Tasker's text of invisible characters, keeping line breaks and tabs", () => {
    expect(stripInvisible('a\u200bb\u202ec\td\ne\u0007')).toBe('abc\td\ne');
    expect(stripInvisibleOrNull('a\u2028b')).toBe('ab');
    expect(stripInvisibleOrNull(null)).toBeNull();
  });
});

describe('reads', () => {
  it('getIssue: a signed GET by id or key, the id escaped in the path, the issue unwrapped', async () => {
    const result = await client().getIssue(caller, 'DEMO-1');
    expect(result).toMatchObject({ status: 200, data: { id: DEMO_IDS.issues['DEMO-1'], key: 'DEMO-1' } });
    expect(result.latencyMs).toBeGreaterThan(0);
    const request = only();
    expect(request).toMatchObject({ method: 'GET', path: `${TASKER_BASE}/issues/DEMO-1`, body: '', caller: { agentId: caller.agentId, ownerUserId: 'local-user' } });
    expect(request.headers).toMatchObject({ accept: 'application/json', 'x-request-id': caller.requestId });
    expect(request.headers['content-type']).toBeUndefined();
    expect(request.headers['idempotency-key']).toBeUndefined();
    proxy.reset();
    await failure(client().getIssue(caller, 'a/b?c'));
    expect(proxy.requests[0]!.path).toBe(`${TASKER_BASE}/issues/a%2Fb%3Fc`);
  });

  it('projects: resolve, get, context, cycles and modules', async () => {
    const tasker = client();
    expect((await tasker.resolveProject(caller, 'DEMO')).data).toMatchObject({ id: DEMO.id, identifier: 'DEMO' });
    expect(proxy.requests.at(-1)).toMatchObject({ method: 'POST', path: `${TASKER_BASE}/projects/resolve`, body: JSON.stringify({ query: 'DEMO' }) });
    expect(proxy.requests.at(-1)!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect((await tasker.getProject(caller, DEMO.id)).data).toMatchObject({ id: DEMO.id, identifier: 'DEMO' });
    expect(proxy.requests.at(-1)).toMatchObject({ method: 'GET', path: `${TASKER_BASE}/projects/${DEMO.id}` });
    const context = (await tasker.projectContext(caller, DEMO.id)).data;
    expect(context.project.id).toBe(DEMO.id);
    expect(context.states.map((state) => state.id)).toContain(DEMO.states.todo);
    expect(proxy.requests.at(-1)!.path).toBe(`${TASKER_BASE}/projects/${DEMO.id}/context`);
    expect((await tasker.listCycles(caller, DEMO.id)).data.map((cycle) => cycle.id)).toContain(DEMO_IDS.cycles.current);
    expect(proxy.requests.at(-1)!.path).toBe(`${TASKER_BASE}/projects/${DEMO.id}/cycles`);
    expect((await tasker.listModules(caller, DEMO.id)).data.map((module) => module.id)).toContain(DEMO_IDS.modules.gateway);
    expect(proxy.requests.at(-1)!.path).toBe(`${TASKER_BASE}/projects/${DEMO.id}/modules`);
  });

  it('listIssues sends only the filters that are set, flags only when true', async () => {
    const tasker = client();
    const all = await tasker.listIssues(caller, { projectId: DEMO.id, limit: 2 });
    expect(all.data.issues).toHaveLength(2);
    expect(all.data.next_cursor).not.toBeNull();
    expect(proxy.requests.at(-1)!.path).toBe(`${TASKER_BASE}/issues?project_id=${DEMO.id}&limit=2`);
    await tasker.listIssues(caller, { projectId: DEMO.id, includeArchived: false, includeDrafts: false, limit: 5 });
    expect(proxy.requests.at(-1)!.path).toBe(`${TASKER_BASE}/issues?project_id=${DEMO.id}&limit=5`);
    // Only the request matters here: Tasker refuses the made-up cursor, after the query was sent.
    await tasker.listIssues(caller, {
      projectId: DEMO.id,
      stateId: 's',
      labelId: 'l',
      assigneeId: 'a',
      parentId: 'p',
      search: 'x y',
      includeArchived: true,
      includeDrafts: true,
      cursor: 'c',
      limit: 3,
    }).catch(() => undefined);
    const query = new URL(proxy.requests.at(-1)!.path, 'http://x').searchParams;
    expect(Object.fromEntries(query)).toEqual({
      project_id: DEMO.id,
      state_id: 's',
      label_id: 'l',
      assignee_id: 'a',
      parent_id: 'p',
      search: 'x y',
      include_archived: 'true',
      include_drafts: 'true',
      cursor: 'c',
      limit: '3',
    });
  });

  it('searchIssues posts the search; comments, activity, relations and links of an issue', async () => {
    const tasker = client();
    const issueId = DEMO_IDS.issues['DEMO-2'];
    const found = await tasker.searchIssues(caller, { project_ids: [DEMO.id], limit: 1 });
    expect(found.data.issues).toHaveLength(1);
    expect(proxy.requests.at(-1)).toMatchObject({ method: 'POST', path: `${TASKER_BASE}/issues/search`, body: JSON.stringify({ project_ids: [DEMO.id], limit: 1 }) });
    const comments = await tasker.listComments(caller, issueId, { limit: 10 });
    expect(comments.data.comments.map((comment) => comment.id)).toContain(DEMO_IDS.personComment);
    expect(proxy.requests.at(-1)!.path).toBe(`${TASKER_BASE}/issues/${issueId}/comments?limit=10`);
    await tasker.listComments(caller, issueId, { cursor: 'c', limit: 1 }).catch(() => undefined);
    expect(proxy.requests.at(-1)!.path).toBe(`${TASKER_BASE}/issues/${issueId}/comments?cursor=c&limit=1`);
    const activity = await tasker.listActivity(caller, issueId, { limit: 5, since: '2020-01-01T00:00:00Z' });
    expect(Array.isArray(activity.data.activity)).toBe(true);
    expect(proxy.requests.at(-1)!.path).toBe(`${TASKER_BASE}/issues/${issueId}/activity?limit=5&since=2020-01-01T00%3A00%3A00Z`);
    expect(Array.isArray((await tasker.listRelations(caller, issueId)).data)).toBe(true);
    expect(proxy.requests.at(-1)!.path).toBe(`${TASKER_BASE}/issues/${issueId}/relations`);
    expect(Array.isArray((await tasker.listLinks(caller, issueId)).data)).toBe(true);
    expect(proxy.requests.at(-1)!.path).toBe(`${TASKER_BASE}/issues/${issueId}/links`);
  });

  it('keeps a TASKER_URL path prefix, without doubling its slashes, and passes trace headers', async () => {
    proxy.inject({
      kind: 'respond',
      answer: async (request, readAsCaller) =>
        request.path.startsWith(`/tasker${TASKER_BASE}/`)
          ? { status: 200, body: await readAsCaller(request.path.slice('/tasker'.length)) }
          : { status: 404, body: { error: { code: 'NOT_FOUND', message: `nothing at ${request.path}` } } },
    });
    const ended: { operation: string; attempt: number; status: number | null; outcome: string }[] = [];
    const prefixed = client({
      baseUrl: `${proxy.url}/tasker//`,
      traceAttempt: (requestId, operation, attempt) => ({
        headers: { traceparent: `00-${requestId}` },
        end: (result) => ended.push({ operation, attempt, ...result }),
      }),
    });
    expect((await prefixed.getIssue(caller, 'DEMO-1')).data.key).toBe('DEMO-1');
    expect(only().path).toBe(`/tasker${TASKER_BASE}/issues/DEMO-1`);
    expect(only().headers.traceparent).toBe(`00-${caller.requestId}`);
    // The attempt's span ends with Tasker's answer.
    expect(ended).toEqual([{ operation: 'GET /issues/:id', attempt: 1, status: 200, outcome: 'ok' }]);
  });
});

describe('writes', () => {
  it('createIssue posts the issue with its idempotency key; Tasker holds it', async () => {
    const idempotencyKey = key();
    const created = await client().createIssue(caller, idempotencyKey, { project_id: DEMO.id, title: 'made by the client test' });
    expect(created.status).toBe(201);
    const request = only();
    expect(request).toMatchObject({ method: 'POST', path: `${TASKER_BASE}/issues`, body: JSON.stringify({ project_id: DEMO.id, title: 'made by the client test' }) });
    expect(request.headers['idempotency-key']).toBe(idempotencyKey);
    expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
    const { issue } = await read<{ issue: { title: string } }>(`${TASKER_BASE}/issues/${created.data.id}`);
    expect(issue.title).toBe('made by the client test');
  });

  it('every issue-addressed write names the authorized project, its key and its own path and body', async () => {
    const tasker = client();
    const { id } = (await tasker.createIssue(caller, key(), { project_id: DEMO.id, title: 'write target' })).data;
    const { id: other } = (await tasker.createIssue(caller, key(), { project_id: DEMO.id, title: 'related' })).data;
    const write = () => ({ idempotencyKey: key(), issueId: id, projectId: DEMO.id });
    const sent = () => {
      const request = proxy.requests.at(-1)!;
      return { method: request.method, path: request.path.slice(TASKER_BASE.length), body: JSON.parse(request.body) as unknown, key: request.headers['idempotency-key'] };
    };
    const k1 = key();
    expect((await tasker.updateIssue(caller, k1, id, DEMO.id, { title: 'renamed' })).data.title).toBe('renamed');
    expect(sent()).toEqual({ method: 'PATCH', path: `/issues/${id}`, body: { project_id: DEMO.id, title: 'renamed' }, key: k1 });
    const k2 = key();
    expect((await tasker.moveIssue(caller, k2, id, DEMO.id, DEMO.states.done)).data.state_id).toBe(DEMO.states.done);
    expect(sent()).toEqual({ method: 'POST', path: `/issues/${id}/move`, body: { project_id: DEMO.id, state_id: DEMO.states.done }, key: k2 });
    const k3 = key();
    expect((await tasker.addComment(caller, k3, id, DEMO.id, '<p>hi</p>')).data.comment.comment_html).toBe('<p>hi</p>');
    expect(sent()).toEqual({ method: 'POST', path: `/issues/${id}/comments`, body: { project_id: DEMO.id, comment_html: '<p>hi</p>' }, key: k3 });
    await tasker.setLabels(caller, key(), id, DEMO.id, [DEMO.labels.bug]);
    expect(sent()).toMatchObject({ method: 'PUT', path: `/issues/${id}/labels`, body: { project_id: DEMO.id, label_ids: [DEMO.labels.bug] } });
    await tasker.setAssignees(caller, key(), id, DEMO.id, ['local-user']);
    expect(sent()).toMatchObject({ method: 'PUT', path: `/issues/${id}/assignees`, body: { project_id: DEMO.id, assignee_ids: ['local-user'] } });
    expect((await tasker.changeLabels(caller, write(), { add: [], remove: [DEMO.labels.bug] })).data.label_ids).toEqual([]);
    expect(sent()).toMatchObject({ method: 'PATCH', path: `/issues/${id}/labels`, body: { project_id: DEMO.id, add_label_ids: [], remove_label_ids: [DEMO.labels.bug] } });
    expect((await tasker.changeAssignees(caller, write(), { add: [], remove: ['local-user'] })).data.assignee_ids).toEqual([]);
    expect(sent()).toMatchObject({ method: 'PATCH', path: `/issues/${id}/assignees`, body: { add_assignee_ids: [], remove_assignee_ids: ['local-user'] } });
    expect((await tasker.addRelation(caller, write(), 'blocks', other)).data).toEqual([expect.objectContaining({ relation_type: 'blocks' })]);
    expect(sent()).toMatchObject({ method: 'POST', path: `/issues/${id}/relations`, body: { relation_type: 'blocks', related_issue_id: other } });
    expect((await tasker.removeRelation(caller, write(), 'blocks', other)).data).toEqual([]);
    expect(sent()).toMatchObject({ method: 'POST', path: `/issues/${id}/relations/remove`, body: { relation_type: 'blocks', related_issue_id: other } });
    const links = (await tasker.addLink(caller, write(), 'https://example.test/x', 'X')).data;
    expect(links).toEqual([expect.objectContaining({ url: 'https://example.test/x', title: 'X' })]);
    expect(sent()).toMatchObject({ method: 'POST', path: `/issues/${id}/links`, body: { url: 'https://example.test/x', title: 'X' } });
    expect((await tasker.removeLink(caller, write(), links[0]!.id)).data).toEqual([]);
    expect(sent()).toMatchObject({ method: 'POST', path: `/issues/${id}/links/remove`, body: { link_id: links[0]!.id } });
    expect((await tasker.setCycle(caller, write(), DEMO_IDS.cycles.current)).data.cycle_id).toBe(DEMO_IDS.cycles.current);
    expect(sent()).toMatchObject({ method: 'PUT', path: `/issues/${id}/cycle`, body: { cycle_id: DEMO_IDS.cycles.current } });
    expect((await tasker.changeModules(caller, write(), { add: [DEMO_IDS.modules.docs], remove: [] })).data.module_ids).toEqual([DEMO_IDS.modules.docs]);
    expect(sent()).toMatchObject({ method: 'PATCH', path: `/issues/${id}/modules`, body: { add_module_ids: [DEMO_IDS.modules.docs], remove_module_ids: [] } });
  });
});

describe('retries', () => {
  it('retries a read on a 5xx up to maxRetries, then says how many attempts it made', async () => {
    answer(500, { error: { code: 'INTERNAL', message: 'down' } }, 2);
    expect((await client().getIssue(caller, 'DEMO-1')).data.key).toBe('DEMO-1');
    expect(proxy.requests).toHaveLength(3);
    proxy.reset();
    answer(503, { error: { code: 'INTERNAL', message: 'down' } }, 3);
    const error = await failure(client().getIssue(caller, 'DEMO-1'));
    expect(error).toMatchObject({ code: 'TASKER_UNAVAILABLE', message: 'Tasker answered 503 (after 3 attempts)', taskerStatus: 503, outcomeUnknown: false });
    expect(proxy.requests).toHaveLength(3);
  });

  it('does not retry when maxRetries is 0, and says nothing of attempts', async () => {
    answer(500, { error: { code: 'INTERNAL', message: 'down' } });
    expect(await failure(client({ maxRetries: 0 }).getIssue(caller, 'DEMO-1'))).toMatchObject({ code: 'TASKER_UNAVAILABLE', message: 'Tasker answered 500' });
    expect(proxy.requests).toHaveLength(1);
  });

  it('retries the reads that are POSTs, and writes under their key', async () => {
    answer(500, { error: { code: 'INTERNAL', message: 'down' } });
    expect((await client().resolveProject(caller, 'DEMO')).data.id).toBe(DEMO.id);
    proxy.reset();
    answer(500, { error: { code: 'INTERNAL', message: 'down' } });
    expect((await client().searchIssues(caller, { project_ids: [DEMO.id], limit: 1 })).data.issues).toHaveLength(1);
    proxy.reset();
    answer(500, { error: { code: 'INTERNAL', message: 'down' } });
    const idempotencyKey = key();
    const created = await client().createIssue(caller, idempotencyKey, { project_id: DEMO.id, title: 'after a 500' });
    expect(created.data.title).toBe('after a 500');
    expect(proxy.requests.map((request) => request.headers['idempotency-key'])).toEqual([idempotencyKey, idempotencyKey]);
    // Each attempt is signed anew: a replayed nonce would be refused.
    expect(new Set(proxy.requests.map((request) => request.headers['x-nodedc-nonce'])).size).toBe(2);
  });

  it("retries Tasker's in-progress answer to a write, and gives up with it after the last attempt", async () => {
    answer(409, { error: { code: 'IDEMPOTENCY_IN_PROGRESS', message: 'busy' } }, 3);
    const error = await failure(client().createIssue(caller, key(), { project_id: DEMO.id, title: 'never' }));
    expect(error).toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS', taskerStatus: 409 });
    expect(proxy.requests).toHaveLength(3);
  });

  it('a failed write that may have reached Tasker is an unknown outcome; one that never left is not', async () => {
    proxy.inject({ kind: 'reset' });
    const reset = await failure(client({ maxRetries: 1 }).createIssue(caller, key(), { project_id: DEMO.id, title: 'reset' }));
    expect(reset).toMatchObject({ code: 'TASKER_UNAVAILABLE', outcomeUnknown: true, message: expect.stringContaining('could not be reached') });
    expect(proxy.requests).toHaveLength(2);
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const refused = await failure(client({ baseUrl: `http://127.0.0.1:${closedPort}`, maxRetries: 1 }).createIssue(caller, key(), { project_id: DEMO.id, title: 'refused' }));
    expect(refused).toMatchObject({ code: 'TASKER_UNAVAILABLE', outcomeUnknown: false, taskerStatus: null });
    const read = await failure(client({ baseUrl: `http://127.0.0.1:${closedPort}`, maxRetries: 0 }).getIssue(caller, 'DEMO-1'));
    expect(read).toMatchObject({ code: 'TASKER_UNAVAILABLE', outcomeUnknown: false });
  });

  it('a read that gets no answer in time is TASKER_TIMEOUT; a write, an unknown outcome', async () => {
    proxy.inject({ kind: 'hang' });
    expect(await failure(client({ timeoutMs: 300, maxRetries: 0 }).getIssue(caller, 'DEMO-1'))).toMatchObject({
      code: 'TASKER_TIMEOUT',
      message: 'Tasker did not answer in time',
      outcomeUnknown: false,
    });
    expect(await failure(client({ timeoutMs: 300, maxRetries: 0 }).createIssue(caller, key(), { project_id: DEMO.id, title: 'hang' }))).toMatchObject({
      code: 'TASKER_TIMEOUT',
      outcomeUnknown: true,
    });
  });
});

describe('answers the client does not trust', () => {
  it('a success that is not JSON is TASKER_BAD_RESPONSE, not retried; for a write, applied but unconfirmed', async () => {
    proxy.inject({ kind: 'malformed' });
    expect(await failure(client().getIssue(caller, 'DEMO-1'))).toMatchObject({ code: 'TASKER_BAD_RESPONSE', message: 'Tasker answered 200 with a body that is not JSON', outcomeUnknown: false });
    expect(proxy.requests).toHaveLength(1);
    proxy.reset();
    proxy.inject({ kind: 'malformed' });
    expect(await failure(client().createIssue(caller, key(), { project_id: DEMO.id, title: 'malformed' }))).toMatchObject({ code: 'TASKER_BAD_RESPONSE', outcomeUnknown: true });
    expect(proxy.requests).toHaveLength(1);
  });

  it('a refusal that is not JSON is TASKER_BAD_RESPONSE and leaves a write known as not applied', async () => {
    proxy.inject({ kind: 'respond', answer: async () => ({ status: 400, body: 'x' }) });
    // The proxy sends JSON; a bare string is JSON too, so this is "no error envelope".
    expect(await failure(client().createIssue(caller, key(), { project_id: DEMO.id, title: 'x' }))).toMatchObject({
      code: 'TASKER_BAD_RESPONSE',
      message: "Tasker answered 400 without the contract's error envelope",
      outcomeUnknown: false,
    });
  });

  it('a success in the wrong shape names at most five of its faults', async () => {
    answer(200, { issue: { id: '' } });
    const error = await failure(client().getIssue(caller, 'DEMO-1'));
    expect(error).toMatchObject({ code: 'TASKER_BAD_RESPONSE', message: 'Tasker answered with a body that does not match the contract', taskerStatus: 200 });
    const issues = error.details!.issues as string[];
    expect(issues).toHaveLength(5);
    expect(issues[0]).toMatch(/^issue\.id: /);
  });

  it('an answer past 5 MiB is refused, one of exactly 5 MiB is read', async () => {
    const limit = 5 * 1024 * 1024;
    const padded = (size: number) => {
      const empty = JSON.stringify({ issues: [], next_cursor: null, padding: '' });
      return { issues: [], next_cursor: null, padding: 'x'.repeat(size - empty.length) };
    };
    answer(200, padded(limit));
    expect((await client().listIssues(caller, { projectId: DEMO.id, limit: 1 })).data.issues).toEqual([]);
    answer(200, padded(limit + 1));
    expect(await failure(client().listIssues(caller, { projectId: DEMO.id, limit: 1 }))).toMatchObject({ code: 'TASKER_BAD_RESPONSE', message: 'Tasker answered with more than 5 MiB' });
    expect(proxy.requests).toHaveLength(2);
  });
});

describe("Tasker's refusals", () => {
  const refused = async (status: number, error: Record<string, unknown>) => {
    answer(status, { error });
    const thrown = await failure(client().getIssue(caller, 'DEMO-1'));
    expect(proxy.requests).toHaveLength(1);
    proxy.reset();
    return { code: thrown.code, message: thrown.message, details: thrown.details, taskerStatus: thrown.taskerStatus };
  };

  it('become the gateway’s codes, Tasker’s words cleaned of invisible characters, details only for bad input', async () => {
    expect(await refused(400, { code: 'VALIDATION', message: 'title\u200b is\u202e empty\n', details: { field: 'title' } })).toEqual({
      code: 'BAD_USER_INPUT',
      message: 'Tasker refused the input: title is empty\n',
      details: { field: 'title' },
      taskerStatus: 400,
    });
    expect(await refused(401, { code: 'BAD_SIGNATURE', message: 'no' })).toMatchObject({ code: 'TASKER_REJECTED', message: expect.stringContaining('TASKER_SIGNING_SECRET'), details: undefined });
    expect(await refused(403, { code: 'GUEST_READ_ONLY', message: 'guest' })).toEqual({
      code: 'FORBIDDEN',
      message: 'in Tasker, the agent’s owner is a guest in this project; guests can read but not write',
      details: { reason: 'GUEST_OWNER' },
      taskerStatus: 403,
    });
    expect(await refused(403, { code: 'NOT_A_MEMBER', message: 'no', details: { project: 'x' } })).toEqual({
      code: 'FORBIDDEN',
      message: 'in Tasker, the agent’s owner is not a member of this project',
      details: undefined,
      taskerStatus: 403,
    });
    expect(await refused(404, { code: 'NOT_FOUND', message: 'no such\u0007 issue', details: { id: 'x' } })).toEqual({
      code: 'NOT_FOUND',
      message: 'Tasker: no such issue',
      details: undefined,
      taskerStatus: 404,
    });
    expect(await refused(409, { code: 'AMBIGUOUS_PROJECT', message: 'several', details: { candidates: ['secret project'] } })).toEqual({
      code: 'CONFLICT',
      message: 'several projects match; call list_projects and use the project id or identifier',
      details: undefined,
      taskerStatus: 409,
    });
    expect(await refused(409, { code: 'DESCRIPTION_CHANGED', message: 'changed' })).toMatchObject({
      code: 'CONFLICT',
      message: 'the description changed since it was read; read the issue again, then write',
      details: { reason: 'DESCRIPTION_CHANGED' },
    });
    expect(await refused(409, { code: 'STATE_CONFLICT', message: 'cannot' })).toMatchObject({ code: 'CONFLICT', message: 'Tasker: cannot', details: undefined });
    expect(await refused(422, { code: 'IDEMPOTENCY_KEY_REUSED', message: 'reused' })).toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      message: 'Tasker saw this idempotency key with a different request',
    });
    expect(await refused(418, { code: 'TEAPOT', message: 'short and stout' })).toMatchObject({ code: 'TASKER_BAD_RESPONSE', message: 'Tasker answered 418 (TEAPOT)', taskerStatus: 418 });
  });

  it('a refusal of a write is never an unknown outcome, and is not retried', async () => {
    answer(404, { error: { code: 'NOT_FOUND', message: 'gone' } });
    expect(await failure(client().updateIssue(caller, key(), 'missing', DEMO.id, { title: 'x' }))).toMatchObject({ code: 'NOT_FOUND', outcomeUnknown: false });
    expect(proxy.requests).toHaveLength(1);
  });
});

describe('the observer', () => {
  it('is told of every retry and of the finished call, with a bounded operation label', async () => {
    const retries: unknown[] = [];
    const finished: TaskerCallObservation[] = [];
    const observed = client({ observer: { retrying: (call) => retries.push(call), finished: (call) => finished.push(call) } });
    answer(502, { error: { code: 'INTERNAL', message: 'down' } });
    await observed.getIssue(caller, 'DEMO-1');
    expect(retries).toEqual([{ operation: 'GET /issues/:id', requestId: caller.requestId, attempt: 1, code: 'TASKER_UNAVAILABLE', status: 502 }]);
    expect(finished).toEqual([{ operation: 'GET /issues/:id', requestId: caller.requestId, outcome: 'ok', status: 200, attempts: 2, latencyMs: expect.any(Number) }]);
    expect(finished[0]!.latencyMs).toBeGreaterThan(0);

    await observed.resolveProject(caller, 'DEMO');
    await observed.listCycles(caller, DEMO.id);
    answer(404, { error: { code: 'NOT_FOUND', message: 'gone' } });
    await failure(observed.setCycle(caller, { idempotencyKey: key(), issueId: 'missing', projectId: DEMO.id }, null));
    expect(finished.slice(1).map(({ operation, outcome, status, attempts }) => ({ operation, outcome, status, attempts }))).toEqual([
      { operation: 'POST /projects/resolve', outcome: 'ok', status: 200, attempts: 1 },
      { operation: 'GET /projects/:id/cycles', outcome: 'ok', status: 200, attempts: 1 },
      { operation: 'PUT /issues/:id/cycle', outcome: 'NOT_FOUND', status: 404, attempts: 1 },
    ]);
    expect(retries).toHaveLength(1);
  });
});

describe('without a Tasker', () => {
  it('every call is TASKER_UNAVAILABLE and closing is fine', async () => {
    const none = unconfiguredTasker();
    await expect(none.getIssue(caller, 'DEMO-1')).rejects.toMatchObject({ code: 'TASKER_UNAVAILABLE', message: expect.stringContaining('TASKER_URL is not set') });
    await expect(none.createIssue(caller, key(), { project_id: DEMO.id, title: 'x' })).rejects.toMatchObject({ code: 'TASKER_UNAVAILABLE' });
    await expect(none.close()).resolves.toBeUndefined();
  });
});
