import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/audit/audit-log.js';
import { createAgent, createToken } from '../support/fixtures.js';
import { graphql, rest, startTestGateway, type TestGateway } from '../support/gateway.js';
import { UNSAFE_SINGLE_LINE } from '../support/unsafe-text.js';

/**
 * Text people read later is stored clean, and text that is not text (NUL, a lone surrogate) is
 * refused at every edge as BAD_USER_INPUT, never a failed insert or a 500.
 */

/** JSON text with a lone surrogate escaped in it: JSON.stringify writes lone surrogates as \udxxx. */
const LONE_HIGH = '\ud800';
const LONE_LOW = '\udc00';

describe('text hygiene', () => {
  let gateway: TestGateway;
  let launcher: string;
  let agentId: string;
  let agentToken: string;

  beforeAll(async () => {
    gateway = await startTestGateway();
    launcher = await gateway.launcherToken({ sub: 'alice' });
    agentId = await createAgent(gateway, launcher, 'Clean Agent');
    agentToken = (await createToken(gateway, launcher, agentId)).secret;
  });
  afterAll(() => gateway.close());

  describe.each(UNSAFE_SINGLE_LINE)('a name holding %s', (_label, char) => {
    it('is refused as a display name over GraphQL, naming the field, and nothing is stored', async () => {
      const name = `Evil${char}Agent`;
      const created = await graphql(gateway, 'mutation($input: CreateAgentInput!) { createAgent(input: $input) { id } }', {
        token: launcher,
        variables: { input: { displayName: name } },
      });
      expect(created.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
      expect(created.errors?.[0]?.message).toContain('display name must not contain control or bidirectional-formatting characters');
      const renamed = await graphql(gateway, 'mutation($id: ID!, $name: String!) { renameAgent(id: $id, displayName: $name) { id } }', {
        token: launcher,
        variables: { id: agentId, name },
      });
      expect(renamed.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
      expect(renamed.errors?.[0]?.message).toContain('display name');
      const stored = await gateway.db.selectFrom('agents').select('display_name').execute();
      expect(stored.map((row) => row.display_name)).toEqual(['Clean Agent']);
    });

    it('is refused as a token name over GraphQL and REST', async () => {
      const viaGraphql = await graphql(gateway, 'mutation($input: CreateTokenInput!) { createToken(input: $input) { secret } }', {
        token: launcher,
        variables: { input: { agentId, name: `ci${char}token` } },
      });
      expect(viaGraphql.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
      expect(viaGraphql.errors?.[0]?.message).toContain('token name must not contain');
      const viaRest = await rest<{ error: { code: string; message: string } }>(gateway, 'POST', `/api/v1/agents/${agentId}/tokens`, {
        token: launcher,
        body: { name: `ci${char}token` },
      });
      expect(viaRest.status).toBe(400);
      expect(viaRest.body.error.code).toBe('BAD_USER_INPUT');
      expect(viaRest.body.error.message).toContain('token name must not contain');
    });

    it('is refused as a display name over REST', async () => {
      const answer = await rest<{ error: { code: string; message: string } }>(gateway, 'POST', '/api/v1/agents', {
        token: launcher,
        body: { owner_user_id: 'alice', owner_email: 'alice@example.test', display_name: `x${char}y` },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(answer.body.error.message).toContain('display name must not contain');
    });
  });

  it('refuses the token name an anonymous pairing exchanger chooses, before the code is spent', async () => {
    const code = await graphql<{ createPairingCode: { code: string } }>(
      gateway,
      'mutation($input: CreatePairingCodeInput!) { createPairingCode(input: $input) { code } }',
      { token: launcher, variables: { input: { agentId } } },
    );
    expect(code.errors).toBeUndefined();
    const exchange = (tokenName: string) =>
      graphql<{ exchangePairingCode: { secret: string } }>(
        gateway,
        'mutation($input: ExchangePairingCodeInput!) { exchangePairingCode(input: $input) { secret } }',
        { variables: { input: { code: code.data!.createPairingCode.code, tokenName } } },
      );
    const refused = await exchange('laptop\u202Egnp.exe');
    expect(refused.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.message).toContain('token name must not contain');
    // The refusal did not spend the code: the same code with a clean name still pairs.
    const paired = await exchange('laptop');
    expect(paired.errors).toBeUndefined();
    expect(paired.data?.exchangePairingCode.secret).toMatch(/^ndcag_/);
  });

  it('keeps clean names as they are: letters of every script, emoji, inner spaces', async () => {
    const name = 'Агент 東京 — ✓ 🤖 Ünïcødé';
    const id = await createAgent(gateway, launcher, name);
    const read = await graphql<{ agent: { displayName: string } }>(gateway, 'query($id: ID!) { agent(id: $id) { displayName } }', {
      token: launcher,
      variables: { id },
    });
    expect(read.data?.agent.displayName).toBe(name);
  });

  describe('a lone surrogate', () => {
    it.each([
      ['a high surrogate in a name', { input: { displayName: `a${LONE_HIGH}b` } }, 'input.displayName'],
      ['a low surrogate in a name', { input: { displayName: `a${LONE_LOW}` } }, 'input.displayName'],
      ['a surrogate in a property name', { input: { displayName: 'ok' }, [`x${LONE_HIGH}`]: 1 }, `x${LONE_HIGH}`],
    ])('in GraphQL variables (%s) is 400 BAD_USER_INPUT', async (_label, variables, path) => {
      const answer = await graphql(gateway, 'mutation($input: CreateAgentInput!) { createAgent(input: $input) { id } }', { token: launcher, variables });
      expect(answer.status).toBe(400);
      expect(answer.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
      expect(answer.errors?.[0]?.message).toContain('lone surrogate');
      expect(answer.errors?.[0]?.extensions.details).toEqual({ issues: [{ path: `variables.${path}`, message: expect.stringContaining('lone surrogate') }] });
    });

    it('in an ID variable, which goes straight to a lookup, is 400 too (not a failed query)', async () => {
      const answer = await graphql(gateway, 'query($id: ID!) { agent(id: $id) { id } }', { token: launcher, variables: { id: `${LONE_LOW}` } });
      expect(answer.status).toBe(400);
      expect(answer.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    });

    it('in an agent’s persisted-operation variables is 400 and audited under the agent', async () => {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${agentToken}` },
        body: JSON.stringify({ operationName: 'X', variables: { query: `q${LONE_HIGH}` }, extensions: { persistedQuery: { version: 1, sha256Hash: 'x' } } }),
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
      const events = await gateway.db
        .selectFrom('audit_events')
        .select(['action', 'outcome', 'reason'])
        .where('request_id', '=', response.headers.get('x-request-id')!)
        .execute();
      expect(events).toEqual([{ action: 'agent.graphql', outcome: 'failed', reason: expect.stringContaining('BAD_USER_INPUT') }]);
    });

    it('in a REST body, even in a field the route ignores, is 400 BAD_USER_INPUT', async () => {
      const answer = await rest<{ error: { code: string; message: string } }>(gateway, 'POST', '/api/v1/agents', {
        token: launcher,
        body: { owner_user_id: 'alice', owner_email: `alice${LONE_LOW}@example.test`, display_name: 'fine' },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('BAD_USER_INPUT');
      expect(answer.body.error.message).toBe(`Invalid input: owner_email: must be well-formed Unicode (a lone surrogate U+DC00 at position 5)`);
    });

    it('in MCP tool arguments is 400 with JSON-RPC -32602 and the gateway code', async () => {
      const response = await fetch(`${gateway.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${agentToken}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'search_issues', arguments: { query: `x${LONE_HIGH}` } } }),
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { id: number; error: { code: number; message: string; data: { code: string } } };
      expect(body.id).toBe(7);
      expect(body.error.code).toBe(-32602);
      expect(body.error.data.code).toBe('BAD_USER_INPUT');
      expect(body.error.message).toContain('params.arguments.query');
    });

    it('whereas a well-formed surrogate pair (an emoji) is text like any other', async () => {
      const answer = await graphql(gateway, 'mutation($input: CreateAgentInput!) { createAgent(input: $input) { displayName } }', {
        token: launcher,
        variables: { input: { displayName: 'robot \ud83e\udd16' } },
      });
      expect(answer.errors).toBeUndefined();
    });
  });

  it('neutralises control characters, bidi overrides, NUL and lone surrogates in the audit log instead of refusing the record', async () => {
    const requestId = crypto.randomUUID();
    await recordAudit(gateway.db, { kind: 'anonymous' }, { requestId, clientAddress: null }, {
      action: 'test.neutralised',
      outcome: 'failed',
      agentId,
      ownerUserId: 'alice',
      reason: 'Tasker said:\r\n\u001b[2Jrm -rf\u0007 \u202Eevil\u0000',
      details: { echoed: `line1\nline2\u009b${LONE_HIGH}`, [`key\u001b`]: 'v' },
    });
    const read = await graphql<{ auditEvents: { nodes: { requestId: string; reason: string; details: Record<string, string> }[] } }>(
      gateway,
      'query($agentId: String) { auditEvents(agentId: $agentId, first: 50) { nodes { requestId reason details } } }',
      { token: launcher, variables: { agentId } },
    );
    const event = read.data?.auditEvents.nodes.find((node) => node.requestId === requestId);
    expect(event?.reason).toBe('Tasker said:\\u000D\\u000A\\u001B[2Jrm -rf\\u0007 \\u202Eevil\\u0000');
    expect(event?.details).toEqual({ echoed: 'line1\\u000Aline2\\u009B\\uD800', 'key\\u001B': 'v' });
  });
});
