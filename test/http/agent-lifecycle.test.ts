import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashAgentToken } from '../../src/auth/agent-token.js';
import { agentSession, createAgent, createToken, setGrant } from '../support/fixtures.js';
import { errorCode, graphql, rest, startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
let alice: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  alice = await gateway.launcherToken({ sub: 'alice', email: 'alice@example.test' });
});
afterAll(() => gateway.close());

describe('agent lifecycle over GraphQL', () => {
  it('creates an agent, grants a project, issues a token the agent can use, and refuses it once revoked', async () => {
    const agentId = await createAgent(gateway, alice, 'Alice Codex');
    await setGrant(gateway, alice, agentId, 'project-a', ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE']);
    const { secret, id: tokenId } = await createToken(gateway, alice, agentId);
    expect(secret).toMatch(/^ndcag_[0-9A-Za-z]{43}_[0-9A-Za-z]{6}$/);

    const session = await agentSession(gateway, secret);
    expect(session.errors).toBeUndefined();
    expect(session.data!.agentSession).toEqual({
      agent: { id: agentId, displayName: 'Alice Codex' },
      owner: { userId: 'alice', email: 'alice@example.test' },
      scopes: ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE'],
      grants: [{ projectId: 'project-a', scopes: ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE'] }],
    });

    const revoked = await graphql<{ revokeToken: { status: string } }>(
      gateway,
      'mutation($id: ID!) { revokeToken(id: $id) { status revokedAt } }',
      { token: alice, variables: { id: tokenId } },
    );
    expect(revoked.data!.revokeToken.status).toBe('revoked');

    const refused = await agentSession(gateway, secret);
    expect(errorCode(refused)).toBe('UNAUTHENTICATED');
    expect(refused.errors![0]!.message).toBe('the agent token has been revoked');
  });

  it('stores only the SHA-256 hash of a token, never the token', async () => {
    const agentId = await createAgent(gateway, alice);
    const { secret, id } = await createToken(gateway, alice, agentId);
    const row = await gateway.db.selectFrom('agent_tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashAgentToken(secret));
    expect(JSON.stringify(row)).not.toContain(secret);
    const audit = await gateway.db.selectFrom('audit_events').select('details').execute();
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it('never shows a token hash through the API', async () => {
    const agentId = await createAgent(gateway, alice);
    await createToken(gateway, alice, agentId);
    const agentType = await graphql<{ __type: { fields: { name: string }[] } }>(
      gateway,
      '{ __type(name: "AgentToken") { fields { name } } }',
      { token: alice },
    );
    expect(agentType.data!.__type.fields.map((field) => field.name)).not.toContain('tokenHash');
  });

  it('stops every token of a disabled agent at once, and lets them work again when enabled', async () => {
    const agentId = await createAgent(gateway, alice);
    await setGrant(gateway, alice, agentId, 'project-a', ['ISSUES_READ']);
    const { secret } = await createToken(gateway, alice, agentId);
    expect((await agentSession(gateway, secret)).errors).toBeUndefined();

    await graphql(gateway, 'mutation($id: ID!) { disableAgent(id: $id) { status } }', { token: alice, variables: { id: agentId } });
    const refused = await agentSession(gateway, secret);
    expect(errorCode(refused)).toBe('UNAUTHENTICATED');
    expect(refused.errors![0]!.message).toBe('the agent is disabled by its owner');

    const noNewTokens = await graphql(
      gateway,
      'mutation($input: CreateTokenInput!) { createToken(input: $input) { secret } }',
      { token: alice, variables: { input: { agentId, name: 'while disabled' } } },
    );
    expect(errorCode(noNewTokens)).toBe('CONFLICT');

    await graphql(gateway, 'mutation($id: ID!) { enableAgent(id: $id) { status } }', { token: alice, variables: { id: agentId } });
    expect((await agentSession(gateway, secret)).errors).toBeUndefined();
  });

  it('refuses a token past its expiry', async () => {
    const agentId = await createAgent(gateway, alice);
    const { secret } = await createToken(gateway, alice, agentId, { expiresInDays: 1 });
    gateway.clock.offsetMs = 2 * 86_400_000;
    try {
      const refused = await agentSession(gateway, secret);
      expect(errorCode(refused)).toBe('UNAUTHENTICATED');
      expect(refused.errors![0]!.message).toBe('the agent token has expired');
    } finally {
      gateway.clock.offsetMs = 0;
    }
  });

  it('refuses a token whose checksum is wrong before looking it up', async () => {
    const agentId = await createAgent(gateway, alice);
    const { secret } = await createToken(gateway, alice, agentId);
    const typo = `${secret.slice(0, 10)}${secret[10] === 'a' ? 'b' : 'a'}${secret.slice(11)}`;
    const refused = await agentSession(gateway, typo);
    expect(errorCode(refused)).toBe('UNAUTHENTICATED');
    expect(refused.errors![0]!.message).toContain('checksum');
  });

  it('does not let a token carry scopes beyond its agent’s grants', async () => {
    const agentId = await createAgent(gateway, alice);
    await setGrant(gateway, alice, agentId, 'project-a', ['ISSUES_READ']);
    const result = await graphql(
      gateway,
      'mutation($input: CreateTokenInput!) { createToken(input: $input) { secret } }',
      { token: alice, variables: { input: { agentId, name: 'greedy', scopes: ['ISSUES_READ', 'ISSUES_WRITE'] } } },
    );
    expect(errorCode(result)).toBe('FORBIDDEN');
    expect(result.errors![0]!.extensions.details).toMatchObject({ notGranted: ['issues:write'] });
  });

  it('lets a token without its own scope list follow the agent’s grants, and keeps a listed one narrow', async () => {
    const agentId = await createAgent(gateway, alice);
    const follower = await createToken(gateway, alice, agentId, { name: 'follows grants' });
    expect((await agentSession(gateway, follower.secret)).data!.agentSession.scopes).toEqual([]);
    await setGrant(gateway, alice, agentId, 'project-a', ['ISSUES_READ', 'ISSUES_WRITE']);
    const narrow = await createToken(gateway, alice, agentId, { name: 'read only', scopes: ['ISSUES_READ'] });
    await setGrant(gateway, alice, agentId, 'project-b', ['ISSUES_READ', 'COMMENTS_WRITE']);

    const followed = await agentSession(gateway, follower.secret);
    expect(followed.data!.agentSession.grants).toEqual([
      { projectId: 'project-a', scopes: ['ISSUES_READ', 'ISSUES_WRITE'] },
      { projectId: 'project-b', scopes: ['ISSUES_READ', 'COMMENTS_WRITE'] },
    ]);
    const narrowed = await agentSession(gateway, narrow.secret);
    expect(narrowed.data!.agentSession.grants).toEqual([
      { projectId: 'project-a', scopes: ['ISSUES_READ'] },
      { projectId: 'project-b', scopes: ['ISSUES_READ'] },
    ]);
    const tokens = await graphql<{ agent: { tokens: { name: string; scopes: string[] | null }[] } }>(
      gateway,
      'query($id: ID!) { agent(id: $id) { tokens { name scopes } } }',
      { token: alice, variables: { id: agentId } },
    );
    expect(tokens.data!.agent.tokens).toEqual([
      { name: 'read only', scopes: ['ISSUES_READ'] },
      { name: 'follows grants', scopes: null },
    ]);
  });

  it('narrows a session at once when a grant is removed', async () => {
    const agentId = await createAgent(gateway, alice);
    await setGrant(gateway, alice, agentId, 'project-a', ['ISSUES_READ']);
    await setGrant(gateway, alice, agentId, 'project-b', ['ISSUES_READ']);
    const { secret } = await createToken(gateway, alice, agentId);
    await graphql(gateway, 'mutation($a: ID!, $p: String!) { removeGrant(agentId: $a, projectId: $p) { projectId } }', {
      token: alice,
      variables: { a: agentId, p: 'project-b' },
    });
    const session = await agentSession(gateway, secret);
    expect(session.data!.agentSession.grants.map((grant) => grant.projectId)).toEqual(['project-a']);
  });

  it('renames and deletes an agent, keeping its audit history', async () => {
    const agentId = await createAgent(gateway, alice, 'Before');
    const renamed = await graphql<{ renameAgent: { displayName: string } }>(
      gateway,
      'mutation($id: ID!) { renameAgent(id: $id, displayName: "  After  ") { displayName } }',
      { token: alice, variables: { id: agentId } },
    );
    expect(renamed.data!.renameAgent.displayName).toBe('After');
    const deleted = await graphql(gateway, 'mutation($id: ID!) { deleteAgent(id: $id) { id } }', {
      token: alice,
      variables: { id: agentId },
    });
    expect(deleted.errors).toBeUndefined();
    const gone = await graphql(gateway, 'query($id: ID!) { agent(id: $id) { id } }', { token: alice, variables: { id: agentId } });
    expect(errorCode(gone)).toBe('NOT_FOUND');
    const history = await graphql<{ auditEvents: { nodes: { action: string }[] } }>(
      gateway,
      'query($a: String) { auditEvents(agentId: $a) { nodes { action } } }',
      { token: alice, variables: { a: null } },
    );
    const actions = history.data!.auditEvents.nodes.map((event) => event.action);
    expect(actions).toEqual(expect.arrayContaining(['agent.created', 'agent.renamed', 'agent.deleted']));
  });

  it('writes an audit event for each lifecycle action with actor, target, outcome and request id', async () => {
    const agentId = await createAgent(gateway, alice);
    await setGrant(gateway, alice, agentId, 'project-z', ['ISSUES_READ']);
    const { id: tokenId } = await createToken(gateway, alice, agentId);
    const result = await graphql<{ auditEvents: { nodes: Record<string, unknown>[] } }>(
      gateway,
      'query($a: String!) { auditEvents(agentId: $a) { nodes { action actorKind actorId targetType targetId outcome requestId } } }',
      { token: alice, variables: { a: agentId }, headers: { 'x-request-id': 'req-lifecycle-1' } },
    );
    expect(result.data!.auditEvents.nodes).toEqual([
      expect.objectContaining({ action: 'token.created', actorKind: 'launcher', actorId: 'alice', targetType: 'token', targetId: tokenId, outcome: 'succeeded' }),
      expect.objectContaining({ action: 'grant.created', targetType: 'project', targetId: 'project-z', outcome: 'succeeded' }),
      expect.objectContaining({ action: 'agent.created', targetType: 'agent', targetId: agentId, outcome: 'succeeded' }),
    ]);
    for (const event of result.data!.auditEvents.nodes) expect(event.requestId).toEqual(expect.any(String));
  });

  it('pages agents with a bounded page size', async () => {
    const bob = await gateway.launcherToken({ sub: 'bob-pager' });
    for (let i = 0; i < 3; i += 1) await createAgent(gateway, bob, `Pager ${i}`);
    const first = await graphql<{ agents: { nodes: { displayName: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(
      gateway,
      '{ agents(first: 2) { nodes { displayName } pageInfo { hasNextPage endCursor } } }',
      { token: bob },
    );
    expect(first.data!.agents.nodes.map((a) => a.displayName)).toEqual(['Pager 0', 'Pager 1']);
    expect(first.data!.agents.pageInfo.hasNextPage).toBe(true);
    const second = await graphql<{ agents: { nodes: { displayName: string }[]; pageInfo: { hasNextPage: boolean } } }>(
      gateway,
      'query($after: String) { agents(first: 2, after: $after) { nodes { displayName } pageInfo { hasNextPage } } }',
      { token: bob, variables: { after: first.data!.agents.pageInfo.endCursor } },
    );
    expect(second.data!.agents.nodes.map((a) => a.displayName)).toEqual(['Pager 2']);
    expect(second.data!.agents.pageInfo.hasNextPage).toBe(false);
    const tooMany = await graphql(gateway, '{ agents(first: 101) { nodes { id } } }', { token: bob });
    expect(errorCode(tooMany)).toBe('BAD_USER_INPUT');
  });
});

describe('legacy REST endpoints', () => {
  it('keeps the prototype flow working: create agent, create token, read the agent session', async () => {
    const created = await rest<{ id: string; display_name: string; owner_user_id: string }>(gateway, 'POST', '/api/v1/agents', {
      token: alice,
      body: { owner_user_id: 'alice', owner_email: 'alice@example.test', display_name: 'Local Codex' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ display_name: 'Local Codex', owner_user_id: 'alice', status: 'active' });

    const issued = await rest<{ token: string; name: string }>(gateway, 'POST', `/api/v1/agents/${created.body.id}/tokens`, {
      token: alice,
      body: { name: 'Local Codex token' },
    });
    expect(issued.status).toBe(201);
    expect(issued.body.token).toMatch(/^ndcag_/);

    const session = await rest(gateway, 'GET', '/api/v1/agent-session', { token: issued.body.token });
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({
      agent: { id: created.body.id, display_name: 'Local Codex' },
      owner: { user_id: 'alice', email: 'alice@example.test' },
      scopes: [],
      grants: [],
    });
  });

  it('serves GraphiQL to a browser at /graphql', async () => {
    const page = await fetch(`${gateway.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('GraphiQL');
  });

  it('answers health, readiness and capabilities', async () => {
    expect((await rest(gateway, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect(await rest(gateway, 'GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
    const capabilities = await rest<{ scopes: { name: string }[] }>(gateway, 'GET', '/api/v1/meta/capabilities');
    expect(capabilities.body.scopes.map((scope) => scope.name)).toContain('issues:write');
  });

  it('answers errors in the {"error":{"code","message"}} envelope with the right status', async () => {
    const anonymous = await rest(gateway, 'POST', '/api/v1/agents', { body: { owner_user_id: 'x', owner_email: 'x@example.test', display_name: 'x' } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');

    const otherOwner = await rest(gateway, 'POST', '/api/v1/agents', {
      token: alice,
      body: { owner_user_id: 'mallory', owner_email: 'mallory@example.test', display_name: 'Not mine' },
    });
    expect(otherOwner.status).toBe(403);
    expect(otherOwner.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const refusal = await gateway.db
      .selectFrom('audit_events')
      .select(['outcome', 'reason', 'actor_id'])
      .where('action', '=', 'launcher.POST /api/v1/agents')
      .executeTakeFirst();
    expect(refusal).toEqual({ outcome: 'denied', reason: expect.stringContaining('FORBIDDEN'), actor_id: 'alice' });

    const badJson = await rest(gateway, 'POST', '/api/v1/agents', { token: alice, rawBody: '{"owner_user_id":' });
    expect(badJson.status).toBe(400);
    expect(badJson.body).toMatchObject({ error: { code: 'BAD_USER_INPUT', message: 'the request body is not valid JSON' } });

    const extraField = await rest(gateway, 'POST', '/api/v1/agents', {
      token: alice,
      body: { owner_user_id: 'alice', owner_email: 'alice@example.test', display_name: 'x', role: 'admin' },
    });
    expect(extraField.status).toBe(400);
    expect(extraField.body).toMatchObject({ error: { code: 'BAD_USER_INPUT' } });

    const missingAgent = await rest(gateway, 'POST', '/api/v1/agents/00000000-0000-4000-8000-000000000000/tokens', {
      token: alice,
      body: { name: 'x' },
    });
    expect(missingAgent.status).toBe(404);
    expect(missingAgent.body).toMatchObject({ error: { code: 'NOT_FOUND' } });

    const notUuid = await rest(gateway, 'POST', '/api/v1/agents/not-a-uuid/tokens', { token: alice, body: { name: 'x' } });
    expect(notUuid.status).toBe(400);

    const huge = await rest(gateway, 'POST', '/graphql', { token: alice, rawBody: JSON.stringify({ query: `{ me { userId } } #${'x'.repeat(1_100_000)}` }) });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    // Chunked: no Content-Length to refuse on, so the limit holds while the body is read.
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 40) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const chunked = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);

    expect((await rest(gateway, 'GET', '/no/such/route')).status).toBe(404);
    expect((await rest(gateway, 'DELETE', '/healthz')).status).toBe(405);
  });
});
