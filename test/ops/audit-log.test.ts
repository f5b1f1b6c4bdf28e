import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../support/fixtures.js';
import { graphql, startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * The Launcher's audit log through GraphQL: who sees which events, and keyset pages that neither
 * skip nor repeat a row, on a log with ties in time, events that match both halves of a user's
 * view, and events written while someone pages. The expected answer comes from one plain query
 * over the table, so the indexed query (two index scans merged) is checked against the obvious one.
 */
let gateway: TestGateway;
let alice: string;
let admin: string;
let aliceAgent: string;

interface Page {
  nodes: { id: string; ownerUserId: string | null; actorId: string | null }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

async function page(token: string, variables: { first: number; after?: string | null; agentId?: string }): Promise<Page> {
  const result = await graphql<{ auditEvents: Page }>(
    gateway,
    'query($first: Int, $after: String, $agentId: String) { auditEvents(first: $first, after: $after, agentId: $agentId) { nodes { id ownerUserId actorId } pageInfo { hasNextPage endCursor } } }',
    { token, variables },
  );
  expect(result.errors).toBeUndefined();
  return result.data!.auditEvents;
}

async function everyPage(token: string, first: number, agentId?: string, between?: () => Promise<void>): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const { nodes, pageInfo }: Page = await page(token, { first, after, ...(agentId ? { agentId } : {}) });
    ids.push(...nodes.map((node) => node.id));
    if (!pageInfo.hasNextPage) return ids;
    after = pageInfo.endCursor;
    await between?.();
  }
}

/** The answer, by the plainest query there is. */
async function expected(where: ReturnType<typeof sql>): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`select id from audit_events where ${where} order by occurred_at desc, id desc`.execute(gateway.db);
  return rows.map((row) => row.id);
}

/** `count` events at a second apart in threes (so times tie), cycling through four kinds of actor and owner. */
async function seed(count: number, newest: Date): Promise<void> {
  await sql`
    insert into audit_events (occurred_at, request_id, actor_kind, actor_id, agent_id, owner_user_id, action, outcome)
    select ${newest}::timestamptz - make_interval(secs => i / 3),
           'seed-' || i,
           case i % 4 when 0 then 'agent' else 'launcher' end,
           case i % 4 when 0 then ${aliceAgent} when 3 then 'bob' else 'alice' end,
           case i % 2 when 0 then ${aliceAgent}::uuid else null end,
           case i % 4 when 1 then 'bob' when 3 then 'bob' else 'alice' end,
           'seed.event',
           'succeeded'
    from generate_series(1, ${count}) as i`.execute(gateway.db);
}

beforeAll(async () => {
  gateway = await startTestGateway();
  alice = await gateway.launcherToken({ sub: 'alice' });
  admin = await gateway.launcherToken({ sub: 'root', role: 'admin' });
  aliceAgent = await createAgent(gateway, alice);
  await seed(120, new Date(Date.now() - 60_000));
});
afterAll(() => gateway?.close());

describe('auditEvents', () => {
  it('shows a user the events about their agents and their own Launcher actions, each once, newest first', async () => {
    const visible = await everyPage(alice, 7);
    expect(visible).toEqual(await expected(sql`owner_user_id = 'alice' or (actor_kind = 'launcher' and actor_id = 'alice')`));
    expect(new Set(visible).size).toBe(visible.length);
    // Both halves are there: alice's actions on bob's agents, and events about alice's agents.
    const nodes = (await page(alice, { first: 100 })).nodes;
    expect(nodes.some((node) => node.ownerUserId === 'bob' && node.actorId === 'alice')).toBe(true);
    expect(nodes.some((node) => node.ownerUserId === 'alice' && node.actorId !== 'alice')).toBe(true);
    expect(nodes.every((node) => node.ownerUserId === 'alice' || node.actorId === 'alice')).toBe(true);
  });

  it('shows an admin everything, and one agent’s events when asked, page by page', async () => {
    expect(await everyPage(admin, 11)).toEqual(await expected(sql`true`));
    expect(await everyPage(alice, 5, aliceAgent)).toEqual(
      await expected(sql`agent_id = ${aliceAgent} and (owner_user_id = 'alice' or (actor_kind = 'launcher' and actor_id = 'alice'))`),
    );
  });

  it('keeps its cursor stable while new events are written between pages', async () => {
    const before = await expected(sql`owner_user_id = 'alice' or (actor_kind = 'launcher' and actor_id = 'alice')`);
    // Each page is followed by a newer event of alice's: none may appear, and nothing may shift.
    const paged = await everyPage(alice, 9, undefined, () => seed(4, new Date()));
    expect(paged).toEqual(before);
  });

  it('refuses a cursor it did not issue', async () => {
    const result = await graphql(gateway, '{ auditEvents(first: 2, after: "not-a-cursor") { nodes { id } } }', { token: alice });
    expect(result.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
  });
});
