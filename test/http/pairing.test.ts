import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentSession, createAgent, setGrant } from '../support/fixtures.js';
import { errorCode, graphql, startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
let alice: string;

const CREATE = 'mutation($input: CreatePairingCodeInput!) { createPairingCode(input: $input) { code expiresAt scopes agent { id } } }';
const EXCHANGE =
  'mutation($code: String!) { exchangePairingCode(input: { code: $code }) { secret agent { id displayName } owner { userId email } grants { projectId } token { createdVia } } }';

type Exchange = {
  exchangePairingCode: {
    secret: string;
    agent: { id: string; displayName: string };
    owner: { userId: string; email: string };
    grants: { projectId: string }[];
    token: { createdVia: string };
  };
};

// Each test exchanges from its own client address so the per-address rate limit stays out of the way.
let nextClient = 1;
// Limits count client networks (IPv4 /24), so each new client comes from a network of its own.
const fromNewClient = () => ({ 'x-forwarded-for': `198.51.${nextClient++}.7` });

beforeAll(async () => {
  gateway = await startTestGateway({ TRUST_PROXY: 'true', PAIRING_EXCHANGE_RATE_LIMIT_PER_MINUTE: '20' });
  alice = await gateway.launcherToken({ sub: 'alice', email: 'alice@example.test' });
});
afterAll(() => gateway.close());

async function newCode(agentId: string): Promise<string> {
  const created = await graphql<{ createPairingCode: { code: string } }>(gateway, CREATE, {
    token: alice,
    variables: { input: { agentId } },
  });
  expect(created.errors).toBeUndefined();
  return created.data!.createPairingCode.code;
}

describe('pairing codes', () => {
  it('issues an RFC 8628-style code that can be exchanged once, naming the agent and its owner', async () => {
    const agentId = await createAgent(gateway, alice, 'Laptop Codex');
    await setGrant(gateway, alice, agentId, 'project-a', ['ISSUES_READ']);
    const code = await newCode(agentId);
    expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);

    const client = fromNewClient();
    // Lower case and without the dash: both are accepted.
    const exchanged = await graphql<Exchange>(gateway, EXCHANGE, {
      variables: { code: code.replace('-', '').toLowerCase() },
      headers: client,
    });
    expect(exchanged.errors).toBeUndefined();
    expect(exchanged.data!.exchangePairingCode).toMatchObject({
      agent: { id: agentId, displayName: 'Laptop Codex' },
      owner: { userId: 'alice', email: 'alice@example.test' },
      grants: [{ projectId: 'project-a' }],
      token: { createdVia: 'pairing' },
    });
    const session = await agentSession(gateway, exchanged.data!.exchangePairingCode.secret);
    expect(session.errors).toBeUndefined();

    const again = await graphql(gateway, EXCHANGE, { variables: { code }, headers: client });
    expect(errorCode(again)).toBe('CONFLICT');
    expect(again.errors![0]!.message).toContain('already used');
  });

  it('answers with what the token can do when the code limits its scopes', async () => {
    const agentId = await createAgent(gateway, alice);
    await setGrant(gateway, alice, agentId, 'project-a', ['ISSUES_READ', 'ISSUES_WRITE']);
    await setGrant(gateway, alice, agentId, 'project-b', ['COMMENTS_WRITE']);
    const created = await graphql<{ createPairingCode: { code: string } }>(gateway, CREATE, {
      token: alice,
      variables: { input: { agentId, scopes: ['ISSUES_READ'] } },
    });
    const exchanged = await graphql<Exchange & { exchangePairingCode: { grants: { projectId: string; scopes: string[] }[] } }>(
      gateway,
      'mutation($code: String!) { exchangePairingCode(input: { code: $code }) { grants { projectId scopes } } }',
      { variables: { code: created.data!.createPairingCode.code }, headers: fromNewClient() },
    );
    expect(exchanged.data!.exchangePairingCode.grants).toEqual([{ projectId: 'project-a', scopes: ['ISSUES_READ'] }]);
  });

  it('refuses, records and keeps the code when the agent is disabled at exchange time', async () => {
    const agentId = await createAgent(gateway, alice);
    const code = await newCode(agentId);
    await graphql(gateway, 'mutation($id: ID!) { disableAgent(id: $id) { id } }', { token: alice, variables: { id: agentId } });
    const client = fromNewClient();
    const refused = await graphql(gateway, EXCHANGE, { variables: { code }, headers: client });
    expect(errorCode(refused)).toBe('CONFLICT');
    const events = await gateway.db
      .selectFrom('audit_events')
      .select(['outcome', 'owner_user_id'])
      .where('agent_id', '=', agentId)
      .where('action', '=', 'pairing_code.exchange_refused')
      .execute();
    expect(events).toEqual([{ outcome: 'denied', owner_user_id: 'alice' }]);
    expect(await gateway.db.selectFrom('agent_tokens').select('id').where('agent_id', '=', agentId).execute()).toEqual([]);
  });

  it('keeps a pairing code out of the logs, even written inline in the document', async () => {
    const logLines: string[] = [];
    const logged = await startTestGateway({}, { logLines });
    try {
      const result = await graphql(logged, 'mutation { exchangePairingCode(input: { code: "QWRT-ZXCV" }) { secret } }');
      expect(errorCode(result)).toBe('NOT_FOUND');
      expect(logLines.join('\n')).not.toMatch(/QWRT|ZXCV/);
      expect(logLines.filter((line) => line.includes('"level":"error"'))).toEqual([]);
    } finally {
      await logged.close();
    }
  });

  it('stores the code only as a hash', async () => {
    const agentId = await createAgent(gateway, alice);
    const code = await newCode(agentId);
    const rows = await gateway.db.selectFrom('pairing_codes').selectAll().where('agent_id', '=', agentId).execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(code.replace('-', ''));
  });

  it('locks a code after five failed tries, even for the right code afterwards', async () => {
    const agentId = await createAgent(gateway, alice);
    const code = await newCode(agentId);
    const letters = code.replace('-', '');
    const client = fromNewClient();
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      // Same first half (it names the pending code), wrong second half.
      let wrong = letters.slice(0, 4);
      for (let i = 0; i < 4; i += 1) wrong += letters[4 + i] === 'B' ? 'C' : 'B';
      if (wrong === letters) wrong = `${letters.slice(0, 4)}ZZZZ`;
      const refused = await graphql(gateway, EXCHANGE, { variables: { code: wrong }, headers: client });
      expect(errorCode(refused)).toBe('NOT_FOUND');
    }
    const row = await gateway.db.selectFrom('pairing_codes').selectAll().where('agent_id', '=', agentId).executeTakeFirstOrThrow();
    expect(row.failed_attempts).toBe(5);
    expect(row.locked_at).not.toBeNull();

    const locked = await graphql(gateway, EXCHANGE, { variables: { code }, headers: client });
    expect(errorCode(locked)).toBe('FORBIDDEN');
    expect(locked.errors![0]!.message).toContain('locked');

    const audit = await gateway.db
      .selectFrom('audit_events')
      .select(['action', 'outcome', 'owner_user_id'])
      .where('agent_id', '=', agentId)
      .where('action', '=', 'pairing_code.exchange_refused')
      .execute();
    expect(audit).toHaveLength(6);
    // Filed under the owner, so the owner sees the attempts on the code in the agent's history.
    expect(audit.every((event) => event.outcome === 'denied' && event.owner_user_id === 'alice')).toBe(true);
  });

  it('refuses an expired code', async () => {
    const agentId = await createAgent(gateway, alice);
    const code = await newCode(agentId);
    gateway.clock.offsetMs = 11 * 60_000;
    try {
      const refused = await graphql(gateway, EXCHANGE, { variables: { code }, headers: fromNewClient() });
      expect(errorCode(refused)).toBe('NOT_FOUND');
      expect(refused.errors![0]!.message).toContain('expired');
    } finally {
      gateway.clock.offsetMs = 0;
    }
  });

  it('refuses malformed codes with BAD_USER_INPUT, naming what a code looks like', async () => {
    const client = fromNewClient();
    for (const code of ['ABCD-EFGH', 'BCDF-GHJ', '1234-5678', 'BCDF-GHJKL']) {
      const refused = await graphql(gateway, EXCHANGE, { variables: { code }, headers: client });
      expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    }
  });

  it('rate-limits exchanges per client address', async () => {
    const client = fromNewClient();
    const codes: string[] = [];
    for (let i = 0; i < 21; i += 1) {
      const refused = await graphql(gateway, EXCHANGE, { variables: { code: 'BBBB-BBBB' }, headers: client });
      codes.push(errorCode(refused)!);
    }
    expect(codes.slice(0, 20).every((code) => code === 'NOT_FOUND')).toBe(true);
    expect(codes[20]).toBe('RATE_LIMITED');
    // Another address is not affected.
    const other = await graphql(gateway, EXCHANGE, { variables: { code: 'BBBB-BBBB' }, headers: fromNewClient() });
    expect(errorCode(other)).toBe('NOT_FOUND');
  });

  it('only lets the owner create a pairing code for an agent', async () => {
    const agentId = await createAgent(gateway, alice);
    const mallory = await gateway.launcherToken({ sub: 'mallory' });
    const refused = await graphql(gateway, CREATE, { token: mallory, variables: { input: { agentId } } });
    expect(errorCode(refused)).toBe('FORBIDDEN');
    const anonymous = await graphql(gateway, CREATE, { variables: { input: { agentId } } });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
  });
});
