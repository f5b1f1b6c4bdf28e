import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * GRAPHIQL=false: a browser asking /graphql gets no GraphiQL page (test/ops covers the page itself,
 * served by default outside production). The gateway starts in a hook, whose allowance is the
 * longer one, so a busy machine does not fail the check itself.
 */
let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway({ GRAPHIQL: 'false' });
});
afterAll(() => gateway?.close());

it('serves no GraphiQL page with GRAPHIQL=false', async () => {
  const response = await fetch(`${gateway.url}/graphql`, { headers: { accept: 'text/html' } });
  const body = await response.text();
  expect(body).not.toMatch(/graphiql/i);
  expect(response.status).toBeGreaterThanOrEqual(400);
});
