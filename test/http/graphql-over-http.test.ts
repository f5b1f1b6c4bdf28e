import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, createToken } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * /graphql as a web endpoint: GraphQL over HTTP conformance (graphql-http's server audits) for the
 * callers that may send documents, CORS as an allow-list, and no body a foreign page could send
 * without a preflight ever executing.
 */
const LAUNCHER_ORIGIN = 'https://launcher.example.test';

describe('GraphQL over HTTP', () => {
  let gateway: TestGateway;
  let launcher: string;
  let agentToken: string;

  beforeAll(async () => {
    gateway = await startTestGateway({ CORS_ALLOWED_ORIGINS: `${LAUNCHER_ORIGIN}, https://other.example.test` });
    launcher = await gateway.launcherToken({ sub: 'alice' });
    agentToken = (await createToken(gateway, launcher, await createAgent(gateway, launcher, 'Seed'))).secret;
  });
  afterAll(() => gateway.close());

  const agentCount = async () => (await gateway.db.selectFrom('agents').select('id').execute()).length;

  describe.each([
    ['anonymous', () => ({})],
    ['Launcher', (): Record<string, string> => ({ authorization: `Bearer ${launcher}` })],
  ])('graphql-http server audits for a %s caller', (_who, credentials) => {
    it('all pass', async () => {
      const fetchFn = (input: RequestInfo | URL, init: RequestInit = {}) =>
        fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init.headers).entries()), ...credentials() } });
      const audits = serverAudits({ url: `${gateway.url}/graphql`, fetchFn });
      const failed: string[] = [];
      for (const audit of audits) {
        const result = await audit.fn();
        if (result.status !== 'ok') failed.push(`${audit.id} ${audit.name}: ${result.status} ${result.reason}`);
      }
      expect(audits.length).toBeGreaterThan(40);
      expect(failed).toEqual([]);
    });
  });

  describe('a request without a usable query', () => {
    const post = (body: unknown, token?: string) =>
      fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });

    it.each([
      ['anonymous', undefined],
      ['Launcher', 'launcher'],
    ])('is 400 BAD_USER_INPUT for a %s caller, not a persisted-operation refusal', async (_who, who) => {
      for (const body of [{}, { variables: {} }, { query: null }, { query: '' }]) {
        const response = await post(body, who ? launcher : undefined);
        expect(response.status).toBe(400);
        const answer = (await response.json()) as { errors: { extensions: { code?: string } }[] };
        expect(answer.errors[0]?.extensions.code).not.toBe('PERSISTED_OPERATION_ONLY');
      }
    });

    it('is 403 PERSISTED_OPERATION_ONLY for an agent: that refusal is for agents only', async () => {
      const response = await post({}, agentToken);
      expect(response.status).toBe(403);
      const answer = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(answer.errors[0]?.extensions.code).toBe('PERSISTED_OPERATION_ONLY');
    });
  });

  describe('CORS', () => {
    const preflight = (origin: string) =>
      fetch(`${gateway.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
    const query = (origin: string) =>
      fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json', authorization: `Bearer ${launcher}` },
        body: JSON.stringify({ query: '{ me { userId } }' }),
      });

    it('names a listed origin back, without credentials, on the preflight and the answer', async () => {
      const allowedPreflight = await preflight(LAUNCHER_ORIGIN);
      expect(allowedPreflight.headers.get('access-control-allow-origin')).toBe(LAUNCHER_ORIGIN);
      expect(allowedPreflight.headers.get('access-control-allow-headers')).toContain('authorization');
      expect(allowedPreflight.headers.get('access-control-allow-credentials')).toBeNull();
      const answer = await query(LAUNCHER_ORIGIN);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('access-control-allow-origin')).toBe(LAUNCHER_ORIGIN);
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
      expect(answer.headers.get('access-control-expose-headers')).toContain('x-request-id');
    });

    it.each(['https://evil.example', 'null', 'https://launcher.example.test.evil.example', 'http://launcher.example.test'])(
      'never reflects an origin that is not listed (%s)',
      async (origin) => {
        const refusedPreflight = await preflight(origin);
        expect(refusedPreflight.headers.get('access-control-allow-origin')).toBeNull();
        expect(refusedPreflight.headers.get('access-control-allow-credentials')).toBeNull();
        expect(refusedPreflight.headers.get('access-control-allow-headers')).toBeNull();
        const answer = await query(origin);
        expect(answer.headers.get('access-control-allow-origin')).toBeNull();
        expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
      },
    );
  });

  describe('bodies a foreign page can send without a preflight never execute', () => {
    const mutation = 'mutation { createAgent(input: { displayName: "csrf" }) { id } }';
    it.each([
      ['multipart/form-data', () => {
        const form = new FormData();
        form.set('operations', JSON.stringify({ query: mutation }));
        form.set('map', '{}');
        return form;
      }],
      ['application/x-www-form-urlencoded', () => new URLSearchParams({ query: mutation })],
      ['text/plain', () => JSON.stringify({ query: mutation })],
      ['application/graphql', () => mutation],
    ])('%s is 415 and creates nothing', async (type, body) => {
      const before = await agentCount();
      const payload = body();
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${launcher}`,
          origin: 'https://evil.example',
          ...(typeof payload === 'string' ? { 'content-type': type } : {}),
        },
        body: payload,
      });
      expect(response.status).toBe(415);
      const answer = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(answer.errors[0]?.extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(await agentCount()).toBe(before);
    });

    it('a mutation over GET is refused and creates nothing', async () => {
      const before = await agentCount();
      const response = await fetch(`${gateway.url}/graphql?query=${encodeURIComponent(mutation)}`, {
        headers: { authorization: `Bearer ${launcher}`, accept: 'application/json' },
      });
      expect(response.status).toBe(405);
      expect(await agentCount()).toBe(before);
    });

    it('while a JSON POST of the same mutation runs', async () => {
      const before = await agentCount();
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${launcher}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: mutation }),
      });
      expect(response.status).toBe(200);
      expect(await agentCount()).toBe(before + 1);
    });
  });
});
