import { sql } from 'kysely';
import type { Executor } from '../database.js';
import type { IdempotencyKeyRow } from '../tables.js';

/** Claims a key for a request; returns undefined when the agent already holds that key. */
export async function claimIdempotencyKey(
  db: Executor,
  claim: { agentId: string; key: string; operation: string; requestHash: string; expiresAt: Date },
): Promise<IdempotencyKeyRow | undefined> {
  return db
    .insertInto('idempotency_keys')
    .values({
      agent_id: claim.agentId,
      key: claim.key,
      operation: claim.operation,
      request_hash: claim.requestHash,
      status: 'in_progress',
      response: null,
      expires_at: claim.expiresAt,
    })
    .onConflict((oc) => oc.columns(['agent_id', 'key']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findIdempotencyKeyForUpdate(db: Executor, agentId: string, key: string): Promise<IdempotencyKeyRow | undefined> {
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('agent_id', '=', agentId)
    .where('key', '=', key)
    .forUpdate()
    .executeTakeFirst();
}

export async function completeIdempotencyKey(db: Executor, agentId: string, key: string, response: unknown): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ status: 'completed', response: JSON.stringify(response) })
    .where('agent_id', '=', agentId)
    .where('key', '=', key)
    .execute();
}

export async function releaseIdempotencyKey(db: Executor, agentId: string, key: string): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('agent_id', '=', agentId)
    .where('key', '=', key)
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
  claim: { agentId: string; key: string; operation: string; requestHash: string; expiresAt: Date },
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
    .where('key', '=', claim.key)
    .execute();
}
