import { randomUUID } from 'node:crypto';
import { sha256Hex } from '../auth/signature.js';
import { IDEMPOTENCY_LEASE_SECONDS, IDEMPOTENCY_RETENTION_SECONDS } from '../contract.js';
import { ApiError } from '../errors.js';
import type { RouteRequest, WriteRoute } from '../handlers/route.js';
import type { Sql } from '../storage/sql.js';
import { recordActivity } from '../store/activity.js';
import { diffIssue, recordHistory } from '../store/history.js';
import { loadIssue } from '../store/issues.js';
import { claimKey, completeKey, releaseKey, type IdempotencyScope } from '../store/idempotency.js';
import type { Outgoing } from './reply.js';

export interface WriteInvocation {
  route: WriteRoute;
  request: RouteRequest;
  idempotencyKey: string;
  requestId: string;
  /** What makes two requests "the same" for the key: method, path with query, body digest. */
  method: string;
  pathWithQuery: string;
  rawBody: Uint8Array;
}

function requestDigest(invocation: WriteInvocation): string {
  return sha256Hex([invocation.method.toUpperCase(), invocation.pathWithQuery, sha256Hex(invocation.rawBody)].join('\n'));
}

function secondsAfter(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}

/**
 * Runs a write at most once per (agent id, key). The write, its activity row and the stored
 * answer commit together; a write that fails stores nothing and gives the key back.
 */
export async function runIdempotentWrite(sql: Sql, invocation: WriteInvocation): Promise<Outgoing> {
  const { request } = invocation;
  const scope: IdempotencyScope = { agentId: request.actor.agentId, key: invocation.idempotencyKey };
  const claim = await claimKey(sql, scope, {
    digest: requestDigest(invocation),
    claimToken: randomUUID(),
    now: request.now,
    leaseUntil: secondsAfter(request.now, IDEMPOTENCY_LEASE_SECONDS),
  });
  switch (claim.kind) {
    case 'completed':
      return { status: claim.responseStatus, body: claim.responseBody, headers: { 'Idempotent-Replayed': 'true' } };
    case 'in_progress':
      throw new ApiError('IDEMPOTENCY_IN_PROGRESS', 'a request with this Idempotency-Key is still being processed');
    case 'reused':
      throw new ApiError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used for a different request');
    case 'claimed':
      break;
  }

  try {
    return await sql.transaction(async (tx) => {
      const addressed = request.params.issueId;
      const before = addressed === undefined ? null : await loadIssue(tx, addressed);
      const reply = await invocation.route.handle(request, tx);
      const after = await loadIssue(tx, reply.activity.issueId);
      const changes = [...(after === null ? [] : diffIssue(before, after)), ...(reply.history ?? [])];
      await recordHistory(tx, reply.activity.issueId, changes, { userId: request.actor.ownerUserId, agentId: request.actor.agentId }, request.now);
      const body = JSON.stringify(reply.body);
      await recordActivity(tx, {
        ...reply.activity,
        agentId: request.actor.agentId,
        ownerUserId: request.actor.ownerUserId,
        requestId: invocation.requestId,
        idempotencyKey: invocation.idempotencyKey,
        at: request.now,
      });
      await completeKey(tx, scope, claim.claimToken, {
        status: reply.status,
        body,
        expiresAt: secondsAfter(request.now, IDEMPOTENCY_RETENTION_SECONDS),
      });
      return { status: reply.status, body };
    });
  } catch (error) {
    // If even the release fails, the claim's lease runs out on its own; the write's error is
    // the one worth reporting.
    await releaseKey(sql, scope, claim.claimToken).catch(() => undefined);
    throw error;
  }
}
