import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentPrincipal, AnonymousPrincipal, LauncherPrincipal } from '../../src/auth/principal.js';
import { recordAgentChange, recordAudit, requestWasAudited, type RequestMeta } from '../../src/audit/audit-log.js';
import { markAudited, wasAudited } from '../../src/audit/audited-errors.js';
import { recordRefusal } from '../../src/audit/refusals.js';
import { type Db, openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { GatewayError } from '../../src/errors/gateway-error.js';
import { createLogger } from '../../src/logging/logger.js';
import { registry } from '../../src/observability/metrics.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * The audit trail's own rules, on a real migrated database: what one event holds for each kind of
 * caller, what it never holds (a secret, a control character), which refusals are recorded and
 * which are left to another layer, and that a failed audit write never turns into a second error.
 * The surfaces' "one event per call" is in one-event-per-call.test.ts.
 */
let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await database.open();
  await migrateToLatest(db);
});
afterAll(async () => {
  await db.destroy();
  await database.drop();
});

let requests = 0;
const meta = (extra: Partial<RequestMeta> = {}): RequestMeta => ({
  requestId: `00000000-0000-4000-8000-${String((requests += 1)).padStart(12, '0')}`,
  clientAddress: '127.0.0.1',
  ...extra,
});

const launcher: LauncherPrincipal = { kind: 'launcher', userId: 'user-1', email: 'user-1@example.test', role: 'user' };
const agent: AgentPrincipal = {
  kind: 'agent',
  agentId: '11111111-1111-4111-8111-111111111111',
  agentName: 'Audited agent',
  ownerUserId: 'owner-1',
  ownerEmail: 'owner-1@example.test',
  tokenId: '22222222-2222-4222-8222-222222222222',
  tokenExpiresAt: new Date('2099-01-01T00:00:00Z'),
  tokenResource: null,
  grants: new Map(),
};
const anonymous: AnonymousPrincipal = { kind: 'anonymous' };
const OTHER_AGENT = '44444444-4444-4444-8444-444444444444';

/** The one event a request left; more or fewer fails. */
async function eventOf(request: RequestMeta) {
  const rows = await db.selectFrom('audit_events').selectAll().where('request_id', '=', request.requestId).execute();
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

const eventsOf = (request: RequestMeta) => db.selectFrom('audit_events').selectAll().where('request_id', '=', request.requestId).execute();

const GITHUB_TOKEN = `ghp_${'a1B2c3D4e5'.repeat(4).slice(0, 36)}`;

describe('recordAudit', () => {
  it('files a Launcher action under the user, with every field the caller gave', async () => {
    const request = meta({ correlationId: 'caller-id-1', clientAddress: '10.0.0.7' });
    await recordAudit(db, launcher, request, {
      action: 'launcher.createAgent',
      outcome: 'succeeded',
      agentId: agent.agentId,
      ownerUserId: 'user-1',
      targetType: 'agent',
      targetId: 'target-1',
      reason: 'because',
      taskerStatus: 201,
      latencyMs: 12.6,
      details: { name: 'x' },
    });
    expect(await eventOf(request)).toMatchObject({
      request_id: request.requestId,
      correlation_id: 'caller-id-1',
      client_address: '10.0.0.7',
      actor_kind: 'launcher',
      actor_id: 'user-1',
      agent_id: agent.agentId,
      owner_user_id: 'user-1',
      action: 'launcher.createAgent',
      outcome: 'succeeded',
      target_type: 'agent',
      target_id: 'target-1',
      reason: 'because',
      tasker_status: 201,
      latency_ms: 13,
      details: { name: 'x' },
    });
  });

  it('leaves out what was not given, and a Launcher event names no agent or owner of its own', async () => {
    const request = meta();
    await recordAudit(db, launcher, request, { action: 'launcher.listAgents', outcome: 'failed' });
    expect(await eventOf(request)).toMatchObject({
      correlation_id: null,
      agent_id: null,
      owner_user_id: null,
      target_type: null,
      target_id: null,
      reason: null,
      tasker_status: null,
      latency_ms: null,
      details: {},
    });
  });

  it("files an agent's call under the agent and its owner, naming the token", async () => {
    const request = meta();
    await recordAudit(db, agent, request, { action: 'agent.listIssues', outcome: 'succeeded', details: { projectId: 'p' } });
    expect(await eventOf(request)).toMatchObject({
      actor_kind: 'agent',
      actor_id: agent.agentId,
      agent_id: agent.agentId,
      owner_user_id: 'owner-1',
      details: { tokenId: agent.tokenId, projectId: 'p' },
    });
  });

  it("keeps the agent and owner a caller names over the principal's", async () => {
    const request = meta();
    await recordAudit(db, agent, request, { action: 'agent.x', outcome: 'denied', agentId: OTHER_AGENT, ownerUserId: 'other-owner' });
    expect(await eventOf(request)).toMatchObject({ agent_id: OTHER_AGENT, owner_user_id: 'other-owner' });
  });

  it('records an anonymous caller with no actor id', async () => {
    const request = meta();
    await recordAudit(db, anonymous, request, { action: 'anonymous.x', outcome: 'denied', latencyMs: 0.4 });
    expect(await eventOf(request)).toMatchObject({ actor_kind: 'anonymous', actor_id: null, agent_id: null, owner_user_id: null, latency_ms: 0, details: {} });
  });

  it('redacts secrets and neutralizes control characters in the reason and the details, keys included', async () => {
    const request = meta();
    await recordAudit(db, agent, request, {
      action: 'agent.x',
      outcome: 'failed',
      reason: `leaked ${GITHUB_TOKEN}\u001b[31m`,
      details: { note: `again ${GITHUB_TOKEN}`, 'bell\u0007': 'ring\u0007' },
    });
    const event = await eventOf(request);
    expect(event.reason).toBe('leaked [REDACTED github_token]\\u001B[31m');
    expect(event.details).toEqual({ tokenId: agent.tokenId, note: 'again [REDACTED github_token]', 'bell\\u0007': 'ring\\u0007' });
    expect(JSON.stringify(event)).not.toContain(GITHUB_TOKEN);
  });

  it('marks the request as audited, and only that request', async () => {
    const request = meta();
    const other = meta();
    expect(requestWasAudited(request)).toBe(false);
    await recordAudit(db, launcher, request, { action: 'launcher.x', outcome: 'succeeded' });
    expect(requestWasAudited(request)).toBe(true);
    expect(requestWasAudited(other)).toBe(false);
  });

  it('observes the write in seconds, never more than the call took', async () => {
    const metric = registry.getSingleMetric('gateway_audit_write_duration_seconds')!;
    const valueOf = async (name: string) => (await metric.get()).values.find((value) => (value as { metricName?: string }).metricName === name)!.value;
    const sumOf = () => valueOf('gateway_audit_write_duration_seconds_sum');
    const countOf = () => valueOf('gateway_audit_write_duration_seconds_count');
    const [sumBefore, countBefore] = [await sumOf(), await countOf()];
    const started = performance.now();
    await recordAudit(db, launcher, meta(), { action: 'launcher.x', outcome: 'succeeded' });
    const tookSeconds = (performance.now() - started) / 1000;
    expect(await countOf()).toBe(countBefore + 1);
    const observed = (await sumOf()) - sumBefore;
    expect(observed).toBeGreaterThan(0);
    expect(observed).toBeLessThanOrEqual(tookSeconds);
  });
});

describe('recordAgentChange', () => {
  const record = { id: '33333333-3333-4333-8333-333333333333', owner_user_id: 'owner-2' };

  it('files a change under the agent and its owner, the agent being the target unless another is named', async () => {
    const request = meta();
    await recordAgentChange(db, launcher, request, record, { action: 'agent.disabled' });
    expect(await eventOf(request)).toMatchObject({
      actor_kind: 'launcher',
      actor_id: 'user-1',
      action: 'agent.disabled',
      outcome: 'succeeded',
      agent_id: record.id,
      owner_user_id: 'owner-2',
      target_type: 'agent',
      target_id: record.id,
      details: {},
    });
  });

  it('names the target and details it is given', async () => {
    const request = meta();
    await recordAgentChange(db, launcher, request, record, { action: 'grant.changed', targetType: 'grant', targetId: 'project-1', details: { scopes: ['issues:read'] } });
    expect(await eventOf(request)).toMatchObject({ target_type: 'grant', target_id: 'project-1', details: { scopes: ['issues:read'] } });
  });
});

describe('markAudited / wasAudited', () => {
  it('remembers the very error object, and ignores what is not an object', () => {
    const error = new Error('refused');
    expect(wasAudited(error)).toBe(false);
    markAudited(error);
    expect(wasAudited(error)).toBe(true);
    expect(wasAudited(new Error('refused'))).toBe(false);
    markAudited('a string');
    markAudited(null);
    expect(wasAudited('a string')).toBe(false);
    expect(wasAudited(null)).toBe(false);
  });
});

describe('recordRefusal', () => {
  const lines: string[] = [];
  const deps = () => ({ db, logger: createLogger('debug', (line) => lines.push(line)) });

  it.each([
    ['FORBIDDEN', 'denied'],
    ['UNAUTHENTICATED', 'denied'],
    ['NOT_FOUND', 'failed'],
    ['BAD_USER_INPUT', 'failed'],
  ] as const)("records a %s refusal of an agent's call as %s, under its owner", async (code, outcome) => {
    const request = meta();
    await recordRefusal(deps(), { principal: agent, meta: request }, 'createIssue', new GatewayError(code, 'no way'));
    expect(await eventOf(request)).toMatchObject({
      actor_kind: 'agent',
      action: 'agent.createIssue',
      outcome,
      reason: `${code}: no way`,
      agent_id: agent.agentId,
      owner_user_id: 'owner-1',
      details: { tokenId: agent.tokenId },
    });
  });

  it('finds the gateway error inside a GraphQL error', async () => {
    const request = meta();
    const error = new GraphQLError('wrapped', { originalError: new GatewayError('FORBIDDEN', 'not yours') });
    await recordRefusal(deps(), { principal: launcher, meta: request }, 'agents', error);
    expect(await eventOf(request)).toMatchObject({ action: 'launcher.agents', outcome: 'denied', reason: 'FORBIDDEN: not yours', owner_user_id: null });
  });

  it("records graphql-js's own refusals by their code", async () => {
    const request = meta();
    await recordRefusal(deps(), { principal: launcher, meta: request }, 'graphql', new GraphQLError('Unknown argument "x"', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
    expect(await eventOf(request)).toMatchObject({ outcome: 'failed', reason: 'GRAPHQL_VALIDATION_FAILED: Unknown argument "x"' });
  });

  it('records a GraphQL error whose code is not text, and an unexpected error, without their message', async () => {
    const odd = meta();
    await recordRefusal(deps(), { principal: launcher, meta: odd }, 'graphql', new GraphQLError('internal detail', { extensions: { code: 42 } }));
    expect(await eventOf(odd)).toMatchObject({ outcome: 'failed', reason: 'unexpected error' });
    const unexpected = meta();
    await recordRefusal(deps(), { principal: launcher, meta: unexpected }, 'graphql', new Error('internal detail'));
    expect(await eventOf(unexpected)).toMatchObject({ outcome: 'failed', reason: 'unexpected error' });
    const coded = meta();
    await recordRefusal(deps(), { principal: launcher, meta: coded }, 'graphql', Object.assign(new Error('internal detail'), { extensions: { code: 'FORBIDDEN' } }));
    expect(await eventOf(coded)).toMatchObject({ outcome: 'failed', reason: 'unexpected error' });
  });

  it('records a database that does not answer as SERVICE_UNAVAILABLE', async () => {
    const request = meta();
    await recordRefusal(deps(), { principal: launcher, meta: request }, 'agents', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect((await eventOf(request)).reason).toMatch(/^SERVICE_UNAVAILABLE: /);
  });

  it('leaves anonymous callers to the logs', async () => {
    const request = meta();
    await recordRefusal(deps(), { principal: anonymous, meta: request }, 'agents', new GatewayError('UNAUTHENTICATED', 'who are you'));
    expect(await eventsOf(request)).toHaveLength(0);
  });

  it('records nothing for an error another layer already audited, bare or wrapped', async () => {
    const bare = new GatewayError('FORBIDDEN', 'already recorded');
    markAudited(bare);
    const first = meta();
    await recordRefusal(deps(), { principal: agent, meta: first }, 'createIssue', bare);
    const wrappedInner = new GatewayError('FORBIDDEN', 'already recorded');
    markAudited(wrappedInner);
    const second = meta();
    await recordRefusal(deps(), { principal: agent, meta: second }, 'createIssue', new GraphQLError('wrapped', { originalError: wrappedInner }));
    expect(await eventsOf(first)).toHaveLength(0);
    expect(await eventsOf(second)).toHaveLength(0);
  });

  it('logs a failed audit write instead of throwing it', async () => {
    // Nothing listens on port 1: every statement fails at once, as with a database that is down.
    const closed = await openDatabase({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none' });
    lines.length = 0;
    const request = meta();
    await expect(
      recordRefusal({ db: closed, logger: createLogger('debug', (line) => lines.push(line)) }, { principal: agent, meta: request }, 'createIssue', new GatewayError('FORBIDDEN', 'no')),
    ).resolves.toBeUndefined();
    expect(lines).toHaveLength(1);
    await closed.destroy();
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'error',
      message: 'could not record a refused call in the audit log',
      requestId: request.requestId,
      action: 'agent.createIssue',
    });
  });
});
