import { get as httpGet } from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorResponseFor } from '../../src/http/errors.js';
import { createLogger } from '../../src/logging/logger.js';
import { testDatabaseKind } from '../support/database.js';
import { createAgent, createToken } from '../support/fixtures.js';
import { graphql, rest, startTestGateway, type TestGateway } from '../support/gateway.js';
import { rawRequest } from '../support/raw-http.js';

const NO_INTERNALS = /(\bat \S+ \(|node_modules|\/src\/|\.ts:\d+|TypeError|stack)/;

describe('malformed requests', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());

  // The last four would move the routed path: the adapter builds the URL as http://<Host><target>.
  it.each(['exa mple:99999', '[::1', 'a b', 'host?q', 'x/oauth/register#', 'user@host', 'a/b'])('answers a malformed Host (%j) with 400 in the REST envelope, no stack', async (host) => {
    const answer = await rawRequest(gateway.url, `GET /healthz HTTP/1.1\r\nHost: ${host}`);
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toContain('application/json');
    expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const body = JSON.parse(answer.body) as { error: { code: string; message: string; request_id: string } };
    expect(body.error).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(answer.body).not.toMatch(NO_INTERNALS);
  });

  it.each(['gateway.example:8080', '[::1]:4100', '127.0.0.1', 'xn--80ak6aa92e.example', 'GATEWAY.example'])('serves a well-formed Host (%j)', async (host) => {
    const { hostname, port } = new URL(gateway.url);
    const status = await new Promise<number | undefined>((resolve, reject) =>
      httpGet({ host: hostname, port, path: '/healthz', setHost: false, headers: { host } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      }).on('error', reject),
    );
    expect(status).toBe(200);
  });

  it('answers an unknown route with 404 and a request id', async () => {
    const answer = await rest(gateway, 'GET', '/nope');
    expect(answer.status).toBe(404);
    expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps a caller’s X-Request-Id only as a correlation id, never as the request id', async () => {
    const answer = await rest(gateway, 'GET', '/healthz', { headers: { 'x-request-id': 'caller-chosen-id' } });
    expect(answer.headers.get('x-request-id')).not.toBe('caller-chosen-id');
    expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('a database that does not answer', () => {
  let gateway: TestGateway;
  const logLines: string[] = [];
  let launcher: string;
  let agentToken: string;
  beforeAll(async () => {
    gateway = await startTestGateway({}, { logLines });
    launcher = await gateway.launcherToken({ sub: 'alice' });
    const agentId = await createAgent(gateway, launcher);
    agentToken = (await createToken(gateway, launcher, agentId)).secret;
    await gateway.db.destroy();
  });
  afterAll(() => gateway.close().catch(() => {}));

  const expect503 = (status: number, headers: Headers, text: string) => {
    expect(status).toBe(503);
    expect(headers.get('retry-after')).toBe('5');
    expect(headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(text).not.toMatch(NO_INTERNALS);
  };

  it('is 503 SERVICE_UNAVAILABLE with Retry-After on REST, and the failed audit write does not mask it', async () => {
    const answer = await fetch(`${gateway.url}/api/v1/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${launcher}`, 'content-type': 'application/json' },
      body: JSON.stringify({ owner_user_id: 'alice', owner_email: 'alice@example.test', display_name: 'x' }),
    });
    const text = await answer.text();
    expect503(answer.status, answer.headers, text);
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE', request_id: answer.headers.get('x-request-id') } });
    expect(logLines.some((line) => line.includes('could not record a refused call'))).toBe(true);
  });

  it('is 503 SERVICE_UNAVAILABLE in the GraphQL shape', async () => {
    const answer = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${launcher}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ agents { nodes { id } } }' }),
    });
    const text = await answer.text();
    expect503(answer.status, answer.headers, text);
    expect((JSON.parse(text) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('is 503 in the GraphQL shape when the agent token cannot even be looked up', async () => {
    const answer = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'x'.repeat(64) } } }),
    });
    const text = await answer.text();
    expect503(answer.status, answer.headers, text);
    expect(JSON.parse(text)).toMatchObject({ errors: [{ extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
  });

  it('is 503 in the JSON-RPC shape on /mcp', async () => {
    const answer = await fetch(`${gateway.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    const text = await answer.text();
    expect503(answer.status, answer.headers, text);
    expect(JSON.parse(text)).toMatchObject({ jsonrpc: '2.0', error: { code: -32603, data: { code: 'SERVICE_UNAVAILABLE' } }, id: null });
  });

  it('logs each at error level with the cause’s stack', () => {
    const errors = logLines.map((line) => JSON.parse(line) as { level: string; message: string; stack?: string }).filter((line) => line.level === 'error');
    expect(errors.some((line) => line.message.startsWith('database unavailable') && typeof line.stack === 'string')).toBe(true);
  });
});

describe('an unexpected error', () => {
  it.each(['rest', 'graphql', 'mcp'] as const)('answers %s in its own shape with the request id only, and logs the stack', async (surface) => {
    const lines: string[] = [];
    const response = errorResponseFor(surface, new TypeError('secret internals at /src/x.ts:1'), createLogger('debug', (line) => lines.push(line)), 'req-1');
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(text).not.toContain('secret internals');
    expect(text).toContain('req-1');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', requestId: 'req-1', errorMessage: 'secret internals at /src/x.ts:1', stack: expect.stringContaining('TypeError') });
  });
});

describe('bounded database waits', () => {
  // PGlite is one connection inside the process; only PostgreSQL has statements to time out.
  it.skipIf(testDatabaseKind() !== 'postgres')('answers 503 when a statement outlives DATABASE_STATEMENT_TIMEOUT_MS', async () => {
    const gateway = await startTestGateway({ DATABASE_STATEMENT_TIMEOUT_MS: '300' });
    const locker = new pg.Client({ connectionString: gateway.database.url });
    await locker.connect();
    try {
      const launcher = await gateway.launcherToken({ sub: 'alice' });
      await locker.query('begin');
      await locker.query('lock table agents in access exclusive mode');
      const result = await graphql(gateway, 'mutation { createAgent(input: { displayName: "waits" }) { id } }', { token: launcher });
      expect(result.status).toBe(503);
      expect(result.errors![0]!.extensions.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await locker.query('rollback').catch(() => {});
      await locker.end();
      await gateway.close();
    }
  });

  it.skipIf(testDatabaseKind() !== 'postgres')('answers 503 when no connection is free within DATABASE_ACQUIRE_TIMEOUT_MS', async () => {
    const gateway = await startTestGateway({ DATABASE_POOL_SIZE: '1', DATABASE_ACQUIRE_TIMEOUT_MS: '200' });
    try {
      const launcher = await gateway.launcherToken({ sub: 'alice' });
      // Hold the gateway's only connection in an open transaction while a request needs one.
      let release!: () => void;
      const held = gateway.db.transaction().execute(async (trx) => {
        await trx.selectFrom('agents').select('id').execute();
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      });
      const answer = await rest(gateway, 'POST', '/api/v1/agents', {
        token: launcher,
        body: { owner_user_id: 'alice', owner_email: 'alice@example.test', display_name: 'x' },
      });
      release();
      await held;
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('5');
    } finally {
      await gateway.close();
    }
  });
});

describe('REST order of checks', () => {
  it('authenticates before it validates the body: 401 for a bad body without credentials, 400 with them', async () => {
    const gateway = await startTestGateway();
    try {
      const anonymous = await rest(gateway, 'POST', '/api/v1/agents', { rawBody: '{not json' });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
      const agentToken = await rest(gateway, 'POST', '/api/v1/agents/x/tokens', { rawBody: '{not json', token: 'ndcag_' + 'a'.repeat(43) + '_aaaaaa' });
      expect(agentToken.status).toBe(401);
      const launcher = await gateway.launcherToken({ sub: 'alice' });
      expect((await rest(gateway, 'POST', '/api/v1/agents', { rawBody: '{not json', token: launcher })).status).toBe(400);
    } finally {
      await gateway.close();
    }
  });
});
