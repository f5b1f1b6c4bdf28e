import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS, startReferenceTasker, type ReferenceTasker } from '../../reference-tasker/index.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { createAgent, createToken, setGrant } from '../support/fixtures.js';
import { errorCode, runOperation, startTestGateway, type TestGateway } from '../support/gateway.js';
import { tempDirs } from '../support/processes.js';

/**
 * Rotating the Tasker signing secret without a refused call, step by step as docs/OPERATIONS.md
 * ("Key rotation") tells an operator: Tasker first learns the new key beside the old one, then the
 * gateways move to it, then Tasker forgets the old one. Gateways and the reference Tasker are real
 * servers on loopback; Tasker is restarted on the same port and data between steps, as an operator
 * restarts it with a new configuration.
 */
const DEMO = DEMO_IDS.projects.DEMO;
const OLD = { id: 'tasker-2026-01', secret: randomBytes(32).toString('hex') };
const NEW = { id: 'tasker-2026-07', secret: randomBytes(32).toString('hex') };

const temp = tempDirs();
const taskerData = temp.make('rotation-tasker-');
let tasker: ReferenceTasker;
let port = 0;
const gateways: TestGateway[] = [];

async function restartTasker(keys: { current: typeof OLD; previous?: typeof OLD }): Promise<void> {
  await tasker?.close();
  tasker = await startReferenceTasker({
    port,
    dataDir: taskerData,
    signingSecret: keys.current.secret,
    signingKeyId: keys.current.id,
    ...(keys.previous ? { previousSigningKey: keys.previous } : {}),
  });
  port = Number(new URL(tasker.url).port);
}

/** A gateway with these signing settings and an agent allowed to read DEMO's issues. */
async function gatewayWith(env: Record<string, string>): Promise<{ listIssues(): Promise<string | undefined> }> {
  const gateway = await startTestGateway({ TASKER_URL: tasker.url, ...env });
  gateways.push(gateway);
  const owner = await gateway.launcherToken({ sub: 'local-user', email: 'local@example.test' });
  const agentId = await createAgent(gateway, owner);
  await setGrant(gateway, owner, agentId, DEMO.id, ['ISSUES_READ']);
  const { secret } = await createToken(gateway, owner, agentId);
  return {
    async listIssues() {
      const result = await runOperation(gateway, 'ListIssues', { token: secret, variables: { projectId: DEMO.id } });
      return result.errors === undefined ? 'ok' : errorCode(result);
    },
  };
}

beforeAll(async () => {
  await restartTasker({ current: OLD });
});
afterAll(async () => {
  for (const gateway of gateways) await gateway.close();
  await tasker?.close();
  temp.removeAll();
});

describe('rotating the Tasker signing secret', () => {
  it('moves from one key to the next without refusing a call, and refuses the old key once Tasker drops it', async () => {
    const oldGateway = await gatewayWith({ TASKER_SIGNING_SECRET: OLD.secret, TASKER_SIGNING_KEY_ID: OLD.id });
    expect(await oldGateway.listIssues()).toBe('ok');

    // Why the order matters: a gateway that moves before Tasker knows the new key is refused.
    const tooEarly = await gatewayWith({ TASKER_SIGNING_SECRET: NEW.secret, TASKER_SIGNING_KEY_ID: NEW.id });
    expect(await tooEarly.listIssues()).toBe('TASKER_REJECTED');

    // Step 1: Tasker holds the new key and still the old one.
    await restartTasker({ current: NEW, previous: OLD });
    expect(await oldGateway.listIssues()).toBe('ok');

    // Step 2: the gateways move to the new key, keeping the old one as the previous. Replicas not yet
    // restarted sign with the old key and are still accepted.
    const newGateway = await gatewayWith({
      TASKER_SIGNING_SECRET: NEW.secret,
      TASKER_SIGNING_KEY_ID: NEW.id,
      TASKER_SIGNING_SECRET_PREVIOUS: OLD.secret,
      TASKER_SIGNING_KEY_ID_PREVIOUS: OLD.id,
    });
    expect(await newGateway.listIssues()).toBe('ok');
    expect(await oldGateway.listIssues()).toBe('ok');

    // Step 3: Tasker forgets the old key. Only a gateway left behind on it is refused.
    await restartTasker({ current: NEW });
    expect(await newGateway.listIssues()).toBe('ok');
    expect(await oldGateway.listIssues()).toBe('TASKER_REJECTED');
    // Three gateways and three Tasker starts: the set-up, not the calls, takes the time.
  }, 180_000);
});

describe('the signing key configuration', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return [];
    } catch (error) {
      return error instanceof ConfigError ? error.problems : [String(error)];
    }
  };

  it('names what is wrong with a rotation set-up', () => {
    expect(problems({ TASKER_SIGNING_KEY_ID: 'k1' })).toEqual([expect.stringContaining('TASKER_SIGNING_KEY_ID: names a key, but TASKER_SIGNING_SECRET is not set')]);
    expect(problems({ TASKER_SIGNING_SECRET: NEW.secret, TASKER_SIGNING_SECRET_PREVIOUS: NEW.secret })).toEqual([
      expect.stringContaining('TASKER_SIGNING_SECRET_PREVIOUS: is the current secret'),
    ]);
    expect(
      problems({ TASKER_SIGNING_SECRET: NEW.secret, TASKER_SIGNING_KEY_ID: 'same', TASKER_SIGNING_SECRET_PREVIOUS: OLD.secret, TASKER_SIGNING_KEY_ID_PREVIOUS: 'same' }),
    ).toEqual([expect.stringContaining('TASKER_SIGNING_KEY_ID_PREVIOUS: must differ from TASKER_SIGNING_KEY_ID')]);
    expect(problems({ TASKER_SIGNING_KEY_ID_PREVIOUS: 'k0' })).toEqual([expect.stringContaining('TASKER_SIGNING_SECRET_PREVIOUS is not set')]);
    expect(problems({ TASKER_SIGNING_SECRET: NEW.secret, TASKER_SIGNING_KEY_ID: 'has space' })).toEqual([expect.stringContaining('TASKER_SIGNING_KEY_ID: expected 1 to 64')]);
  });
});
