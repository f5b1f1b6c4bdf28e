import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { graphql, rest, runOperation, startTestGateway } from '../support/gateway.js';
import { type ProgramRun, runProgram, tempDirs } from '../support/processes.js';
import { NO_TEST_CLOCK } from '../lifecycle/support/gateway-process.js';
import { DEMO, startTestStack, type TestStack } from '../support/stack.js';

/**
 * /readyz and `tasker-agent doctor` tell the truth about Tasker: readiness reports it (with the last
 * error and when) but lets only the database decide 200/503; doctor says which side is broken.
 * Tasker "down" is the fault proxy, a real loopback hop, resetting every connection.
 */
interface Readiness {
  status: string;
  checks: {
    database: string;
    tasker: { status: string; lastSuccessAt: string | null; lastError: { code: string; status: number | null; at: string } | null };
  };
}

let stack: TestStack;
let agent: { agentId: string; token: string; tokenId: string };
const temp = tempDirs();
const BIN = fileURLToPath(new URL('../../bin/tasker-agent.js', import.meta.url));

beforeAll(async () => {
  stack = await startTestStack();
  agent = await stack.agentWith({ [DEMO.id]: ['PROJECTS_READ', 'ISSUES_READ'] }, 'Doctor patient');
});
afterAll(async () => {
  await stack.close();
  temp.removeAll();
});
beforeEach(() => stack.proxy.reset());

const readiness = () => rest<Readiness>(stack.gateway, 'GET', '/readyz');
const listIssues = () => runOperation(stack.gateway, 'ListIssues', { token: agent.token, variables: { projectId: DEMO.id } });

describe('/readyz', () => {
  it('reports Tasker as unknown until a call, then reachable with the time of the last success', async () => {
    // Nothing has called Tasker yet: setting up the agent is the gateway's own business.
    expect(await readiness()).toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { database: 'ok', tasker: { status: 'unknown', lastSuccessAt: null, lastError: null } } },
    });
    const before = Date.now();
    expect((await listIssues()).status).toBe(200);
    const ready = await readiness();
    expect(ready.body.checks.tasker.status).toBe('reachable');
    expect(Date.parse(ready.body.checks.tasker.lastSuccessAt!)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('stays 200 while Tasker is down, naming the last error and when it was seen; recovers with Tasker', async () => {
    stack.proxy.inject({ kind: 'reset' });
    const failed = await listIssues();
    expect(failed.errors?.[0]?.extensions.code).toBe('TASKER_UNAVAILABLE');
    const down = await readiness();
    expect(down).toMatchObject({ status: 200, body: { status: 'ready', checks: { database: 'ok', tasker: { status: 'unreachable', lastError: { code: 'TASKER_UNAVAILABLE', status: null } } } } });
    expect(Number.isNaN(Date.parse(down.body.checks.tasker.lastError!.at))).toBe(false);

    stack.proxy.reset();
    await listIssues();
    const back = await readiness();
    expect(back.body.checks.tasker).toMatchObject({ status: 'reachable', lastError: { code: 'TASKER_UNAVAILABLE' } });
  });

  it('says so when Tasker refuses the gateway’s signature', async () => {
    stack.proxy.inject({ kind: 'status', status: 401 });
    await listIssues();
    expect((await readiness()).body.checks.tasker).toMatchObject({ status: 'rejected', lastError: { code: 'TASKER_REJECTED', status: 401 } });
  });

  it('reports a gateway without Tasker as unconfigured', async () => {
    const gateway = await startTestGateway();
    try {
      expect((await rest<Readiness>(gateway, 'GET', '/readyz')).body.checks.tasker.status).toBe('unconfigured');
    } finally {
      await gateway.close();
    }
  });
});

function cli(args: string[], configDir: string): Promise<ProgramRun> {
  return runProgram([BIN, ...args], { env: { TASKER_AGENT_CONFIG_DIR: configDir } });
}

describe('tasker-agent doctor', () => {
  it('checks gateway → Tasker and says which side is broken', NO_TEST_CLOCK, async () => {
    const pairing = await graphql<{ createPairingCode: { code: string } }>(stack.gateway, 'mutation($i: CreatePairingCodeInput!) { createPairingCode(input: $i) { code } }', {
      token: stack.owner,
      variables: { i: { agentId: agent.agentId } },
    });
    const dir = join(temp.make('obs-doctor-'), 'config');
    const paired = await cli(['pair', pairing.data!.createPairingCode.code, '--gateway', stack.gateway.url], dir);
    expect(paired.code, paired.stderr).toBe(0);

    const healthy = await cli(['doctor'], dir);
    expect(healthy.code, healthy.stdout).toBe(0);
    expect(healthy.stdout).toContain('ok    gateway → Tasker: Tasker answers');

    stack.proxy.inject({ kind: 'reset' });
    const down = await cli(['doctor'], dir);
    expect(down.code).toBe(1);
    expect(down.stdout).toContain('ok    gateway is ready');
    expect(down.stdout).toMatch(/FAIL {2}gateway → Tasker: the gateway works, but Tasker behind it does not answer \(TASKER_UNAVAILABLE\); the Tasker side is broken/);
    expect(down.stdout).toMatch(/the gateway's last Tasker error: TASKER_UNAVAILABLE at \d{4}-/);

    stack.proxy.inject({ kind: 'status', status: 401 });
    const rejected = await cli(['doctor'], dir);
    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toContain("FAIL  gateway → Tasker: Tasker refuses the gateway's signature (TASKER_REJECTED)");
  });
});
