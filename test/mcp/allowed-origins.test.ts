import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, createToken } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * MCP_ALLOWED_ORIGINS: browser origins an operator allows on /mcp beside loopback and the
 * gateway's own. Listed origins are accepted, anything else is still refused with 403.
 */
let gateway: TestGateway;
let token: string;

beforeAll(async () => {
  gateway = await startTestGateway({ MCP_ALLOWED_ORIGINS: 'https://launcher.example.test,https://inspector.example.test:8443' });
  const owner = await gateway.launcherToken({ sub: 'local-user' });
  token = (await createToken(gateway, owner, await createAgent(gateway, owner, 'Origins'))).secret;
});
afterAll(() => gateway.close());

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

const initializeFrom = (origin: string) =>
  fetch(`${gateway.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}`, origin },
    body: JSON.stringify(INITIALIZE),
  });

describe('MCP_ALLOWED_ORIGINS', () => {
  it('accepts the listed origins', async () => {
    for (const origin of ['https://launcher.example.test', 'https://inspector.example.test:8443']) {
      const response = await initializeFrom(origin);
      expect(response.status, origin).toBe(200);
      await response.body?.cancel();
    }
  });

  it('refuses origins that are not listed, however alike', async () => {
    for (const origin of ['https://launcher.example.test:8443', 'http://launcher.example.test', 'https://inspector.example.test', 'https://evil.example']) {
      const response = await initializeFrom(origin);
      expect(response.status, origin).toBe(403);
      await response.body?.cancel();
    }
  });
});
