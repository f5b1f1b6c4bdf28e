import { afterEach, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * GRAPHIQL=false: a browser asking /graphql gets no GraphiQL page (test/ops covers the page itself,
 * served by default outside production).
 */
let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

const browserAsks = async (url: string) => {
  const response = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
  return { status: response.status, body: await response.text() };
};

it('serves no GraphiQL page with GRAPHIQL=false', async () => {
  gateway = await startTestGateway({ GRAPHIQL: 'false' });
  const page = await browserAsks(gateway.url);
  expect(page.body).not.toMatch(/graphiql/i);
  expect(page.status).toBeGreaterThanOrEqual(400);
});
