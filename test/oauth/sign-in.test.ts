import { Client, type OAuthClientProvider, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../support/gateway.js';
import { MODERN_REVISION } from '../support/mcp-client.js';
import { approve, handleFrom, type OAuthStack, REDIRECT_URI, startOAuthStack, tokenRequest } from '../support/oauth.js';
import { DEMO, type TestStack } from '../support/stack.js';

/**
 * The whole sign-in of a remote MCP client, with the 2.x SDK client's own OAuth support: discovery
 * from the 401, a client identified by its metadata document (served on loopback HTTPS), PKCE,
 * consent approved through the Launcher mutation, code exchange, tool calls, refresh with
 * rotation, refresh-token reuse revoking the family, and revocation by the owner.
 */
type StoredTokens = Awaited<ReturnType<OAuthClientProvider['tokens']>>;

class TestProvider implements OAuthClientProvider {
  readonly redirectUrl = 'http://127.0.0.1:47123/callback';
  authorizationUrl: URL | undefined;
  private stored: StoredTokens;
  private verifier = '';
  private info: Awaited<ReturnType<OAuthClientProvider['clientInformation']>>;
  readonly saved: NonNullable<StoredTokens>[] = [];

  constructor(readonly clientMetadataUrl: string) {}

  get clientMetadata() {
    return { client_name: 'E2E MCP client', redirect_uris: [this.redirectUrl], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] };
  }
  state() {
    return 'e2e-state';
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: NonNullable<Awaited<ReturnType<OAuthClientProvider['clientInformation']>>>) {
    this.info = info;
  }
  tokens() {
    return this.stored;
  }
  saveTokens(tokens: NonNullable<StoredTokens>) {
    this.stored = tokens;
    this.saved.push(tokens);
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

let oauth: OAuthStack;
let stack: TestStack;
let clientId: string;

beforeAll(async () => {
  oauth = await startOAuthStack({ path: '/e2e-client.json', document: (id) => ({
    client_id: id,
    client_name: 'E2E MCP client',
    client_uri: 'https://client.example.test',
    logo_uri: 'https://client.example.test/logo.png',
    redirect_uris: [REDIRECT_URI],
    token_endpoint_auth_method: 'none',
  }) });
  ({ stack, clientId } = oauth);
});
afterAll(() => oauth?.close());

const mcpUrl = () => new URL('/mcp', stack.gateway.url);

async function connect(provider: TestProvider): Promise<Client> {
  const client = new Client({ name: 'e2e-oauth', version: '1.0.0' }, { versionNegotiation: { mode: { pin: MODERN_REVISION } } });
  await client.connect(new StreamableHTTPClientTransport(mcpUrl(), { authProvider: provider }));
  return client;
}

/** Runs the sign-in up to the tokens: the SDK discovers and redirects, the Launcher approves, the SDK redeems. */
async function signIn(provider: TestProvider, agentName: string): Promise<{ redirect: URL }> {
  const transport = new StreamableHTTPClientTransport(mcpUrl(), { authProvider: provider });
  const client = new Client({ name: 'e2e-oauth', version: '1.0.0' }, { versionNegotiation: { mode: { pin: MODERN_REVISION } } });
  await expect(client.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
  const authorization = provider.authorizationUrl!;
  expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorization.searchParams.get('client_id')).toBe(clientId);
  expect(authorization.searchParams.get('resource')).toBe(mcpUrl().href);
  const handle = handleFrom(await fetch(authorization, { redirect: 'manual' }));
  const redirect = await approve(stack.gateway, stack.owner, {
    request: handle,
    newAgentName: agentName,
    grants: [{ projectId: DEMO.id, scopes: ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE'] }],
  });
  expect(redirect.searchParams.get('state')).toBe('e2e-state');
  await transport.finishAuth(redirect.searchParams);
  return { redirect };
}

describe('OAuth sign-in of a remote MCP client (2.x SDK client)', () => {
  it('announces the resource metadata and scopes on the 401', async () => {
    const response = await fetch(mcpUrl(), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate')!;
    expect(challenge).toContain(`resource_metadata="${stack.gateway.url}/.well-known/oauth-protected-resource/mcp"`);
    expect(challenge).toMatch(/scope="[^"]*issues:read/);
    const metadata = (await (await fetch(`${stack.gateway.url}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ resource: mcpUrl().href, authorization_servers: [stack.gateway.url] });
    const server = (await (await fetch(`${stack.gateway.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(server).toMatchObject({
      issuer: stack.gateway.url,
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      client_id_metadata_document_supported: true,
    });
    expect(server).not.toHaveProperty('registration_endpoint');
  });

  it('signs in, calls tools, rotates the refresh token, and revokes the family when a spent refresh token returns', async () => {
    const provider = new TestProvider(clientId);
    const { redirect } = await signIn(provider, 'Remote client agent');
    expect(redirect.searchParams.get('iss')).toBe(stack.gateway.url);
    const first = provider.saved.at(-1)!;
    expect(first.access_token).toMatch(/^ndcag_/);
    expect(first.refresh_token).toMatch(/^ndcrt_/);

    const client = await connect(provider);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['list_issues', 'create_issue']));
      expect(tools.map((tool) => tool.name)).not.toContain('add_comment');
      const listed = await client.callTool({ name: 'list_issues', arguments: { projectId: DEMO.id, first: 1 } });
      expect(listed.isError).toBeFalsy();

      // An hour later the access token has expired: the SDK refreshes, and the refresh token rotates.
      stack.gateway.clock.offsetMs = 3_601_000;
      const created = await client.callTool({ name: 'create_issue', arguments: { input: { projectId: DEMO.id, title: 'Signed in by OAuth' } } });
      expect(created.isError, JSON.stringify(created)).toBeFalsy();
      const second = provider.saved.at(-1)!;
      expect(second.refresh_token).not.toBe(first.refresh_token);
      expect(second.access_token).not.toBe(first.access_token);

      // The spent refresh token comes back (a copy): refused, and every token of the sign-in with it.
      const replay = await tokenRequest(stack.gateway.url, { grant_type: 'refresh_token', refresh_token: first.refresh_token!, client_id: clientId });
      expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      const current = await tokenRequest(stack.gateway.url, { grant_type: 'refresh_token', refresh_token: second.refresh_token!, client_id: clientId });
      expect(current).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      const direct = await fetch(mcpUrl(), { method: 'POST', headers: { authorization: `Bearer ${second.access_token}`, 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
      expect(direct.status).toBe(401);
      const audit = await stack.gateway.db.selectFrom('audit_events').select(['action', 'outcome', 'reason']).where('action', '=', 'oauth.token').where('outcome', '=', 'denied').execute();
      expect(audit.map((row) => row.reason)).toContain('refresh token reused: family revoked');
    } finally {
      stack.gateway.clock.offsetMs = 0;
      await client.close().catch(() => {});
    }
  });

  it('lists the connected client under its agent, and the owner’s revocation ends it on the next call', async () => {
    const provider = new TestProvider(clientId);
    await signIn(provider, 'Revocable client agent');
    const client = await connect(provider);
    try {
      expect((await client.callTool({ name: 'get_agent_session', arguments: {} })).isError).toBeFalsy();
      const agents = await graphql<{ agents: { nodes: { id: string; displayName: string }[] } }>(stack.gateway, '{ agents(first: 50) { nodes { id displayName } } }', { token: stack.owner });
      const agentId = agents.data!.agents.nodes.find((agent) => agent.displayName === 'Revocable client agent')!.id;
      const connections = await graphql<{ oauthConnections: { id: string; clientName: string; clientId: string; scopes: string[]; revokedAt: string | null }[] }>(
        stack.gateway,
        'query($a: ID!) { oauthConnections(agentId: $a) { id clientName clientId scopes revokedAt } }',
        { token: stack.owner, variables: { a: agentId } },
      );
      expect(connections.data!.oauthConnections).toEqual([
        { id: expect.any(String), clientName: 'E2E MCP client', clientId, scopes: ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE'], revokedAt: null },
      ]);
      const revoked = await graphql(stack.gateway, 'mutation($id: ID!) { revokeOAuthConnection(id: $id) { revokedAt } }', {
        token: stack.owner,
        variables: { id: connections.data!.oauthConnections[0]!.id },
      });
      expect(revoked.errors).toBeUndefined();
      const direct = await fetch(mcpUrl(), {
        method: 'POST',
        headers: { authorization: `Bearer ${provider.saved.at(-1)!.access_token}`, 'content-type': 'application/json' },
        body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
      });
      expect(direct.status).toBe(401);
      await expect(client.callTool({ name: 'get_agent_session', arguments: {} })).rejects.toThrow();
    } finally {
      await client.close().catch(() => {});
    }
  });
});
