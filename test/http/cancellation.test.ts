import pg from 'pg';
import { expect, it } from 'vitest';
import { testDatabaseKind } from '../support/database.js';
import { startTestGateway } from '../support/gateway.js';
import { until } from '../support/wait.js';

const gatewayBackends = (client: pg.Client, where: string) =>
  client
    .query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where application_name = 'tasker-agent-gateway' and ${where}`)
    .then((result) => result.rows[0]!.n);


// PGlite runs in this process, so a statement cannot be held mid-way from outside; PostgreSQL can.
it.skipIf(testDatabaseKind() !== 'postgres')('stops a request whose client has gone: the mutations after the one in flight never run', async () => {
  const gateway = await startTestGateway();
  const locker = new pg.Client({ connectionString: gateway.database.url });
  await locker.connect();
  try {
    const alice = await gateway.launcherToken({ sub: 'alice' });
    // Hold the agents table so the first createAgent waits inside the database.
    await locker.query('begin');
    await locker.query('lock table agents in access exclusive mode');
    const mutations = Array.from({ length: 10 }, (_, i) => `m${i}: createAgent(input: { displayName: "alias ${i}" }) { id }`);
    const client = new AbortController();
    const answer = fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      signal: client.signal,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${alice}` },
      body: JSON.stringify({ query: `mutation { ${mutations.join(' ')} }` }),
    }).catch(() => 'gone');
    await until(async () => (await gatewayBackends(locker, "wait_event_type = 'Lock'")) > 0, 'the first createAgent waits on the lock');
    client.abort();
    expect(await answer).toBe('gone');
    await locker.query('commit');
    // The mutation in flight completes; the request then stops instead of running the other nine.
    await until(
      async () => (await locker.query('select 1 from agents')).rowCount! > 0 && (await gatewayBackends(locker, "state <> 'idle'")) === 0,
      'the mutation in flight finished and the gateway holds no busy connection',
    );
    expect((await locker.query('select display_name from agents')).rows).toEqual([{ display_name: 'alias 0' }]);
  } finally {
    await locker.end();
    await gateway.close();
  }
});
