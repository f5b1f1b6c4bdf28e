import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PrincipalCache } from '../../src/auth/principal-cache.js';
import { agentSession, createAgent, createToken, setGrant } from '../support/fixtures.js';
import { errorCode, graphql, startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * The principal cache never outlives a change on the instance that made it: after each change to
 * an agent, its grants or its tokens, the very next call sees it. Every case first proves the
 * principal is cached (so a missing invalidation would be served from the cache and fail here).
 */
let gateway: TestGateway;
let owner: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  owner = await gateway.launcherToken({ sub: 'cache-owner' });
  // On PostgreSQL the cache serves only once its change channel listens.
  await vi.waitFor(() => expect(gateway.app.principalCache.serving).toBe(true), { timeout: 20_000, interval: 20 });
});
afterAll(async () => {
  await gateway.close();
});

async function cachedAgent(grants: Record<string, string[]> = { 'project-a': ['ISSUES_READ', 'PROJECTS_READ'] }) {
  const agentId = await createAgent(gateway, owner, 'Cached agent');
  for (const [projectId, scopes] of Object.entries(grants)) await setGrant(gateway, owner, agentId, projectId, scopes);
  const token = await createToken(gateway, owner, agentId);
  const before = gateway.app.principalCache.size;
  expect((await agentSession(gateway, token.secret)).errors).toBeUndefined();
  expect(gateway.app.principalCache.size).toBe(before + 1);
  return { agentId, token };
}

const lifecycle = (query: string, variables: Record<string, unknown>) =>
  graphql(gateway, query, { token: owner, variables }).then((result) => expect(result.errors).toBeUndefined());

describe('the next call after a change', () => {
  it('is refused once the token is revoked, and the refusal is audited', async () => {
    const { agentId, token } = await cachedAgent();
    await lifecycle('mutation($id: ID!) { revokeToken(id: $id) { id } }', { id: token.id });
    const refused = await agentSession(gateway, token.secret);
    expect(errorCode(refused)).toBe('UNAUTHENTICATED');
    expect(refused.errors![0]!.message).toMatch(/revoked/);
    const audited = await gateway.db
      .selectFrom('audit_events')
      .select(['outcome', 'reason'])
      .where('agent_id', '=', agentId)
      .where('action', '=', 'agent.authenticate')
      .execute();
    expect(audited).toEqual([{ outcome: 'denied', reason: 'the agent token has been revoked' }]);
  });

  it('is refused once the agent is disabled, and served again once it is enabled', async () => {
    const { agentId, token } = await cachedAgent();
    await lifecycle('mutation($id: ID!) { disableAgent(id: $id) { id } }', { id: agentId });
    expect((await agentSession(gateway, token.secret)).errors![0]!.message).toMatch(/disabled/);
    await lifecycle('mutation($id: ID!) { enableAgent(id: $id) { id } }', { id: agentId });
    expect((await agentSession(gateway, token.secret)).errors).toBeUndefined();
  });

  it('is refused once the agent is deleted', async () => {
    const { agentId, token } = await cachedAgent();
    await lifecycle('mutation($id: ID!) { deleteAgent(id: $id) { id } }', { id: agentId });
    expect((await agentSession(gateway, token.secret)).errors![0]!.message).toMatch(/not recognised/);
  });

  it('shows the new name once the agent is renamed', async () => {
    const { agentId, token } = await cachedAgent();
    await lifecycle('mutation($id: ID!) { renameAgent(id: $id, displayName: "Renamed") { id } }', { id: agentId });
    expect((await agentSession(gateway, token.secret)).data!.agentSession.agent.displayName).toBe('Renamed');
  });

  it('holds a grant set, narrowed or removed', async () => {
    const { agentId, token } = await cachedAgent();
    const grantsNow = async () => (await agentSession(gateway, token.secret)).data!.agentSession.grants;

    await setGrant(gateway, owner, agentId, 'project-b', ['ISSUES_WRITE']);
    expect(await grantsNow()).toContainEqual({ projectId: 'project-b', scopes: ['ISSUES_WRITE'] });

    await setGrant(gateway, owner, agentId, 'project-a', ['PROJECTS_READ']);
    expect(await grantsNow()).toContainEqual({ projectId: 'project-a', scopes: ['PROJECTS_READ'] });

    await lifecycle('mutation($a: ID!, $p: String!) { removeGrant(agentId: $a, projectId: $p) { projectId } }', { a: agentId, p: 'project-a' });
    expect(await grantsNow()).toEqual([{ projectId: 'project-b', scopes: ['ISSUES_WRITE'] }]);
  });

  it('is refused once the token has expired, even while it is cached', async () => {
    const { token } = await cachedAgent();
    gateway.clock.offsetMs = 91 * 86_400_000;
    try {
      expect((await agentSession(gateway, token.secret)).errors![0]!.message).toMatch(/expired/);
    } finally {
      gateway.clock.offsetMs = 0;
    }
  });
});

describe('the cache itself', () => {
  const principal = (agentId: string, expiresInMs = 3_600_000, now = 0) =>
    ({
      kind: 'agent',
      agentId,
      agentName: agentId,
      ownerUserId: 'owner',
      ownerEmail: 'owner@example.test',
      tokenId: `token-of-${agentId}`,
      tokenExpiresAt: new Date(now + expiresInMs),
      tokenResource: null,
      grants: new Map(),
    }) as const;
  const cacheWith = (options: { maxEntries?: number; maxAgeMs?: number } = {}) => {
    const clock = { now: 0 };
    const cache = new PrincipalCache({ maxEntries: options.maxEntries ?? 10, maxAgeMs: options.maxAgeMs ?? 60_000, now: () => clock.now });
    cache.resume();
    return { cache, clock };
  };

  it('keeps at most maxEntries, dropping the oldest', () => {
    const { cache } = cacheWith({ maxEntries: 2 });
    for (const name of ['a', 'b', 'c']) cache.put(cache.ticket(), `hash-${name}`, principal(name));
    expect(cache.size).toBe(2);
    expect(cache.get('hash-a')).toBeUndefined();
    expect(cache.get('hash-c')?.agentId).toBe('c');
  });

  it('serves an entry no longer than maxAgeMs, nor past its token’s expiry', () => {
    const { cache, clock } = cacheWith({ maxAgeMs: 1_000 });
    cache.put(cache.ticket(), 'old', principal('old'));
    cache.put(cache.ticket(), 'expiring', principal('expiring', 500));
    clock.now = 500;
    expect(cache.get('expiring')).toBeUndefined();
    expect(cache.get('old')).toBeDefined();
    clock.now = 1_000;
    expect(cache.get('old')).toBeUndefined();
  });

  it('does not keep a read that a change overtook, nor an agent whose change is uncommitted', () => {
    const { cache, clock } = cacheWith();
    const ticket = cache.ticket();
    cache.forgetAgent('someone-else');
    cache.put(ticket, 'overtaken', principal('a'));
    expect(cache.get('overtaken')).toBeUndefined();

    cache.hold('b', 1, 10_000);
    cache.put(cache.ticket(), 'held', principal('b'));
    expect(cache.get('held')).toBeUndefined();
    cache.release('b', 1);
    cache.put(cache.ticket(), 'held', principal('b'));
    expect(cache.get('held')?.agentId).toBe('b');

    cache.hold('c', 2, 10_000);
    clock.now = 10_000; // a rolled-back change: the hold lapses
    cache.put(cache.ticket(), 'lapsed', principal('c', 3_600_000, clock.now));
    expect(cache.get('lapsed')?.agentId).toBe('c');
  });

  it('serves and keeps nothing while suspended, and starts empty when resumed', () => {
    const { cache } = cacheWith();
    cache.put(cache.ticket(), 'kept', principal('a'));
    cache.suspend();
    expect(cache.get('kept')).toBeUndefined();
    cache.put(cache.ticket(), 'while-down', principal('b'));
    cache.resume();
    expect(cache.size).toBe(0);
  });
});
