import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentSession, createAgent, createToken, setGrant } from '../support/fixtures.js';
import { errorCode, graphql, rest, startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
let alice: string;
let bob: string;
let admin: string;
let aliceAgent: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  alice = await gateway.launcherToken({ sub: 'alice' });
  bob = await gateway.launcherToken({ sub: 'bob' });
  admin = await gateway.launcherToken({ sub: 'root', role: 'admin' });
  aliceAgent = await createAgent(gateway, alice, 'Alice agent');
});
afterAll(() => gateway.close());

describe('cross-user access', () => {
  it('refuses another user reading or changing an agent', async () => {
    const read = await graphql(gateway, 'query($id: ID!) { agent(id: $id) { id } }', { token: bob, variables: { id: aliceAgent } });
    expect(errorCode(read)).toBe('FORBIDDEN');
    expect(read.errors![0]!.message).toBe('this agent belongs to another user');

    const mutations = [
      ['mutation($id: ID!) { renameAgent(id: $id, displayName: "mine now") { id } }', { id: aliceAgent }],
      ['mutation($id: ID!) { disableAgent(id: $id) { id } }', { id: aliceAgent }],
      ['mutation($id: ID!) { deleteAgent(id: $id) { id } }', { id: aliceAgent }],
      ['mutation($i: SetGrantInput!) { setGrant(input: $i) { projectId } }', { i: { agentId: aliceAgent, projectId: 'p', scopes: ['ISSUES_READ'] } }],
      ['mutation($i: CreateTokenInput!) { createToken(input: $i) { secret } }', { i: { agentId: aliceAgent, name: 'stolen' } }],
    ] as const;
    for (const [query, variables] of mutations) {
      const result = await graphql(gateway, query, { token: bob, variables });
      expect(errorCode(result), query).toBe('FORBIDDEN');
    }
    const agent = await gateway.db.selectFrom('agents').selectAll().where('id', '=', aliceAgent).executeTakeFirstOrThrow();
    expect(agent).toMatchObject({ display_name: 'Alice agent', status: 'active' });
    expect(await gateway.db.selectFrom('agent_tokens').selectAll().where('agent_id', '=', aliceAgent).execute()).toHaveLength(0);
  });

  it('refuses revoking another user’s token', async () => {
    const { id } = await createToken(gateway, alice, aliceAgent, { name: 'alice only' });
    const result = await graphql(gateway, 'mutation($id: ID!) { revokeToken(id: $id) { id } }', { token: bob, variables: { id } });
    expect(errorCode(result)).toBe('FORBIDDEN');
    const row = await gateway.db.selectFrom('agent_tokens').select('revoked_at').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.revoked_at).toBeNull();
  });

  it('lists only the caller’s own agents and audit events', async () => {
    const bobAgent = await createAgent(gateway, bob, 'Bob agent');
    const agents = await graphql<{ agents: { nodes: { id: string }[] } }>(gateway, '{ agents { nodes { id } } }', { token: bob });
    expect(agents.data!.agents.nodes.map((a) => a.id)).toEqual([bobAgent]);
    const events = await graphql<{ auditEvents: { nodes: { agentId: string }[] } }>(gateway, '{ auditEvents { nodes { agentId } } }', { token: bob });
    // Bob sees events about his agent and his own refused attempts (no agent id), nothing of Alice's.
    const agentIds = new Set(events.data!.auditEvents.nodes.map((e) => e.agentId));
    expect(agentIds.has(bobAgent)).toBe(true);
    expect([...agentIds].filter((id) => id !== null && id !== bobAgent)).toEqual([]);
    const everyone = await graphql(gateway, '{ agents(allOwners: true) { nodes { id } } }', { token: bob });
    expect(errorCode(everyone)).toBe('FORBIDDEN');
  });

  it('lets an admin read every agent but change only their own', async () => {
    const read = await graphql<{ agent: { id: string } }>(gateway, 'query($id: ID!) { agent(id: $id) { id grants { projectId } } }', {
      token: admin,
      variables: { id: aliceAgent },
    });
    expect(read.data!.agent.id).toBe(aliceAgent);
    const all = await graphql<{ agents: { nodes: { id: string }[] } }>(gateway, '{ agents(allOwners: true, first: 100) { nodes { id } } }', { token: admin });
    expect(all.data!.agents.nodes.map((a) => a.id)).toContain(aliceAgent);
    const change = await graphql(gateway, 'mutation($id: ID!) { disableAgent(id: $id) { id } }', { token: admin, variables: { id: aliceAgent } });
    expect(errorCode(change)).toBe('FORBIDDEN');
  });
});

describe('mass assignment', () => {
  it('refuses an owner other than the caller, and lets an admin create for someone else', async () => {
    const refused = await graphql(gateway, 'mutation { createAgent(input: { displayName: "x", ownerUserId: "alice", ownerEmail: "alice@example.test" }) { id } }', { token: bob });
    expect(errorCode(refused)).toBe('FORBIDDEN');
    const wrongEmail = await graphql(gateway, 'mutation { createAgent(input: { displayName: "x", ownerEmail: "ceo@example.test" }) { id } }', { token: bob });
    expect(errorCode(wrongEmail)).toBe('FORBIDDEN');
    const byAdmin = await graphql<{ createAgent: { ownerUserId: string } }>(
      gateway,
      'mutation { createAgent(input: { displayName: "for carol", ownerUserId: "carol", ownerEmail: "carol@example.test" }) { ownerUserId } }',
      { token: admin },
    );
    expect(byAdmin.data!.createAgent.ownerUserId).toBe('carol');
  });

  it('has no input field for status, role or owner on updates', async () => {
    const result = await graphql(gateway, 'mutation($id: ID!) { renameAgent(id: $id, displayName: "x", status: disabled) { id } }', {
      token: alice,
      variables: { id: aliceAgent },
    });
    expect(errorCode(result)).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('malformed variables', () => {
  it('answers a value GraphQL cannot coerce with BAD_USER_INPUT and 400, not an internal error', async () => {
    const result = await graphql(gateway, 'mutation($i: SetGrantInput!) { setGrant(input: $i) { projectId } }', {
      token: alice,
      variables: { i: { agentId: aliceAgent, projectId: 'p', scopes: ['NOPE'] } },
    });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.status).toBe(400);
    expect(result.errors![0]!.message).toContain('NOPE');
  });
});

describe('input PostgreSQL cannot store', () => {
  it('refuses a NUL character with BAD_USER_INPUT naming the field', async () => {
    const result = await graphql(gateway, 'mutation($n: String!) { createAgent(input: { displayName: $n }) { id } }', {
      token: alice,
      variables: { n: 'bad\u0000name' },
    });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.message).toContain('variables.n: must not contain NUL characters');
  });

  it('creates a pairing code for an agent with the longest allowed name', async () => {
    const agentId = await createAgent(gateway, alice, 'L'.repeat(120));
    const result = await graphql<{ createPairingCode: { code: string } }>(
      gateway,
      'mutation($i: CreatePairingCodeInput!) { createPairingCode(input: $i) { code } }',
      { token: alice, variables: { i: { agentId } } },
    );
    expect(result.errors).toBeUndefined();
  });

  it('answers a malformed percent-escape in a REST path with 400', async () => {
    const result = await rest(gateway, 'POST', '/api/v1/agents/%E0%A4%A/tokens', { token: alice, body: { name: 'x' } });
    expect(result.status).toBe(400);
  });
});

describe('principal kinds', () => {
  it('keeps agent tokens out of Launcher operations and Launcher tokens out of agent ones', async () => {
    await setGrant(gateway, alice, aliceAgent, 'project-a', ['ISSUES_READ']);
    const { secret } = await createToken(gateway, alice, aliceAgent);
    // An agent cannot even send a Launcher document: agents run persisted operations only.
    const agentOnLauncher = await graphql(gateway, '{ agents { nodes { id } } }', { token: secret });
    expect(errorCode(agentOnLauncher)).toBe('PERSISTED_OPERATION_ONLY');
    expect(agentOnLauncher.status).toBe(403);
    const launcherOnAgent = await agentSession(gateway, alice);
    expect(errorCode(launcherOnAgent)).toBe('FORBIDDEN');
    const anonymous = await graphql(gateway, '{ me { userId } }');
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    expect(anonymous.status).toBe(401);
  });
});

describe('Launcher JWT verification', () => {
  const secret = () => new TextEncoder().encode(gateway.config.launcherJwt.hs256Secret!);
  const base = () =>
    new SignJWT({ email: 'alice@example.test', role: 'user' }).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setIssuedAt();

  const cases: [string, () => Promise<string>, string][] = [
    ['wrong audience', () => base().setAudience('someone-else').setExpirationTime('2m').sign(secret()), 'claim "aud"'],
    ['expired', () => base().setAudience(gateway.config.launcherJwt.audience).setExpirationTime(Math.floor(Date.now() / 1000) - 120).sign(secret()), 'expired'],
    ['too long-lived', () => base().setAudience(gateway.config.launcherJwt.audience).setExpirationTime('2h').sign(secret()), 'lives too long'],
    ['wrong key', () => base().setAudience(gateway.config.launcherJwt.audience).setExpirationTime('2m').sign(new TextEncoder().encode('x'.repeat(40))), 'signature'],
    ['bad role', () => new SignJWT({ email: 'a@example.test', role: 'owner' }).setProtectedHeader({ alg: 'HS256' }).setSubject('a').setAudience(gateway.config.launcherJwt.audience).setExpirationTime('2m').sign(secret()), 'role'],
    ['unsigned (alg none)', async () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'alice', email: 'a@example.test', role: 'admin', aud: gateway.config.launcherJwt.audience, exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url')}.`, 'algorithm'],
  ];

  for (const [name, mint, reason] of cases) {
    it(`refuses a ${name} token with UNAUTHENTICATED and says why`, async () => {
      const result = await graphql(gateway, '{ me { userId } }', { token: await mint() });
      expect(errorCode(result)).toBe('UNAUTHENTICATED');
      expect(result.errors![0]!.message).toContain(reason);
    });
  }

  it('accepts an EdDSA-signed token when a public key is configured', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const edGateway = await startTestGateway({ LAUNCHER_JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    try {
      const jwt = await new SignJWT({ email: 'ed@example.test', role: 'user' })
        .setProtectedHeader({ alg: 'EdDSA' })
        .setSubject('ed-user')
        .setAudience(edGateway.config.launcherJwt.audience)
        .setExpirationTime('2m')
        .sign(privateKey);
      const result = await graphql<{ me: { userId: string } }>(edGateway, '{ me { userId } }', { token: jwt });
      expect(result.data!.me.userId).toBe('ed-user');
    } finally {
      await edGateway.close();
    }
  });
});

describe('Launcher JWT time claims', () => {
  it('refuses a token whose iat lies in the future', async () => {
    const { SignJWT: Sign } = await import('jose');
    const now = Math.floor(Date.now() / 1000);
    const secret = gateway.config.launcherJwt.hs256Secret!;
    const early = await new Sign({ email: 'alice@example.test', role: 'user' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setAudience(gateway.config.launcherJwt.audience)
      .setIssuedAt(now + 3600)
      .setExpirationTime(now + 200)
      .sign(new TextEncoder().encode(secret));
    const result = await graphql(gateway, '{ me { userId } }', { token: early });
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
    expect(result.errors![0]!.message).toContain('"iat"');
  });
});
