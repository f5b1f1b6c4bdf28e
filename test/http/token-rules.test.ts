import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, setGrant } from '../support/fixtures.js';
import { errorCode, graphql, rest, startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * The rules a token is issued under, through both Launcher surfaces: its lifetime is capped, its
 * scopes and expiry are those asked for (REST fields included), a disabled agent gets no pairing
 * code, and a changed grant is audited as a change.
 */
let gateway: TestGateway;
let alice: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  alice = await gateway.launcherToken({ sub: 'alice' });
});
afterAll(() => gateway.close());

const DAY_MS = 86_400_000;
const CREATE_TOKEN = 'mutation($input: CreateTokenInput!) { createToken(input: $input) { token { id expiresAt } } }';

describe('token lifetime', () => {
  it('refuses a lifetime beyond the maximum, on GraphQL and REST, and issues nothing', async () => {
    const agentId = await createAgent(gateway, alice);
    const max = gateway.config.tokens.maxTtlDays;
    const tooLong = await graphql(gateway, CREATE_TOKEN, { token: alice, variables: { input: { agentId, name: 'long', expiresInDays: max + 1 } } });
    expect(errorCode(tooLong)).toBe('BAD_USER_INPUT');
    const overRest = await rest(gateway, 'POST', `/api/v1/agents/${agentId}/tokens`, { token: alice, body: { name: 'long', expires_in_days: max + 1 } });
    expect(overRest.status).toBe(400);
    expect(await gateway.db.selectFrom('agent_tokens').select('id').where('agent_id', '=', agentId).execute()).toEqual([]);
    const longest = await graphql<{ createToken: { token: { expiresAt: string } } }>(gateway, CREATE_TOKEN, {
      token: alice,
      variables: { input: { agentId, name: 'longest', expiresInDays: max } },
    });
    expect(longest.errors).toBeUndefined();
    expect(Date.parse(longest.data!.createToken.token.expiresAt) - Date.now()).toBeGreaterThan((max - 1) * DAY_MS);
  });
});

describe('REST token fields', () => {
  it('issues a token with the scopes and the lifetime asked for', async () => {
    const agentId = await createAgent(gateway, alice);
    await setGrant(gateway, alice, agentId, 'project-a', ['ISSUES_READ', 'ISSUES_WRITE']);
    const created = await rest<{ token: string; scopes: string[] | null; expires_at: string }>(gateway, 'POST', `/api/v1/agents/${agentId}/tokens`, {
      token: alice,
      body: { name: 'narrow', scopes: ['issues:read'], expires_in_days: 3 },
    });
    expect(created.status).toBe(201);
    expect(created.body.scopes).toEqual(['issues:read']);
    const lifetime = Date.parse(created.body.expires_at) - Date.now();
    expect(lifetime).toBeGreaterThan(2 * DAY_MS);
    expect(lifetime).toBeLessThanOrEqual(3 * DAY_MS);
    const stored = await gateway.db.selectFrom('agent_tokens').select(['scopes', 'expires_at']).where('agent_id', '=', agentId).executeTakeFirstOrThrow();
    expect(stored.scopes).toEqual(['issues:read']);
  });

  it('refuses REST scopes beyond the grants', async () => {
    const agentId = await createAgent(gateway, alice);
    await setGrant(gateway, alice, agentId, 'project-a', ['ISSUES_READ']);
    const refused = await rest(gateway, 'POST', `/api/v1/agents/${agentId}/tokens`, { token: alice, body: { name: 'wide', scopes: ['issues:write'] } });
    expect(refused.status).toBe(403);
  });
});

describe('pairing a disabled agent', () => {
  it('refuses a pairing code for a disabled agent with CONFLICT', async () => {
    const agentId = await createAgent(gateway, alice);
    await graphql(gateway, 'mutation($id: ID!) { disableAgent(id: $id) { id } }', { token: alice, variables: { id: agentId } });
    const refused = await graphql(gateway, 'mutation($input: CreatePairingCodeInput!) { createPairingCode(input: $input) { code } }', {
      token: alice,
      variables: { input: { agentId } },
    });
    expect(errorCode(refused)).toBe('CONFLICT');
    expect(await gateway.db.selectFrom('pairing_codes').select('selector').where('agent_id', '=', agentId).execute()).toEqual([]);
  });
});

describe('grant audit', () => {
  it('records a first grant as grant.created and a later change as grant.changed', async () => {
    const agentId = await createAgent(gateway, alice);
    await setGrant(gateway, alice, agentId, 'project-a', ['ISSUES_READ']);
    await setGrant(gateway, alice, agentId, 'project-a', ['ISSUES_READ', 'COMMENTS_WRITE']);
    const actions = await gateway.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', 'like', 'grant.%')
      .where('agent_id', '=', agentId)
      .orderBy('occurred_at')
      .execute();
    expect(actions.map((row) => row.action)).toEqual(['grant.created', 'grant.changed']);
  });
});
