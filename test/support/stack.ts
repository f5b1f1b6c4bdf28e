import { randomBytes } from 'node:crypto';
import { DEMO_IDS, startReferenceTasker, type ReferenceTasker } from '../../reference-tasker/index.js';
import { SCOPES } from '../../src/auth/scopes.js';
import { taskerStorage } from './database.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { createAgent, createToken, setGrant } from './fixtures.js';
import { taskerReader, type TaskerRead } from './tasker-reader.js';
import { startTestGateway, type TestGateway } from './gateway.js';

/**
 * The whole path on loopback: gateway → fault proxy → reference Tasker, both on this project's
 * database kind (PGlite, or PostgreSQL with the reference Tasker in its own schema).
 */
export interface TestStack {
  gateway: TestGateway;
  tasker: ReferenceTasker;
  proxy: FaultProxy;
  /** A signed GET straight to the reference Tasker (not through the proxy): what Tasker really holds. */
  readTasker: TaskerRead;
  /** The secret the gateway and the reference Tasker share, for a second gateway or proxy in front of it. */
  signingSecret: string;
  /** Launcher JWT of the seeded Tasker user "local-user". */
  owner: string;
  /** An agent of local-user with the given grants, and a token carrying all its scopes. */
  agentWith(grants: Record<string, string[]>, name?: string): Promise<{ agentId: string; token: string; tokenId: string }>;
  close(): Promise<void>;
}

/** Every scope, as GraphQL spells them: a fully trusted agent. */
export const ALL_SCOPES = SCOPES.map((scope) => scope.replace(':', '_').toUpperCase());

export const DEMO = DEMO_IDS.projects.DEMO;
export const OPS = DEMO_IDS.projects.OPS;
export const PRIV = DEMO_IDS.projects.PRIV;

export async function startTestStack(env: Record<string, string> = {}, options: { logLines?: string[] } = {}): Promise<TestStack> {
  const signingSecret = randomBytes(32).toString('hex');
  let tasker: ReferenceTasker | undefined;
  let proxy: FaultProxy | undefined;
  const gateway = await startTestGateway(
    // Fast failure paths: a short per-attempt timeout and one retry keep fault tests quick.
    { TASKER_SIGNING_SECRET: signingSecret, TASKER_TIMEOUT_MS: '1500', TASKER_MAX_RETRIES: '1', ...env },
    {
      ...(options.logLines ? { logLines: options.logLines } : {}),
      prepare: async (database) => {
        tasker = await startReferenceTasker({ signingSecret, ...taskerStorage(database) });
        proxy = await startFaultProxy(tasker.url, { signingSecret });
        return { TASKER_URL: proxy.url };
      },
    },
  );
  if (!tasker || !proxy) throw new Error('the reference Tasker did not start');
  const owner = await gateway.launcherToken({ sub: 'local-user', email: 'local@example.test' });
  const [startedTasker, startedProxy] = [tasker, proxy];
  return {
    gateway,
    tasker: startedTasker,
    proxy: startedProxy,
    readTasker: taskerReader(startedTasker.url, signingSecret),
    signingSecret,
    owner,
    async agentWith(grants, name = 'Test agent') {
      const agentId = await createAgent(gateway, owner, name);
      for (const [projectId, scopes] of Object.entries(grants)) await setGrant(gateway, owner, agentId, projectId, scopes);
      const { secret, id } = await createToken(gateway, owner, agentId);
      return { agentId, token: secret, tokenId: id };
    },
    async close() {
      // The reference Tasker lets go of the shared database before the gateway drops it.
      await startedProxy.close();
      await startedTasker.close();
      await gateway.close();
    },
  };
}
