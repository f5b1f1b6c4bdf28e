import { z } from 'zod';
import type { Db } from '../db/database.js';
import * as keys from '../db/repositories/idempotency-keys.js';
import { GatewayError } from '../errors/gateway-error.js';
import { sha256Hex } from '../tasker/signing.js';
import { idempotencyKeyHash } from './key-hash.js';

/**
 * Idempotency keys for agent writes (IETF draft "The Idempotency-Key HTTP Header Field"):
 * the same key and input replays the stored answer without a second Tasker call; the same key
 * with another input is IDEMPOTENCY_KEY_REUSED (422); a key still in flight is
 * IDEMPOTENCY_IN_PROGRESS (409); a failed call releases the key so the agent can retry.
 * Keys belong to one agent and live 24 hours; only their hash is stored (key-hash.ts).
 */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A claim older than this without an answer belongs to a call that died; it may be taken over. */
export const ABANDONED_CLAIM_MS = 5 * 60 * 1000;

export const IdempotencyKeySchema = z
  .string()
  .min(1, { message: 'idempotencyKey must not be empty' })
  .max(255, { message: 'idempotencyKey is at most 255 characters' })
  .regex(/^[\x21-\x7e]+$/, { message: 'idempotencyKey must be printable ASCII without spaces' });

export interface IdempotentRun<T> {
  result: T;
  replayed: boolean;
}

/** Stable JSON: object keys sorted, so the same input always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    // sort() without a comparator orders by UTF-16 code unit, never by locale.
    const names = Object.keys(object)
      .filter((key) => object[key] !== undefined)
      .sort();
    return `{${names.map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export async function runIdempotent<T>(
  db: Db,
  now: () => Date,
  request: { agentId: string; key: string; operation: string; input: unknown },
  execute: () => Promise<T>,
): Promise<IdempotentRun<T>> {
  const requestHash = sha256Hex(`${request.operation}\n${canonicalJson(request.input)}`);
  const keyHash = idempotencyKeyHash(request.agentId, request.key);
  const claim = {
    agentId: request.agentId,
    keyHash,
    operation: request.operation,
    requestHash,
    expiresAt: new Date(now().getTime() + IDEMPOTENCY_TTL_MS),
  };

  // A new key (the usual case) is claimed by one statement; only a key already held needs the
  // transaction that locks it and decides.
  const stored = (await keys.claimIdempotencyKey(db, claim)) ? undefined : await decideHeldKey<T>(db, now, claim);
  if (stored) return { result: stored.response, replayed: true };

  let result: T;
  try {
    result = await execute();
  } catch (error) {
    await keys.releaseIdempotencyKey(db, request.agentId, keyHash);
    throw error;
  }
  await keys.completeIdempotencyKey(db, request.agentId, keyHash, result);
  return { result, replayed: false };
}

type Claim = Parameters<typeof keys.claimIdempotencyKey>[1];

const inProgress = () => new GatewayError('IDEMPOTENCY_IN_PROGRESS', 'a request with this idempotency key is still in progress; retry shortly');

/** The key is held already: take it over if it expired or was abandoned, else replay or refuse. */
async function decideHeldKey<T>(db: Db, now: () => Date, claim: Claim): Promise<{ response: T } | undefined> {
  return db.transaction().execute(async (trx) => {
    const existing = await keys.findIdempotencyKeyForUpdate(trx, claim.agentId, claim.keyHash);
    if (!existing) {
      // Released since our claim was refused (the holder's call failed): claim it now. A call
      // quicker still may have claimed it first; that call is in progress, and this one must not run.
      if (await keys.claimIdempotencyKey(trx, claim)) return undefined;
      throw inProgress();
    }
    const at = now().getTime();
    const abandoned = existing.status === 'in_progress' && at - existing.created_at.getTime() > ABANDONED_CLAIM_MS;
    if (existing.expires_at.getTime() <= at || abandoned) {
      await keys.reclaimIdempotencyKey(trx, claim);
      return undefined;
    }
    if (existing.request_hash !== claim.requestHash) {
      throw new GatewayError(
        'IDEMPOTENCY_KEY_REUSED',
        'this idempotency key was already used for a different request; use a new key for a new request',
      );
    }
    if (existing.status === 'in_progress') throw inProgress();
    return { response: existing.response as T };
  });
}
