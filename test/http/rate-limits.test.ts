import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.js';
import { openDatabase } from '../../src/db/database.js';
import { createTestDatabase, testDatabaseKind } from '../support/database.js';
import { agentSession, createAgent, createToken, enterFreshRepeatWindow } from '../support/fixtures.js';
import { graphql, rest, startTestGateway, type TestGateway } from '../support/gateway.js';
import { tempDirs } from '../support/processes.js';
import { expectLimited } from '../support/rate-limit-answers.js';
import { type GatewayProcess, NO_TEST_CLOCK, spawnReplica } from '../lifecycle/support/gateway-process.js';

const from = (address: string) => ({ 'x-forwarded-for': address });

describe('limits per caller, on every surface', () => {
  let gateway: TestGateway;
  let owner: string;
  beforeAll(async () => {
    gateway = await startTestGateway({ TRUST_PROXY: 'true', RATE_LIMIT_AGENT_PER_MINUTE: '3', RATE_LIMIT_LAUNCHER_PER_MINUTE: '4', AUDIT_REPEAT_WINDOW_SECONDS: '60' });
    owner = await gateway.launcherToken({ sub: 'owner' });
  });
  afterAll(() => gateway.close());
  beforeEach(() => enterFreshRepeatWindow(gateway, 60));

  it('limits each agent token: REST, GraphQL and MCP answer 429 in their own shapes; another token is unaffected', async () => {
    const admin = await gateway.launcherToken({ sub: 'admin-of-tokens' });
    const agentId = await createAgent(gateway, admin);
    const { secret, id: tokenId } = await createToken(gateway, admin, agentId);
    const { secret: other } = await createToken(gateway, admin, agentId);
    const client = from('192.0.2.10');
    for (let i = 0; i < 3; i += 1) expect((await rest(gateway, 'GET', '/api/v1/agent-session', { token: secret, headers: client })).status).toBe(200);

    const restAnswer = await rest<{ error: { code: string } }>(gateway, 'GET', '/api/v1/agent-session', { token: secret, headers: client });
    expectLimited(restAnswer, 'agent', 3);
    expect(restAnswer.body.error.code).toBe('RATE_LIMITED');

    const graphqlAnswer = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', ...client },
      body: JSON.stringify({ query: '{ agentSession { tokenId } }' }),
    });
    expectLimited(graphqlAnswer, 'agent', 3);
    expect(await graphqlAnswer.json()).toMatchObject({ errors: [{ extensions: { code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) } }] });

    const mcpAnswer = await fetch(`${gateway.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...client },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expectLimited(mcpAnswer, 'agent', 3);
    expect(await mcpAnswer.json()).toMatchObject({ jsonrpc: '2.0', error: { data: { code: 'RATE_LIMITED' } } });

    expect((await agentSession(gateway, other)).errors).toBeUndefined();

    // The three 429s are audited as one event of the token, counting them, under the first one's request id.
    const limited = await gateway.db.selectFrom('audit_events').selectAll().where('outcome', '=', 'rate_limited').where('agent_id', '=', agentId).execute();
    expect(limited).toHaveLength(1);
    expect(limited[0]).toMatchObject({
      actor_kind: 'agent',
      action: 'agent.request',
      target_type: 'token',
      target_id: tokenId,
      occurrences: 3,
      request_id: restAnswer.headers.get('x-request-id'),
      details: { tokenId, tier: 'agent', limit: 3, windowSeconds: 60 },
    });
  });

  it('audits a flood of 429s as one event per token and window', async () => {
    const admin = await gateway.launcherToken({ sub: 'flooded-tokens' });
    const agentId = await createAgent(gateway, admin);
    const { secret, id: tokenId } = await createToken(gateway, admin, agentId);
    const answers = [];
    for (let i = 0; i < 3 + 20; i += 1) answers.push((await rest(gateway, 'GET', '/api/v1/agent-session', { token: secret, headers: from('192.0.2.11') })).status);
    expect(answers.filter((status) => status === 429)).toHaveLength(20);
    const limited = await gateway.db.selectFrom('audit_events').select(['occurrences', 'target_id']).where('outcome', '=', 'rate_limited').where('agent_id', '=', agentId).execute();
    expect(limited).toEqual([{ occurrences: 20, target_id: tokenId }]);
  });

  it('limits each Launcher user; another user is unaffected', async () => {
    const busy = await gateway.launcherToken({ sub: 'busy-user' });
    for (let i = 0; i < 4; i += 1) expect((await graphql(gateway, '{ me { userId } }', { token: busy })).status).toBe(200);
    const refused = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${busy}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { userId } }' }),
    });
    expectLimited(refused, 'launcher', 4);
    expect((await graphql(gateway, '{ me { userId } }', { token: owner })).status).toBe(200);
    const limited = await gateway.db.selectFrom('audit_events').selectAll().where('outcome', '=', 'rate_limited').where('actor_id', '=', 'busy-user').execute();
    expect(limited).toMatchObject([{ actor_kind: 'launcher', action: 'launcher.request', occurrences: 1, details: { tier: 'launcher', limit: 4 } }]);
  });
});

describe('limits per client network', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ TRUST_PROXY: 'true', RATE_LIMIT_NETWORK_PER_MINUTE: '5', RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '3' });
  });
  afterAll(() => gateway.close());

  it('counts an IPv4 /24 together, however many addresses it uses', async () => {
    for (let i = 1; i <= 5; i += 1) expect((await rest(gateway, 'GET', '/healthz', { headers: from(`203.0.113.${i}`) })).status).toBe(200);
    const refused = await rest<{ error: { code: string } }>(gateway, 'GET', '/healthz', { headers: from('203.0.113.77') });
    expectLimited(refused, 'network', 5);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
    expect((await rest(gateway, 'GET', '/healthz', { headers: from('203.0.114.1') })).status).toBe(200);
  });

  it('counts an IPv6 /64 together', async () => {
    const addresses = ['2001:db8:1:2::1', '2001:db8:1:2:ffff::9', '2001:db8:1:2:1:2:3:4', '2001:0db8:0001:0002::5', '2001:db8:1:2::a'];
    for (const address of addresses) expect((await rest(gateway, 'GET', '/healthz', { headers: from(address) })).status).toBe(200);
    expectLimited(await rest(gateway, 'GET', '/healthz', { headers: from('2001:db8:1:2::b') }), 'network', 5);
    expect((await rest(gateway, 'GET', '/healthz', { headers: from('2001:db8:1:3::1') })).status).toBe(200);
  });

  it('after a network’s refused credentials run out, refuses even a good one from there before checking it', async () => {
    const launcher = await gateway.launcherToken({ sub: 'alice' });
    const bad = `ndcag_${'x'.repeat(43)}_xxxxxx`;
    for (let i = 0; i < 3; i += 1) expect((await rest(gateway, 'GET', '/api/v1/agent-session', { token: bad, headers: from(`198.18.0.${i}`) })).status).toBe(401);
    expectLimited(await rest(gateway, 'GET', '/api/v1/meta/capabilities', { token: launcher, headers: from('198.18.0.50') }), 'authFailures', 3);
    expect((await rest(gateway, 'GET', '/api/v1/meta/capabilities', { token: launcher, headers: from('198.18.1.50') })).status).toBe(200);
  });
});

// Two real gateway processes on one PostgreSQL: the counters are shared, so the limit holds for
// the pair as it would behind a load balancer. (PGlite is embedded: one process per database.)
it.runIf(testDatabaseKind() === 'postgres')('holds a limit across two gateway processes on one PostgreSQL', NO_TEST_CLOCK, async () => {
  const database = await createTestDatabase('postgres');
  const temp = tempDirs();
  const replicas: GatewayProcess[] = [];
  try {
    const db = await openDatabase(database.config);
    await migrateToLatest(db);
    await db.destroy();
    const start = () => {
      const replica = spawnReplica({ databaseUrl: database.url!, temp, networkPerMinute: 6 });
      replicas.push(replica);
      return replica.ready;
    };
    const [a, b] = await Promise.all([start(), start()]);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) statuses.push((await fetch(`${i % 2 === 0 ? a : b}/healthz`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
  } finally {
    await Promise.all(replicas.map((replica) => replica.stop()));
    temp.removeAll();
    await database.drop();
  }
});
