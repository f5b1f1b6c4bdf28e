import { sql } from 'kysely';
import type { Executor } from '../database.js';
import type { IdempotencyKeyRow } from '../tables.js';

/**
 * Keys are addressed by their hash (src/idempotency/key-hash.ts), never by the key as the agent wrote it.
 * Claims a key for a request; returns undefined when the agent already holds that key. */
export async function claimIdempotencyKey(
  db: Executor,
  claim: { agentId: string; keyHash: string; operation: string; requestHash: string; expiresAt: Date },
): Promise<IdempotencyKeyRow | undefined> {
  return db
    .insertInto('idempotency_keys')
    .values({
      agent_id: claim.agentId,
      key_hash: claim.keyHash,
      operation: claim.operation,
      request_hash: claim.requestHash,
      status: 'in_progress',
      response: null,
      expires_at: claim.expiresAt,
    })
    .onConflict((oc) => oc.columns(['agent_id', 'key_hash']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findIdempotencyKeyForUpdate(db: Executor, agentId: string, keyHash: string): Promise<IdempotencyKeyRow | undefined> {
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('agent_id', '=', agentId)
    .where('key_hash', '=', keyHash)
    .forUpdate()
    .executeTakeFirst();
}

export async function completeIdempotencyKey(db: Executor, agentId: string, keyHash: string, response: unknown): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ status: 'completed', response: JSON.stringify(response) })
    .where('agent_id', '=', agentId)
    .where('key_hash', '=', keyHash)
    .execute();
}

export async function releaseIdempotencyKey(db: Executor, agentId: string, keyHash: string): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('agent_id', '=', agentId)
    .where('key_hash', '=', keyHash)
    .where('status', '=', 'in_progress')
    .execute();
}

export async function deleteExpiredIdempotencyKeys(db: Executor, now: Date): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Takes over a claim whose holder died (a crash mid-call leaves it in progress forever otherwise). */
export async function reclaimIdempotencyKey(
  db: Executor,
  claim: { agentId: string; keyHash: string; operation: string; requestHash: string; expiresAt: Date },
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({
      operation: claim.operation,
      request_hash: claim.requestHash,
      status: 'in_progress',
      response: null,
      created_at: sql`now()`,
      expires_at: claim.expiresAt,
    })
    .where('agent_id', '=', claim.agentId)
    .where('key_hash', '=', claim.keyHash)
    .execute();
}
