import { randomUUID } from 'node:crypto';
import type { ConformanceCheck } from '../check.js';
import { ensure, expectEqual, expectError, expectOk } from '../expect.js';
import { IssueResponse } from '../schemas.js';
import { issuePath, searchIds } from './helpers.js';

function freshKey(): string {
  return `conformance-${randomUUID()}`;
}

export const idempotencyChecks: readonly ConformanceCheck[] = [
  {
    name: 'idempotency: a write without Idempotency-Key is 400 naming the header',
    async run(ctx) {
      const { project } = await ctx.project();
      const token = ctx.token('nokey');
      const issue = await ctx.createIssue();
      const writes = [
        ['create', () => ctx.client.call('POST', '/issues', { body: { project_id: project.id, title: token }, idempotencyKey: null })],
        [
          'patch',
          () => ctx.client.call('PATCH', issuePath(issue), { body: { project_id: project.id, title: token }, idempotencyKey: null }),
        ],
      ] as const;
      for (const [what, call] of writes) {
        const envelope = expectError(await call(), 400, 'VALIDATION_FAILED', `${what} without Idempotency-Key`);
        expectEqual(envelope.error.details?.['field'], 'Idempotency-Key', `${what}: details.field`);
      }
      expectEqual(await searchIds(ctx, token), [], 'issues created without a key');
    },
  },
  {
    name: 'idempotency: the same key and body replays the first answer and creates nothing new',
    async run(ctx) {
      const { project } = await ctx.project();
      const token = ctx.token('replay');
      const idempotencyKey = freshKey();
      const body = { project_id: project.id, title: `${token} once` };
      const first = await ctx.client.call('POST', '/issues', { body, idempotencyKey });
      const created = expectOk(first, 201, IssueResponse, 'first create');
      ensure(first.headers['idempotent-replayed'] !== 'true', 'the first answer claims to be a replay');

      const again = await ctx.client.call('POST', '/issues', { body, idempotencyKey });
      const replayed = expectOk(again, 201, IssueResponse, 'repeated create');
      expectEqual(again.headers['idempotent-replayed'], 'true', 'Idempotent-Replayed header on the repeat');
      expectEqual(replayed, created, 'the replayed answer');
      expectEqual(await searchIds(ctx, token), [created.issue.id], 'issues with the title after two sends');
    },
  },
  {
    name: 'idempotency: the same key with a different request is 422 IDEMPOTENCY_KEY_REUSED',
    async run(ctx) {
      const { project } = await ctx.project();
      const token = ctx.token('reuse');
      const idempotencyKey = freshKey();
      const firstBody = { project_id: project.id, title: `${token} first` };
      const first = await ctx.client.call('POST', '/issues', { body: firstBody, idempotencyKey });
      const { issue } = expectOk(first, 201, IssueResponse, 'first create');

      const otherBody = await ctx.client.call('POST', '/issues', {
        body: { project_id: project.id, title: `${token} second` },
        idempotencyKey,
      });
      expectError(otherBody, 422, 'IDEMPOTENCY_KEY_REUSED', 'same key, different body');
      const otherPath = await ctx.client.call('PATCH', issuePath(issue), {
        body: { project_id: project.id, title: `${token} first` },
        idempotencyKey,
      });
      expectError(otherPath, 422, 'IDEMPOTENCY_KEY_REUSED', 'same key, different method and path');
      expectEqual(await searchIds(ctx, token), [issue.id], 'issues after the refused reuse');
    },
  },
  {
    name: 'idempotency: a failed write stores nothing and the key stays usable',
    async run(ctx) {
      const { project } = await ctx.project();
      const token = ctx.token('retry');
      const idempotencyKey = freshKey();
      const failed = await ctx.client.call('POST', '/issues', {
        body: { project_id: project.id, title: `${token} retry`, state_id: randomUUID() },
        idempotencyKey,
      });
      expectError(failed, 400, 'VALIDATION_FAILED', 'create with an unknown state');
      const corrected = { project_id: project.id, title: `${token} retry` };
      const retried = await ctx.client.call('POST', '/issues', { body: corrected, idempotencyKey });
      const { issue } = expectOk(retried, 201, IssueResponse, 'corrected create with the same key');
      ensure(retried.headers['idempotent-replayed'] !== 'true', 'the corrected write was answered as a replay');
      expectEqual(await searchIds(ctx, token), [issue.id], 'issues after the retry');
    },
  },
  {
    name: 'idempotency: keys are scoped per agent',
    async run(ctx) {
      const { project } = await ctx.project();
      const token = ctx.token('agents');
      const idempotencyKey = freshKey();
      const body = { project_id: project.id, title: `${token} per agent` };
      const first = expectOk(await ctx.client.call('POST', '/issues', { body, idempotencyKey }), 201, IssueResponse, 'as the agent');
      const otherAgent = await ctx.client.call('POST', '/issues', {
        body,
        idempotencyKey,
        as: { agentId: `${ctx.options.agentId}-second` },
      });
      const second = expectOk(otherAgent, 201, IssueResponse, 'as a second agent with the same key');
      ensure(otherAgent.headers['idempotent-replayed'] !== 'true', "the second agent got the first agent's answer");
      ensure(second.issue.id !== first.issue.id, 'the second agent did not get its own issue');
    },
  },
];
