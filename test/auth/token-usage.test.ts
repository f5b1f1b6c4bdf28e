import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGatewayApp } from '../../src/app.js';
import { createLogger } from '../../src/logging/logger.js';
import { agentSession, createAgent, createToken } from '../support/fixtures.js';
import { graphql, startTestGateway, type TestGateway } from '../support/gateway.js';
import { loadToolManifest } from '../../src/mcp/manifest.js';

/**
 * `lastUsedAt` is written off the request path: calls only note the use, the notes are written in
 * batches at most once a minute per token, and a shutdown writes what is pending.
 */
let gateway: TestGateway;
let owner: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  owner = await gateway.launcherToken({ sub: 'usage-owner' });
});
afterAll(async () => {
  await gateway.close();
});

async function lastUsedAt(agentId: string): Promise<Date | null> {
  const result = await graphql<{ agent: { tokens: { lastUsedAt: string | null }[] } }>(gateway, 'query($id: ID!) { agent(id: $id) { tokens { lastUsedAt } } }', {
    token: owner,
    variables: { id: agentId },
  });
  const value = result.data!.agent.tokens[0]!.lastUsedAt;
  return value === null ? null : new Date(value);
}

const now = () => Date.now() + gateway.clock.offsetMs;

it('records the first use of each minute, in a batch after the answers', async () => {
  const agentId = await createAgent(gateway, owner);
  const token = await createToken(gateway, owner, agentId);
  expect(await lastUsedAt(agentId)).toBeNull();

  const beforeFirstUse = now();
  for (let call = 0; call < 3; call += 1) expect((await agentSession(gateway, token.secret)).errors).toBeUndefined();
  const afterThirdUse = now();
  await gateway.app.tokenUsage.flush();
  const first = (await lastUsedAt(agentId))!.getTime();
  expect(first).toBeGreaterThanOrEqual(beforeFirstUse);
  expect(first).toBeLessThanOrEqual(afterThirdUse);

  try {
    gateway.clock.offsetMs = 30_000;
    await agentSession(gateway, token.secret);
    await gateway.app.tokenUsage.flush();
    expect((await lastUsedAt(agentId))!.getTime()).toBe(first);

    gateway.clock.offsetMs = 61_000;
    const later = now();
    await agentSession(gateway, token.secret);
    await gateway.app.tokenUsage.flush();
    expect((await lastUsedAt(agentId))!.getTime()).toBeGreaterThanOrEqual(later);
  } finally {
    gateway.clock.offsetMs = 0;
  }
});

it('writes the pending uses when the gateway shuts down', async () => {
  const agentId = await createAgent(gateway, owner);
  const token = await createToken(gateway, owner, agentId);
  // A second gateway on the same database, stopped right after one call.
  const second = createGatewayApp({ config: gateway.config, db: gateway.db, logger: createLogger('silent') });
  const operationId = loadToolManifest().tools.find((tool) => tool.operationName === 'GetAgentSession')!.operationId;
  const response = await second.fetch(
    new Request('http://gateway.test/graphql', {
      method: 'POST',
      headers: { authorization: `Bearer ${token.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: operationId } } }),
    }),
    {},
  );
  expect(response.status).toBe(200);
  await second.close();
  expect(await lastUsedAt(agentId)).not.toBeNull();
});
