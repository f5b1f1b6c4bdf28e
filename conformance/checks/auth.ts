import { randomUUID } from 'node:crypto';
import type { ConformanceCheck } from '../check.js';
import type { ConformanceContext } from '../context.js';
import { ensure, expectError, expectOk } from '../expect.js';
import { signingKey } from '../../src/tasker/signing.js';
import { ContextResponse, ResolveResponse } from '../schemas.js';

const TEN_MINUTES_MS = 10 * 60 * 1000;
const SIGNATURE_HEADERS = [
  'x-nodedc-key-id',
  'x-nodedc-timestamp',
  'x-nodedc-nonce',
  'x-nodedc-agent-id',
  'x-nodedc-owner-user-id',
  'x-nodedc-signature',
] as const;

async function contextPath(ctx: ConformanceContext): Promise<string> {
  const { project } = await ctx.project();
  return `/projects/${encodeURIComponent(project.id)}/context`;
}

/** Returns headers without `name` (header names are lower-case in signed requests). */
function without(name: string) {
  return (headers: Record<string, string>): Record<string, string> => {
    const copy = { ...headers };
    delete copy[name];
    return copy;
  };
}

function replacing(name: string, value: string) {
  return (headers: Record<string, string>): Record<string, string> => ({ ...headers, [name]: value });
}

export const authChecks: readonly ConformanceCheck[] = [
  {
    name: 'auth: a request without signature headers is refused with 401 UNSIGNED_REQUEST',
    async run(ctx) {
      const path = await contextPath(ctx);
      const bare = await ctx.client.send({ method: 'GET', target: ctx.client.target(path), headers: {}, body: '' });
      expectError(bare, 401, 'UNSIGNED_REQUEST', 'no headers at all');
      for (const header of SIGNATURE_HEADERS) {
        const response = await ctx.client.call('GET', path, { tamper: without(header) });
        expectError(response, 401, 'UNSIGNED_REQUEST', `without ${header}`);
      }
    },
  },
  {
    name: 'auth: malformed signature headers are refused with 401 UNSIGNED_REQUEST',
    async run(ctx) {
      const path = await contextPath(ctx);
      const malformed: [string, (headers: Record<string, string>) => Record<string, string>][] = [
        ['a nonce that is not 32 lowercase hex chars', replacing('x-nodedc-nonce', 'NOT-A-NONCE')],
        ['a timestamp that is not a number', replacing('x-nodedc-timestamp', 'yesterday')],
        [
          'a signature without the v2= prefix',
          (headers) => ({ ...headers, 'x-nodedc-signature': (headers['x-nodedc-signature'] ?? '').slice(3) }),
        ],
        [
          'a v1= signature (contract v1)',
          (headers) => ({ ...headers, 'x-nodedc-signature': `v1=${(headers['x-nodedc-signature'] ?? '').slice(3)}` }),
        ],
        ['a signature that is not hex', replacing('x-nodedc-signature', `v2=${'z'.repeat(64)}`)],
        ['a key id with a space in it', replacing('x-nodedc-key-id', 'key one')],
        ['a key id longer than 64 characters', replacing('x-nodedc-key-id', 'k'.repeat(65))],
      ];
      for (const [what, tamper] of malformed) {
        expectError(await ctx.client.call('GET', path, { tamper }), 401, 'UNSIGNED_REQUEST', what);
      }
    },
  },
  {
    name: 'auth: a timestamp more than 300 s off is refused with 401 STALE_REQUEST',
    async run(ctx) {
      const path = await contextPath(ctx);
      const past = await ctx.client.call('GET', path, { now: () => Date.now() - TEN_MINUTES_MS });
      expectError(past, 401, 'STALE_REQUEST', 'signed ten minutes ago');
      const future = await ctx.client.call('GET', path, { now: () => Date.now() + TEN_MINUTES_MS });
      expectError(future, 401, 'STALE_REQUEST', 'signed ten minutes ahead');
    },
  },
  {
    name: 'auth: a key id the server does not hold is refused with 401 UNKNOWN_SIGNING_KEY',
    async run(ctx) {
      const path = await contextPath(ctx);
      const unknownId = `conformance-unknown-${ctx.runId}`;
      const signed = await ctx.client.call('GET', path, { key: { id: unknownId, secret: ctx.client.key.secret } });
      expectError(signed, 401, 'UNKNOWN_SIGNING_KEY', 'signed with the right secret under an unknown key id');
      const relabelled = await ctx.client.call('GET', path, { tamper: replacing('x-nodedc-key-id', unknownId) });
      expectError(relabelled, 401, 'UNKNOWN_SIGNING_KEY', 'key id header changed after signing');
      // Refused before the signature is checked, so the nonce is not spent: the same request, correctly labelled, passes.
      const request = ctx.client.sign('GET', path);
      expectError(
        await ctx.client.send({ ...request, headers: { ...request.headers, 'x-nodedc-key-id': unknownId } }),
        401,
        'UNKNOWN_SIGNING_KEY',
        'unknown key id',
      );
      expectOk(await ctx.client.send(request), 200, ContextResponse, 'the same nonce after an unknown key id');
    },
  },
  {
    name: 'auth: during a rotation both keys are accepted, each only under its own id',
    skipReason: (options) => (options.previousKey === undefined ? 'needs TASKER_SIGNING_SECRET_PREVIOUS (a second key Tasker holds)' : undefined),
    async run(ctx) {
      const previous = ctx.options.previousKey;
      ensure(previous !== undefined, 'no previous key was given');
      const previousKey = signingKey(previous.secret, previous.id);
      ensure(previousKey.id !== ctx.client.key.id, 'the previous key has the same id as the current one');
      const path = await contextPath(ctx);
      expectOk(await ctx.client.call('GET', path), 200, ContextResponse, 'signed with the current key');
      expectOk(await ctx.client.call('GET', path, { key: previousKey }), 200, ContextResponse, 'signed with the previous key');
      const swapped = await ctx.client.call('GET', path, { key: { id: ctx.client.key.id, secret: previousKey.secret } });
      expectError(swapped, 401, 'BAD_SIGNATURE', 'signed with the previous secret, labelled with the current id');
      const relabelled = await ctx.client.call('GET', path, { key: previousKey, tamper: replacing('x-nodedc-key-id', ctx.client.key.id) });
      expectError(relabelled, 401, 'BAD_SIGNATURE', 'key id header changed to the other known id after signing');
    },
  },
  {
    name: 'auth: a tampered body is refused with 401 BAD_SIGNATURE',
    async run(ctx) {
      const { project } = await ctx.project();
      const resolve = ctx.client.sign('POST', '/projects/resolve', { body: { query: project.identifier } });
      resolve.body = JSON.stringify({ query: project.name });
      expectError(await ctx.client.send(resolve), 401, 'BAD_SIGNATURE', 'resolve with a changed body');
      const create = await ctx.client.call('POST', '/issues', {
        body: { project_id: project.id, title: `[conformance ${ctx.runId}] signed title` },
        sendBody: JSON.stringify({ project_id: project.id, title: `[conformance ${ctx.runId}] tampered title` }),
      });
      expectError(create, 401, 'BAD_SIGNATURE', 'create with a changed body');
    },
  },
  {
    name: 'auth: tampered identity headers are refused with 401 BAD_SIGNATURE',
    async run(ctx) {
      const path = await contextPath(ctx);
      const owner = await ctx.client.call('GET', path, {
        tamper: replacing('x-nodedc-owner-user-id', ctx.options.outsiderMemberUserId),
      });
      expectError(owner, 401, 'BAD_SIGNATURE', 'owner header swapped after signing');
      const agent = await ctx.client.call('GET', path, { tamper: replacing('x-nodedc-agent-id', `${ctx.options.agentId}-other`) });
      expectError(agent, 401, 'BAD_SIGNATURE', 'agent header swapped after signing');
    },
  },
  {
    name: 'auth: a tampered query, key or secret is refused with 401 BAD_SIGNATURE',
    async run(ctx) {
      const { project } = await ctx.project();
      const list = ctx.client.sign('GET', `/issues?project_id=${encodeURIComponent(project.id)}&limit=1`);
      list.target = list.target.replace('limit=1', 'limit=2');
      expectError(await ctx.client.send(list), 401, 'BAD_SIGNATURE', 'query string changed after signing');

      const key = await ctx.client.call('POST', '/issues', {
        body: { project_id: project.id, title: `[conformance ${ctx.runId}] key swap` },
        tamper: replacing('idempotency-key', `conformance-swapped-${ctx.runId}`),
      });
      expectError(key, 401, 'BAD_SIGNATURE', 'Idempotency-Key changed after signing');

      const secret = await ctx.client.call('GET', `/projects/${encodeURIComponent(project.id)}/context`, {
        secret: `${ctx.options.secret}-but-wrong`,
      });
      expectError(secret, 401, 'BAD_SIGNATURE', 'signed with another secret');
    },
  },
  {
    name: 'auth: a replayed nonce is refused with 401 REPLAYED_REQUEST',
    async run(ctx) {
      const signed = ctx.client.sign('GET', await contextPath(ctx));
      expectOk(await ctx.client.send(signed), 200, ContextResponse, 'first use of the nonce');
      expectError(await ctx.client.send(signed), 401, 'REPLAYED_REQUEST', 'same request, same nonce, sent again');
    },
  },
  {
    name: 'auth: X-Request-Id is echoed on success and on error',
    async run(ctx) {
      const { project } = await ctx.project();
      const ok = ctx.client.sign('POST', '/projects/resolve', { body: { query: project.identifier } });
      const okResponse = await ctx.client.send(ok);
      expectOk(okResponse, 200, ResolveResponse, 'resolve');
      ensure(okResponse.headers['x-request-id'] === ok.headers['x-request-id'], 'X-Request-Id was not echoed on a 200');

      const missing = ctx.client.sign('GET', `/issues/${randomUUID()}`);
      const missingResponse = await ctx.client.send(missing);
      expectError(missingResponse, 404, 'NOT_FOUND', 'unknown issue');
      ensure(missingResponse.headers['x-request-id'] === missing.headers['x-request-id'], 'X-Request-Id was not echoed on a 404');
    },
  },
];
