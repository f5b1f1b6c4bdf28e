import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approve, authorizeRequest, handleFrom, type MetadataHost, pkcePair, REDIRECT_URI, startMetadataHost, tokenRequest } from '../support/oauth.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { DEMO, startTestStack, type TestStack } from '../support/stack.js';

/**
 * The edges of the OAuth authorization server: its endpoints are rate-limited per client network,
 * a client metadata document is fetched without following redirects, and /mcp itself refuses a
 * token meant for another audience or from another issuer.
 */
const OAUTH_LIMIT = 4;

let host: MetadataHost;
let stack: TestStack;
let clientId: string;

beforeAll(async () => {
  host = await startMetadataHost();
  stack = await startTestStack({
    OAUTH_CLIENT_METADATA_ALLOW_PRIVATE_ADDRESSES: 'true',
    OAUTH_CLIENT_METADATA_CA_FILE: host.caFile,
    OAUTH_DYNAMIC_CLIENT_REGISTRATION: 'true',
    RATE_LIMIT_OAUTH_PER_MINUTE: String(OAUTH_LIMIT),
    // The rate-limit test speaks from its own network through X-Forwarded-For; the rest from loopback.
    TRUST_PROXY: 'true',
  });
  clientId = host.publish('/client.json', (id) => ({ client_id: id, client_name: 'Edge client', redirect_uris: [REDIRECT_URI] }));
});
afterAll(async () => {
  await stack?.close();
  await host?.close();
});

describe('rate limits on the OAuth endpoints', () => {
  const from = (network: string) => ({ 'x-forwarded-for': `${network}.9` });
  const token = (network: string) =>
    fetch(`${stack.gateway.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...from(network) },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'nope', code_verifier: 'x'.repeat(43), client_id: clientId }),
    });

  it('count authorize, token and register together per client network, then answer 429 temporarily_unavailable with Retry-After and RateLimit fields', async () => {
    const network = '203.0.113';
    const answers = [
      await token(network),
      await fetch(`${stack.gateway.url}/oauth/authorize?client_id=x`, { redirect: 'manual', headers: from(network) }),
      await fetch(`${stack.gateway.url}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json', ...from(network) }, body: '{}' }),
      await token(network),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400, 400]);

    for (const refused of [await token(network), await fetch(`${stack.gateway.url}/oauth/authorize?client_id=x`, { redirect: 'manual', headers: from(network) })]) {
      expect(refused.status).toBe(429);
      expect(await refused.json()).toMatchObject({ error: 'temporarily_unavailable', error_description: expect.stringContaining('OAuth requests from this network') });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.headers.get('ratelimit-policy')).toBe(`"oauth";q=${OAUTH_LIMIT};w=60`);
      expect(refused.headers.get('ratelimit')).toMatch(/^"oauth";r=0;t=\d+$/);
      expect(refused.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('leave other networks and the discovery documents alone', async () => {
    expect((await token('198.51.100')).status).toBe(400);
    const discovery = await fetch(`${stack.gateway.url}/.well-known/oauth-authorization-server`, { headers: from('203.0.113') });
    expect(discovery.status).toBe(200);
  });
});

describe('the client metadata document (CIMD)', () => {
  it('is fetched without following a redirect: the client is refused and the redirect target is never asked', async () => {
    const movedId = host.redirect('/moved.json', '/target.json');
    // Were the redirect followed, this document would pass every check (it names the moved URL).
    host.publish('/target.json', () => ({ client_id: movedId, client_name: 'Moved client', redirect_uris: [REDIRECT_URI] }));
    const before = host.hits.length;
    const { challenge } = pkcePair();
    const response = await authorizeRequest(stack.gateway.url, {
      client_id: movedId,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      resource: `${stack.gateway.url}/mcp`,
      scope: 'issues:read',
      state: 's',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('HTTP 302');
    expect(host.hits.slice(before)).toEqual(['/moved.json']);
  });
});

describe('/mcp refuses a token for another audience or from another issuer', () => {
  const callMcp = (url: string, bearer: string) =>
    fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
    });

  it('refuses an OAuth access token issued for this gateway’s /mcp at another address (another audience)', async () => {
    const resource = `${stack.gateway.url}/mcp`;
    const pkce = pkcePair();
    const handle = handleFrom(
      await authorizeRequest(stack.gateway.url, {
        client_id: clientId,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
        resource,
        scope: 'issues:read',
        state: 's',
      }),
    );
    const redirect = await approve(stack.gateway, stack.owner, { request: handle, newAgentName: 'Audience agent', grants: [{ projectId: DEMO.id, scopes: ['ISSUES_READ'] }] });
    const issued = await tokenRequest(stack.gateway.url, {
      grant_type: 'authorization_code',
      code: redirect.searchParams.get('code')!,
      code_verifier: pkce.verifier,
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      resource,
    });
    expect(issued.status).toBe(200);
    const accessToken = issued.body.access_token!;
    expect((await callMcp(resource, accessToken)).status).toBe(200);

    // The same gateway reached by another name is another resource: the token's audience does not match.
    const elsewhere = resource.replace('127.0.0.1', 'localhost');
    const refused = await callMcp(elsewhere, accessToken);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(`issued by OAuth sign-in for ${resource}`);
  });

  describe('a Launcher JWT', () => {
    let gateway: TestGateway;
    beforeAll(async () => {
      gateway = await startTestGateway({ LAUNCHER_JWT_ISSUER: 'https://launcher.example.test' });
    });
    afterAll(() => gateway.close());

    it.each([
      ['another issuer', { iss: 'https://evil.example', aud: 'default' }, 'claim "iss"'],
      ['another audience', { iss: 'https://launcher.example.test', aud: 'someone-else' }, 'claim "aud"'],
    ])('refuses a JWT signed with the Launcher key but from %s with 401 invalid_token', async (_label, claims, reason) => {
      const audience = claims.aud === 'default' ? gateway.config.launcherJwt.audience : claims.aud;
      const jwt = await new SignJWT({ email: 'alice@example.test', role: 'admin' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('alice')
        .setIssuer(claims.iss)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime('2m')
        .sign(new TextEncoder().encode(gateway.config.launcherJwt.hs256Secret!));
      const refused = await callMcp(`${gateway.url}/mcp`, jwt);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(reason);
    });
  });
});
