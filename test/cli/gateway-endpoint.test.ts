import { describe, expect, it } from 'vitest';
import { gatewayEndpoint } from '../../src/cli/gateway-client.js';

/** The CLI keeps a path prefix in the gateway address (a gateway behind a proxy at /tasker-agent/). */
describe('gatewayEndpoint', () => {
  it.each([
    ['https://example.test', 'https://example.test/graphql'],
    ['https://example.test/', 'https://example.test/graphql'],
    ['https://example.test/tasker-agent', 'https://example.test/tasker-agent/graphql'],
    ['https://example.test/tasker-agent/', 'https://example.test/tasker-agent/graphql'],
    ['http://127.0.0.1:4000/a/b', 'http://127.0.0.1:4000/a/b/graphql'],
  ])('%s → %s', (gateway, expected) => {
    expect(gatewayEndpoint(gateway, 'graphql').href).toBe(expected);
  });
});
