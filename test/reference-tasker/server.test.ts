import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex, signingKey } from '../../src/tasker/signing.js';
import { AdapterClient } from '../../conformance/client.js';
import { DEMO_IDS, seedDemoWorkspace, startReferenceTasker, type ReferenceTasker } from '../../reference-tasker/index.js';
import { createTestDatabase, taskerStorage, type TestDatabase } from '../support/database.js';

/** Behaviour of the reference server itself, beyond what the portable conformance suite can see. */
const SECRET = 'reference-server-test-secret-0123456789';
const DEMO = DEMO_IDS.projects.DEMO;
const HOUR_MS = 60 * 60 * 1000;

function clientFor(tasker: ReferenceTasker, agentId = 'agent-under-test'): AdapterClient {
  return new AdapterClient(tasker.url, signingKey(SECRET), { agentId, ownerUserId: DEMO_IDS.users.local });
}

describe('reference Tasker server', () => {
  let database: TestDatabase;
  let tasker: ReferenceTasker;
  /** The server's clock; tests move it forward, and the client signs with the same clock. */
  let clock = Date.now();
  const now = () => clock;

  beforeAll(async () => {
    database = await createTestDatabase();
    tasker = await startReferenceTasker({
      signingSecret: SECRET,
      now,
      ...taskerStorage(database),
    });
  });

  afterAll(async () => {
    await tasker?.close();
    await database?.drop();
  });

  it('serves the seeded demo data under fixed ids', async () => {
    const response = await clientFor(tasker).call('GET', `/issues?project_id=${DEMO.id}`, { now });
    expect(response.status).toBe(200);
    const body = response.json as { issues: { id: string; key: string }[] };
    expect(body.issues.map((issue) => [issue.key, issue.id])).toEqual([
      ['DEMO-3', DEMO_IDS.issues['DEMO-3']],
      ['DEMO-2', DEMO_IDS.issues['DEMO-2']],
      ['DEMO-1', DEMO_IDS.issues['DEMO-1']],
    ]);
  });

  it('seeding again changes nothing', async () => {
    const count = async () =>
      (await tasker.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM reference_tasker.issues'))[0]?.n;
    const before = await count();
    await seedDemoWorkspace(tasker.sql);
    expect(await count()).toBe(before);
  });

  it('logs every write with agent, owner, request id and key, and nothing for replays or failures', async () => {
    const client = clientFor(tasker, 'activity-agent');
    const before = (await tasker.activity()).length;
    const key = 'activity-create-1';
    const create = client.sign('POST', '/issues', { body: { project_id: DEMO.id, title: 'audited' }, idempotencyKey: key, now });
    const created = await client.send(create);
    expect(created.status).toBe(201);
    const issueId = (created.json as { issue: { id: string } }).issue.id;
    const replayed = await client.call('POST', '/issues', { body: { project_id: DEMO.id, title: 'audited' }, idempotencyKey: key, now });
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect((await client.call('POST', '/issues', { body: { project_id: DEMO.id, title: '' }, now })).status).toBe(400);
    const path = `/issues/${issueId}`;
    const writes = [
      () => client.call('PATCH', path, { body: { project_id: DEMO.id, priority: 'low' }, now }),
      () => client.call('POST', `${path}/move`, { body: { project_id: DEMO.id, state_id: DEMO.states.done }, now }),
      () => client.call('POST', `${path}/comments`, { body: { project_id: DEMO.id, comment_html: '<p>noted</p>' }, now }),
      () => client.call('PUT', `${path}/labels`, { body: { project_id: DEMO.id, label_ids: [DEMO.labels.docs] }, now }),
      () => client.call('PUT', `${path}/assignees`, { body: { project_id: DEMO.id, assignee_ids: ['teammate-user'] }, now }),
    ];
    for (const write of writes) expect((await write()).status).toBeLessThan(300);

    const rows = (await tasker.activity()).slice(before);
    expect(rows.map((row) => row.action)).toEqual([
      'issue.created',
      'issue.updated',
      'issue.moved',
      'issue.commented',
      'issue.labels_set',
      'issue.assignees_set',
    ]);
    expect(rows[0]).toEqual({
      action: 'issue.created',
      issueId,
      projectId: DEMO.id,
      agentId: 'activity-agent',
      ownerUserId: 'local-user',
      requestId: create.headers['x-request-id'],
      idempotencyKey: key,
      occurredAt: new Date(clock).toISOString(),
    });
    expect(rows.every((row) => row.issueId === issueId && row.agentId === 'activity-agent')).toBe(true);
  });

  it('answers an issue with its labels, assignees and modules each in id order, in lists and alone', async () => {
    const client = clientFor(tasker, 'order-agent');
    const created = await client.call('POST', '/issues', { body: { project_id: DEMO.id, title: 'sorted' }, now });
    const issue = (created.json as { issue: { id: string } }).issue;
    const labels = [DEMO.labels.feature, DEMO.labels.docs, DEMO.labels.bug];
    expect((await client.call('PUT', `/issues/${issue.id}/labels`, { body: { project_id: DEMO.id, label_ids: labels }, now })).status).toBe(200);
    const assignees = ['teammate-user', DEMO_IDS.users.local];
    expect((await client.call('PUT', `/issues/${issue.id}/assignees`, { body: { project_id: DEMO.id, assignee_ids: assignees }, now })).status).toBe(200);
    const sorted = { label_ids: [...labels].sort(), assignee_ids: [...assignees].sort(), module_ids: [] };
    const alone = (await client.call('GET', `/issues/${issue.id}`, { now })).json as { issue: Record<string, unknown> };
    expect(alone.issue).toMatchObject(sorted);
    const listed = (await client.call('GET', `/issues?project_id=${DEMO.id}&limit=1`, { now })).json as { issues: Record<string, unknown>[] };
    expect(listed.issues[0]).toMatchObject({ id: issue.id, ...sorted });
  });

  it('answers 409 while the same request is still being processed, 422 for a different one', async () => {
    const client = clientFor(tasker, 'busy-agent');
    const body = JSON.stringify({ project_id: DEMO.id, title: 'waits' });
    // The digest the server keys requests by: method, path with query, body hash.
    const digest = sha256Hex(['POST', client.target('/issues'), sha256Hex(body)].join('\n'));
    await tasker.sql.query(
      `INSERT INTO reference_tasker.idempotency_keys (agent_id, key, request_digest, claim_token, status, expires_at)
       VALUES ('busy-agent', 'busy-key', $1, 'held-by-a-running-request', 'in_progress', $2::timestamptz)`,
      [digest, new Date(clock + 60_000).toISOString()],
    );
    const same = await client.call('POST', '/issues', { rawBody: body, idempotencyKey: 'busy-key', now });
    expect(same.status).toBe(409);
    expect(same.json).toMatchObject({ error: { code: 'IDEMPOTENCY_IN_PROGRESS' } });
    const different = await client.call('POST', '/issues', {
      body: { project_id: DEMO.id, title: 'other' },
      idempotencyKey: 'busy-key',
      now,
    });
    expect(different.status).toBe(422);

    // An abandoned claim (its holder crashed) frees the key once its lease runs out.
    clock += 10 * 60_000;
    const retried = await client.call('POST', '/issues', { rawBody: body, idempotencyKey: 'busy-key', now });
    expect(retried.status).toBe(201);
  });

  it('replays a stored answer for 24 hours, then treats the key as new', async () => {
    const client = clientFor(tasker, 'expiry-agent');
    const options = { body: { project_id: DEMO.id, title: 'expiring key' }, idempotencyKey: 'expiring', now };
    const first = await client.call('POST', '/issues', options);
    clock += 23 * HOUR_MS;
    const replay = await client.call('POST', '/issues', options);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.text).toBe(first.text);
    clock += 2 * HOUR_MS;
    const fresh = await client.call('POST', '/issues', options);
    expect(fresh.status).toBe(201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    expect(fresh.text).not.toBe(first.text);
  });

  it('refuses a body over 1 MiB with 413 PAYLOAD_TOO_LARGE', async () => {
    const client = clientFor(tasker);
    const response = await client.call('POST', '/issues', {
      body: { project_id: DEMO.id, title: 'big', description: 'x'.repeat(1024 * 1024) },
      now,
    });
    expect(response.status).toBe(413);
    expect(response.json).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });

    // Without a Content-Length (chunked), the limit is enforced while reading.
    async function* chunks() {
      for (let sent = 0; sent < 2; sent += 1) yield Buffer.alloc(768 * 1024, 0x20);
    }
    const chunked = await request(`${tasker.apiUrl}/issues`, { method: 'POST', body: Readable.from(chunks()) });
    expect(chunked.statusCode).toBe(413);
    expect(await chunked.body.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('answers 405 with an Allow header', async () => {
    const response = await clientFor(tasker).call('GET', '/projects/resolve', { now });
    expect(response.status).toBe(405);
    expect(response.headers['allow']).toBe('POST');
  });

  it('never answers 500 to nonsense input', async () => {
    const client = clientFor(tasker);
    const bodies = ['null', '[]', '"text"', '{"project_id":{"$ne":null},"title":"x"}', '{"project_id":"x","title":"\\u0000"}'];
    for (const rawBody of bodies) {
      const response = await client.call('POST', '/issues', { rawBody, now });
      expect(response.status, rawBody).toBeGreaterThanOrEqual(400);
      expect(response.status, rawBody).toBeLessThan(500);
    }
    const odd = ['/issues/%E0%A4%A', '/issues?project_id=a&project_id=b', `/projects/${'x'.repeat(300)}/context`];
    for (const path of odd) {
      const response = await client.call('GET', path, { now });
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(response.status, path).toBeLessThan(500);
    }
  });

  it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
    const bare = await request(`${tasker.apiUrl}/issues`, { headers: { 'x-request-id': 'bad id with spaces' } });
    await bare.body.text();
    expect(bare.statusCode).toBe(401);
    expect(bare.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('reference Tasker on a PGlite data directory', () => {
  it('keeps its data across restarts and continues the issue numbering', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'reference-tasker-'));
    try {
      const first = await startReferenceTasker({ signingSecret: SECRET, dataDir });
      const created = await clientFor(first).call('POST', '/issues', { body: { project_id: DEMO.id, title: 'persisted' } });
      expect((created.json as { issue: { key: string } }).issue.key).toBe('DEMO-4');
      await first.close();

      const second = await startReferenceTasker({ signingSecret: SECRET, dataDir });
      try {
        const next = await clientFor(second).call('POST', '/issues', { body: { project_id: DEMO.id, title: 'after restart' } });
        expect((next.json as { issue: { key: string } }).issue.key).toBe('DEMO-5');
        expect(await second.activity()).toHaveLength(2);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    // Two cold starts of an on-disk PGlite (schema and seed each time) on a busy machine: a bound, not a speed target.
  }, 120_000);

  it('refuses a short signing secret', async () => {
    await expect(startReferenceTasker({ signingSecret: 'too-short' })).rejects.toThrow(/at least 32/);
  });
});
