import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REST_ROUTES } from '../../src/http/routes/rest.js';
import { createAgent, createToken, setGrant } from '../support/fixtures.js';
import { rest, startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * Every REST route, walked from the router's own table: who may call it is written here, apart
 * from the code, and each route refuses the other principals (401 for none, 403 for the wrong
 * kind) and serves its own. A route added without a row here fails the first test.
 */
type Caller = 'anonymous' | 'launcher' | 'agent';

interface RouteRow {
  method: 'GET' | 'POST';
  /** A concrete path the route's pattern matches. */
  path: (ids: { agentId: string }) => string;
  allowed: Caller[];
  body?: (ids: { agentId: string }) => unknown;
  /** The status the allowed caller gets. */
  status: number;
}

const ROUTES: RouteRow[] = [
  { method: 'GET', path: () => '/healthz', allowed: ['anonymous', 'launcher', 'agent'], status: 200 },
  { method: 'GET', path: () => '/readyz', allowed: ['anonymous', 'launcher', 'agent'], status: 200 },
  { method: 'GET', path: () => '/api/v1/meta/capabilities', allowed: ['anonymous', 'launcher', 'agent'], status: 200 },
  {
    method: 'POST',
    path: () => '/api/v1/agents',
    allowed: ['launcher'],
    body: () => ({ owner_user_id: 'local-user', owner_email: 'local@example.test', display_name: 'REST walk' }),
    status: 201,
  },
  { method: 'POST', path: ({ agentId }) => `/api/v1/agents/${agentId}/tokens`, allowed: ['launcher'], body: () => ({ name: 'REST walk' }), status: 201 },
  { method: 'GET', path: () => '/api/v1/agent-session', allowed: ['agent'], status: 200 },
];

let gateway: TestGateway;
let tokens: Record<Exclude<Caller, 'anonymous'>, string>;
let ids: { agentId: string };

beforeAll(async () => {
  gateway = await startTestGateway();
  const launcher = await gateway.launcherToken({ sub: 'local-user', email: 'local@example.test' });
  const agentId = await createAgent(gateway, launcher);
  await setGrant(gateway, launcher, agentId, '33333333-3333-4333-8333-333333333333', ['ISSUES_READ']);
  tokens = { launcher, agent: (await createToken(gateway, launcher, agentId)).secret };
  ids = { agentId };
});
afterAll(() => gateway.close());

it('has a row for every REST route', () => {
  const sample = { agentId: '00000000-0000-4000-8000-000000000000' };
  for (const route of REST_ROUTES) {
    const rows = ROUTES.filter((row) => row.method === route.method && route.pattern.test(row.path(sample)));
    expect(rows, `${route.method} ${route.pattern}`).toHaveLength(1);
  }
  expect(ROUTES).toHaveLength(REST_ROUTES.length);
});

describe.each(ROUTES)('$method $allowed', (row) => {
  const call = (caller: Caller) =>
    rest(gateway, row.method, row.path(ids), {
      ...(caller === 'anonymous' ? {} : { token: tokens[caller] }),
      ...(row.body ? { body: row.body(ids) } : {}),
    });

  it.each((['anonymous', 'launcher', 'agent'] as const).filter((caller) => row.allowed.includes(caller)))('serves %s', async (caller) => {
    const answer = await call(caller);
    expect(answer.status, JSON.stringify(answer.body)).toBe(row.status);
  });

  it.each((['anonymous', 'launcher', 'agent'] as const).filter((caller) => !row.allowed.includes(caller)))('refuses %s', async (caller) => {
    const answer = await call(caller);
    expect(answer.status).toBe(caller === 'anonymous' ? 401 : 403);
    expect((answer.body as { error: { code: string } }).error.code).toBe(caller === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
  });
});
