import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMaintenance } from '../../src/db/maintenance.js';
import { idempotencyKeyHash } from '../../src/idempotency/key-hash.js';
import { createLogger } from '../../src/logging/logger.js';
import { createAgent } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(() => gateway.close());

it('deletes expired idempotency keys and keeps live ones', async () => {
  const owner = await gateway.launcherToken({ sub: 'keeper' });
  const agentId = await createAgent(gateway, owner);
  const row = (key: string, expiresAt: Date) => ({
    agent_id: agentId,
    key_hash: idempotencyKeyHash(agentId, key),
    operation: 'createIssue',
    request_hash: 'a'.repeat(64),
    status: 'completed' as const,
    response: '{}',
    expires_at: expiresAt,
  });
  await gateway.db.insertInto('idempotency_keys').values([row('old', new Date(Date.now() - 1000)), row('live', new Date(Date.now() + 3_600_000))]).execute();
  const stop = startMaintenance({ db: gateway.db, now: () => new Date(), logger: createLogger('silent'), intervalMs: 60_000 });
  try {
    await expect
      .poll(async () => (await gateway.db.selectFrom('idempotency_keys').select('key_hash').where('agent_id', '=', agentId).execute()).map((r) => r.key_hash))
      .toEqual([idempotencyKeyHash(agentId, 'live')]);
  } finally {
    stop();
  }
});
