import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createAgent, createToken } from '../support/fixtures.js';
import { graphql, runOperation, startTestGateway, type TestGateway } from '../support/gateway.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { SPAWN_LIMIT, tempDirs } from '../support/processes.js';

/**
 * The backup procedure of docs/OPERATIONS.md, on the machine's PostgreSQL: `pg_dump -Fc` of a
 * running gateway's database, `pg_restore` into an empty one, and a gateway started on the copy
 * serves the same agents and accepts the same agent tokens (they are stored as hashes, so nothing
 * outside the database is needed). PostgreSQL project only: PGlite is backed up by copying DATA_DIR.
 */
const run = promisify(execFile);
const temp = tempDirs();
const opened: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const item of opened.reverse()) await item.close();
  temp.removeAll();
});

describe.runIf(process.env.TEST_DATABASE === 'postgres')('backing up PostgreSQL', () => {
  it('restores a pg_dump into a database a new gateway serves as it was', async () => {
    const original: TestGateway = await startTestGateway();
    opened.push(original);
    const owner = await original.launcherToken({ sub: 'local-user', email: 'local@example.test' });
    const agentId = await createAgent(original, owner, 'Backed-up agent');
    const { secret } = await createToken(original, owner, agentId);

    const dump = join(temp.make('pg-backup-'), 'gateway.dump');
    await run('pg_dump', ['--format=custom', '--no-owner', `--file=${dump}`, original.database.url!], SPAWN_LIMIT);
    const copy: TestDatabase = await createTestDatabase('postgres');
    opened.push({ close: () => copy.drop() });
    await run('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${copy.url!}`, dump], SPAWN_LIMIT);

    const restored = await startTestGateway({ DATABASE_URL: copy.url! });
    opened.push(restored);
    const agents = await graphql<{ agents: { nodes: { id: string; displayName: string }[] } }>(restored, '{ agents { nodes { id displayName } } }', {
      token: await restored.launcherToken({ sub: 'local-user', email: 'local@example.test' }),
    });
    expect(agents.data?.agents.nodes).toEqual([{ id: agentId, displayName: 'Backed-up agent' }]);
    const session = await runOperation<{ agentSession: { agent: { id: string } } }>(restored, 'GetAgentSession', { token: secret });
    expect(session.errors).toBeUndefined();
    expect(session.data?.agentSession.agent.id).toBe(agentId);
  }, 120_000);
});
