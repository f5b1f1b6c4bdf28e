import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mintLauncherJwt } from '../../src/auth/launcher-jwt.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { agentSession, createAgent, createToken, setGrant } from '../support/fixtures.js';
import { graphql } from '../support/gateway.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { NO_TEST_CLOCK } from '../lifecycle/support/gateway-process.js';

/**
 * Two gateway processes on one PostgreSQL, as two replicas behind a balancer: a token revoked
 * through one is refused by the other within a second, although the other had it cached; and
 * while the other's change channel is cut, it refuses at once, because it serves nothing from its
 * cache until the channel is back. Instance B listens through a TCP proxy the test can cut; its
 * pool goes to PostgreSQL directly, so only the channel fails.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROPAGATION_LIMIT_MS = 1_000;

interface Instance {
  url: string;
  process: ChildProcess;
  log: () => string;
  /** Resolves once a log line matching the pattern appears after the given offset. */
  logged(pattern: RegExp, after?: number): Promise<void>;
}

function startInstance(env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', join(ROOT, 'node_modules/tsx/dist/loader.mjs'), join(ROOT, 'src/main.ts')], {
    cwd: dataDirs.at(-1),
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  const waiters: { pattern: RegExp; after: number; resolve: () => void }[] = [];
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(output.slice(waiter.after))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  const logged = (pattern: RegExp, after = 0) =>
    new Promise<void>((resolve, reject) => {
      if (pattern.test(output.slice(after))) return resolve();
      waiters.push({ pattern, after, resolve });
      child.once('exit', (code) => reject(new Error(`the gateway exited (${code}) before logging ${pattern}: ${output}`)));
    });
  return logged(/gateway listening/).then(() => ({
    url: /gateway listening.*?(http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!,
    process: child,
    log: () => output,
    logged,
  }));
}

async function stop(instance: Instance | undefined): Promise<void> {
  if (!instance || instance.process.exitCode !== null) return;
  const exited = new Promise((resolve) => instance.process.once('exit', resolve));
  instance.process.kill('SIGTERM');
  await exited;
}

const dataDirs: string[] = [];
let database: TestDatabase;
let proxy: TcpProxy;
let a: Instance;
let b: Instance;
let owner: string;

const LISTENING = /principal cache: listening for changes/;
const CHANNEL_DOWN = /principal cache: the change channel is down/;

describe.runIf(process.env.TEST_DATABASE === 'postgres')('principal changes across instances', () => {
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const db = await openDatabase(database.config);
    await migrateToLatest(db);
    await db.destroy();
    const target = new URL(database.url!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const secret = randomBytes(32).toString('hex');
    const common = {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: database.url!,
      LAUNCHER_JWT_SECRET: secret,
      TASKER_SIGNING_SECRET: secret,
      // agentSession never calls Tasker; nothing listens here.
      TASKER_URL: 'http://127.0.0.1:9',
    };
    dataDirs.push(mkdtempSync(join(tmpdir(), 'instance-a-')));
    a = await startInstance({ ...common, DATA_DIR: dataDirs.at(-1)! });
    dataDirs.push(mkdtempSync(join(tmpdir(), 'instance-b-')));
    b = await startInstance({ ...common, DATA_DIR: dataDirs.at(-1)!, DATABASE_LISTEN_URL: proxy.urlFor(database.url!) });
    await Promise.all([a.logged(LISTENING), b.logged(LISTENING)]);
    owner = await mintLauncherJwt(secret, { sub: 'local-user', email: 'local@example.test', role: 'user' }, { audience: 'nodedc-tasker-agent-gateway', ttlSeconds: 300 });
  }, NO_TEST_CLOCK.timeout);

  afterAll(async () => {
    await stop(a);
    await stop(b);
    await proxy?.close();
    await database?.drop();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A token created through A and used once through B, which now holds its principal. */
  async function tokenCachedByB(): Promise<{ id: string; secret: string }> {
    const agentId = await createAgent(a, owner, 'Replicated agent');
    await setGrant(a, owner, agentId, 'project-a', ['ISSUES_READ']);
    const token = await createToken(a, owner, agentId);
    expect((await agentSession(b, token.secret)).errors).toBeUndefined();
    return token;
  }

  const revokeThroughA = async (tokenId: string) => {
    const result = await graphql(a, 'mutation($id: ID!) { revokeToken(id: $id) { id } }', { token: owner, variables: { id: tokenId } });
    expect(result.errors).toBeUndefined();
  };

  const refusedAsRevoked = async (secret: string) => {
    const result = await agentSession(b, secret);
    expect(result.errors?.[0]?.message).toBe('the agent token has been revoked');
  };

  it('refuses on the other instance, within a second, a token revoked on one', NO_TEST_CLOCK, async () => {
    const token = await tokenCachedByB();
    await revokeThroughA(token.id);
    await vi.waitFor(() => refusedAsRevoked(token.secret), { timeout: PROPAGATION_LIMIT_MS, interval: 20 });
  });

  it('refuses at once while its channel is cut, and caches again once the channel is back', NO_TEST_CLOCK, async () => {
    const cachedBeforeTheCut = await tokenCachedByB();
    const offset = b.log().length;
    proxy.cut();
    await b.logged(CHANNEL_DOWN, offset);

    // What B held when the channel went is gone, and nothing is cached while it is down.
    await revokeThroughA(cachedBeforeTheCut.id);
    await refusedAsRevoked(cachedBeforeTheCut.secret);
    const usedWhileCut = await tokenCachedByB();
    await revokeThroughA(usedWhileCut.id);
    await refusedAsRevoked(usedWhileCut.secret);
    // B keeps trying to listen again, and cannot.
    // A readiness signal, not a speed: no clock of its own beyond the test's hang guard.
    await vi.waitFor(() => expect(proxy.refusedWhileCut).toBeGreaterThan(0), { timeout: 600_000, interval: 50 });

    const beforeRestore = b.log().length;
    proxy.restore();
    await b.logged(LISTENING, beforeRestore);
    const cachedAfterwards = await tokenCachedByB();
    await revokeThroughA(cachedAfterwards.id);
    await vi.waitFor(() => refusedAsRevoked(cachedAfterwards.secret), { timeout: PROPAGATION_LIMIT_MS, interval: 20 });
  });
});
