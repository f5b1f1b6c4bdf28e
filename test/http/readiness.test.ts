import { expect, it } from 'vitest';
import { rest, startTestGateway } from '../support/gateway.js';

it('answers /readyz with 503 once the database is unreachable, while /healthz stays up', async () => {
  const gateway = await startTestGateway();
  try {
    expect((await rest(gateway, 'GET', '/readyz')).status).toBe(200);
    await gateway.db.destroy();
    const ready = await rest(gateway, 'GET', '/readyz');
    expect(ready).toMatchObject({ status: 503, body: { status: 'unavailable', checks: { database: 'unreachable' } } });
    expect((await rest(gateway, 'GET', '/healthz')).status).toBe(200);
  } finally {
    await gateway.close().catch(() => {});
  }
});
