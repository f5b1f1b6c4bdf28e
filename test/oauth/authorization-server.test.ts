import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql, runOperation, startTestGateway } from '../support/gateway.js';
import { approve, authorizeRequest, type AuthorizeParams, handleFrom, type MetadataHost, type OAuthStack, pkcePair, REDIRECT_URI, startOAuthStack, tokenRequest } from '../support/oauth.js';
import { DEMO, type TestStack } from '../support/stack.js';

/**
 * The authorization server refusing every parameter it must refuse, and the consent rules (expiry,
 * replay, denial), through HTTP and the Launcher mutations, each refusal audited.
 */
let oauth: OAuthStack;
let stack: TestStack;
let host: MetadataHost;
let clientId: string;
let resource: string;

beforeAll(async () => {
  oauth = await startOAuthStack({ path: '/client.json', document: (id) => ({ client_id: id, client_name: 'Negative client', redirect_uris: [REDIRECT_URI] }) });
  ({ stack, host, clientId } = oauth);
  resource = `${stack.gateway.url}/mcp`;
});
afterAll(() => oauth?.close());

const good = (overrides: Partial<AuthorizeParams> = {}) => {
  const pkce = pkcePair();
  return {
    pkce,
    params: {
      client_id: clientId,
      redirect_uri: 'http://127.0.0.1:51000/callback',
      response_type: 'code',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      resource,
      scope: 'issues:read',
      state: 's1',
      ...overrides,
    } satisfies AuthorizeParams,
  };
};

/** Authorization as far as a code: consent approved for a new agent with issues:read on DEMO. */
async function codeFor(overrides: Partial<AuthorizeParams> = {}) {
  const { pkce, params } = good(overrides);
  const handle = handleFrom(await authorizeRequest(stack.gateway.url, params));
  const redirect = await approve(stack.gateway, stack.owner, { request: handle, newAgentName: 'Negative agent', grants: [{ projectId: DEMO.id, scopes: ['ISSUES_READ'] }] });
  return { code: redirect.searchParams.get('code')!, redirect, pkce, params };
}

const exchange = (code: string, verifier: string, extra: Record<string, string | undefined> = {}) =>
  tokenRequest(stack.gateway.url, { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId, redirect_uri: 'http://127.0.0.1:51000/callback', resource, ...extra });

function clientError(response: Response) {
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location')!);
  expect(location.origin + location.pathname).toBe('http://127.0.0.1:51000/callback');
  expect(location.searchParams.get('iss')).toBe(stack.gateway.url);
  expect(location.searchParams.get('state')).toBe('s1');
  return location.searchParams.get('error');
}

describe('the authorization endpoint', () => {
  it('refuses an unregistered redirect URI in the browser, never redirecting to it', async () => {
    const response = await authorizeRequest(stack.gateway.url, good({ redirect_uri: 'https://evil.example/callback' }).params);
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('has not registered');
  });

  it('refuses an unknown client in the browser', async () => {
    const response = await authorizeRequest(stack.gateway.url, good({ client_id: 'no-such-client' }).params);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Unknown application');
  });

  it('accepts a loopback redirect URI on any port (RFC 8252), and sends the browser to the consent screen', async () => {
    const response = await authorizeRequest(stack.gateway.url, good().params);
    expect(new URL(response.headers.get('location')!).pathname).toBe('/oauth/consent');
  });

  it('requires PKCE, and S256 only', async () => {
    expect(clientError(await authorizeRequest(stack.gateway.url, good({ code_challenge: undefined }).params))).toBe('invalid_request');
    expect(clientError(await authorizeRequest(stack.gateway.url, good({ code_challenge_method: 'plain' }).params))).toBe('invalid_request');
    expect(clientError(await authorizeRequest(stack.gateway.url, good({ code_challenge_method: undefined }).params))).toBe('invalid_request');
  });

  it('requires the resource parameter, naming this MCP endpoint', async () => {
    expect(clientError(await authorizeRequest(stack.gateway.url, good({ resource: undefined }).params))).toBe('invalid_target');
    expect(clientError(await authorizeRequest(stack.gateway.url, good({ resource: 'https://other.example/mcp' }).params))).toBe('invalid_target');
  });

  it('refuses other response types and unknown scopes', async () => {
    expect(clientError(await authorizeRequest(stack.gateway.url, good({ response_type: 'token' }).params))).toBe('unsupported_response_type');
    expect(clientError(await authorizeRequest(stack.gateway.url, good({ scope: 'issues:read admin' }).params))).toBe('invalid_scope');
  });
});

describe('consent in the Launcher', () => {
  it('shows the client, its redirect host and the requested scopes', async () => {
    const handle = handleFrom(await authorizeRequest(stack.gateway.url, good({ scope: 'issues:read issues:write' }).params));
    const result = await graphql<{ oauthConsentRequest: Record<string, unknown> }>(
      stack.gateway,
      'query($r: String!) { oauthConsentRequest(request: $r) { clientId clientName redirectHost requestedScopes } }',
      { token: stack.owner, variables: { r: handle } },
    );
    expect(result.data?.oauthConsentRequest).toEqual({ clientId, clientName: 'Negative client', redirectHost: '127.0.0.1:51000', requestedScopes: ['ISSUES_READ', 'ISSUES_WRITE'] });
  });

  it('sends a denial back to the client as access_denied, and audits it', async () => {
    const handle = handleFrom(await authorizeRequest(stack.gateway.url, good().params));
    const result = await graphql<{ denyOAuthRequest: { redirectUrl: string } }>(stack.gateway, 'mutation($r: String!) { denyOAuthRequest(request: $r) { redirectUrl } }', {
      token: stack.owner,
      variables: { r: handle },
    });
    const back = new URL(result.data!.denyOAuthRequest.redirectUrl);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('iss')).toBe(stack.gateway.url);
    const again = await graphql(stack.gateway, 'mutation($r: String!) { denyOAuthRequest(request: $r) { redirectUrl } }', { token: stack.owner, variables: { r: handle } });
    expect(again.errors?.[0]?.extensions.code).toBe('CONFLICT');
  });

  it('refuses a replayed or an expired request, audited', async () => {
    const { redirect, params } = await codeFor();
    expect(redirect.searchParams.get('code')).toMatch(/^ndcac_/);
    const handle = handleFrom(await authorizeRequest(stack.gateway.url, params));
    await approve(stack.gateway, stack.owner, { request: handle, newAgentName: 'Once', grants: [{ projectId: DEMO.id, scopes: ['ISSUES_READ'] }] });
    const replay = await graphql(stack.gateway, 'mutation($i: ApproveOAuthRequestInput!) { approveOAuthRequest(input: $i) { redirectUrl } }', {
      token: stack.owner,
      variables: { i: { request: handle, newAgentName: 'Twice', grants: [{ projectId: DEMO.id, scopes: ['ISSUES_READ'] }] } },
    });
    expect(replay.errors?.[0]?.extensions.code).toBe('CONFLICT');

    const stale = handleFrom(await authorizeRequest(stack.gateway.url, params));
    // Ten minutes pass (the Launcher JWT would not survive a moved clock, so the request is aged instead).
    await stack.gateway.db.updateTable('oauth_authorization_requests').set({ expires_at: new Date(Date.now() - 1000) }).where('status', '=', 'pending').execute();
    const expired = await graphql(stack.gateway, 'mutation($i: ApproveOAuthRequestInput!) { approveOAuthRequest(input: $i) { redirectUrl } }', {
      token: stack.owner,
      variables: { i: { request: stale, newAgentName: 'Late', grants: [{ projectId: DEMO.id, scopes: ['ISSUES_READ'] }] } },
    });
    expect(expired.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT' }, message: expect.stringContaining('expired') });
    const refusals = await stack.gateway.db.selectFrom('audit_events').select('reason').where('action', '=', 'oauth.consent').where('outcome', '=', 'denied').execute();
    expect(refusals.map((row) => row.reason)).toEqual(expect.arrayContaining(['CONFLICT: authorization request already approved', 'CONFLICT: authorization request expired']));
  });

  it('refuses scopes the application did not ask for', async () => {
    const handle = handleFrom(await authorizeRequest(stack.gateway.url, good().params));
    const result = await graphql(stack.gateway, 'mutation($i: ApproveOAuthRequestInput!) { approveOAuthRequest(input: $i) { redirectUrl } }', {
      token: stack.owner,
      variables: { i: { request: handle, newAgentName: 'Greedy', grants: [{ projectId: DEMO.id, scopes: ['ISSUES_WRITE'] }] } },
    });
    expect(result.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('the token endpoint', () => {
  it('issues an agent token bound to /mcp: refused at /graphql', async () => {
    const { code, pkce } = await codeFor();
    const issued = await exchange(code, pkce.verifier);
    expect(issued).toMatchObject({ status: 200, body: { token_type: 'Bearer', expires_in: 3600, scope: 'issues:read' } });
    const elsewhere = await runOperation(stack.gateway, 'GetAgentSession', { token: issued.body.access_token });
    expect(elsewhere.status).toBe(401);
    const stored = await stack.gateway.db.selectFrom('agent_tokens').select(['created_via', 'resource', 'scopes']).where('created_via', '=', 'oauth').execute();
    expect(stored.length).toBeGreaterThan(0);
    expect(stored[0]).toMatchObject({ resource, scopes: ['issues:read'] });
  });

  it('refuses a wrong PKCE verifier, a wrong redirect URI, another client and a wrong resource', async () => {
    for (const [extra, error] of [
      [{ code_verifier: pkcePair().verifier }, 'invalid_grant'],
      [{ redirect_uri: 'http://127.0.0.1:51001/callback' }, 'invalid_grant'],
      [{ client_id: 'someone-else' }, 'invalid_grant'],
      [{ resource: 'https://other.example/mcp' }, 'invalid_target'],
    ] as const) {
      const { code, pkce } = await codeFor();
      expect(await exchange(code, pkce.verifier, extra)).toMatchObject({ status: 400, body: { error } });
    }
  });

  it('refuses an expired code', async () => {
    const { code, pkce } = await codeFor();
    stack.gateway.clock.offsetMs = 3 * 60_000;
    try {
      expect(await exchange(code, pkce.verifier)).toMatchObject({ status: 400, body: { error: 'invalid_grant', error_description: expect.stringContaining('expired') } });
    } finally {
      stack.gateway.clock.offsetMs = 0;
    }
  });

  it('refuses a code used twice, and revokes what the first use issued', async () => {
    const { code, pkce } = await codeFor();
    const first = await exchange(code, pkce.verifier);
    expect(first.status).toBe(200);
    expect(await exchange(code, pkce.verifier)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const call = await fetch(resource, { method: 'POST', headers: { authorization: `Bearer ${first.body.access_token}`, 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
    expect(call.status).toBe(401);
    expect(await tokenRequest(stack.gateway.url, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token, client_id: clientId })).toMatchObject({ status: 400 });
  });

  it('answers a call needing a scope the token lacks with 403 insufficient_scope', async () => {
    const { code, pkce } = await codeFor();
    const { body } = await exchange(code, pkce.verifier);
    const response = await fetch(resource, {
      method: 'POST',
      headers: { authorization: `Bearer ${body.access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'create_issue', arguments: { input: { projectId: DEMO.id, title: 'x' } } } }),
    });
    expect(response.status).toBe(403);
    const challenge = response.headers.get('www-authenticate')!;
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="issues:write"');
    expect(challenge).toContain('resource_metadata=');
  });
});

describe('client registration', () => {
  it('has no dynamic registration unless enabled, and registers public clients when it is', async () => {
    const off = await fetch(`${stack.gateway.url}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: [REDIRECT_URI] }) });
    expect(off.status).toBe(404);
    const gateway = await startTestGateway({ OAUTH_DYNAMIC_CLIENT_REGISTRATION: 'true' });
    try {
      const registered = await fetch(`${gateway.url}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_name: 'Legacy client', redirect_uris: [REDIRECT_URI] }) });
      expect(registered.status).toBe(201);
      const body = (await registered.json()) as { client_id: string };
      const metadata = (await (await fetch(`${gateway.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
      expect(metadata.registration_endpoint).toBe(`${gateway.url}/oauth/register`);
      const authorize = await authorizeRequest(gateway.url, { ...good().params, client_id: body.client_id, resource: `${gateway.url}/mcp` });
      expect(authorize.status).toBe(302);
    } finally {
      await gateway.close();
    }
  });

  it('does not fetch a metadata document from a private address unless allowed', async () => {
    const gateway = await startTestGateway({ OAUTH_CLIENT_METADATA_CA_FILE: host.caFile });
    try {
      const response = await authorizeRequest(gateway.url, { ...good().params, resource: `${gateway.url}/mcp` });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('non-public address');
    } finally {
      await gateway.close();
    }
  });
});
