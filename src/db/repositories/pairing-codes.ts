import { sql } from 'kysely';
import type { Executor } from '../database.js';
import type { PairingCodeRow } from '../tables.js';
import type { Scope } from '../../auth/scopes.js';

export interface NewPairingCode {
  agentId: string;
  selector: string;
  codeHash: string;
  tokenName: string;
  scopes: Scope[] | null;
  tokenTtlDays: number;
  createdByUserId: string;
  expiresAt: Date;
}

export async function insertPairingCode(db: Executor, code: NewPairingCode): Promise<PairingCodeRow> {
  return db
    .insertInto('pairing_codes')
    .values({
      agent_id: code.agentId,
      selector: code.selector,
      code_hash: code.codeHash,
      token_name: code.tokenName,
      scopes: code.scopes,
      token_ttl_days: code.tokenTtlDays,
      created_by_user_id: code.createdByUserId,
      expires_at: code.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Expired codes stop holding their selector, so the selector space stays free for new codes. */
export async function retireExpiredPairingCodes(db: Executor, now: Date): Promise<void> {
  await db
    .updateTable('pairing_codes')
    .set({ locked_at: now })
    .where('used_at', 'is', null)
    .where('locked_at', 'is', null)
    .where('expires_at', '<=', now)
    .execute();
}

export async function findOpenPairingCodeBySelectorForUpdate(
  db: Executor,
  selector: string,
): Promise<PairingCodeRow | undefined> {
  return db
    .selectFrom('pairing_codes')
    .selectAll()
    .where('selector', '=', selector)
    .where('used_at', 'is', null)
    .where('locked_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

/** Counts a wrong guess against a pending code and locks the code at the limit, in one statement. */
export async function recordFailedPairingAttempt(
  db: Executor,
  codeId: string,
  maxFailedAttempts: number,
  now: Date,
): Promise<PairingCodeRow> {
  return db
    .updateTable('pairing_codes')
    .set({
      failed_attempts: sql<number>`failed_attempts + 1`,
      locked_at: sql<Date | null>`case when failed_attempts + 1 >= ${maxFailedAttempts} then ${now}::timestamptz else null end`,
    })
    .where('id', '=', codeId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function markPairingCodeUsed(db: Executor, codeId: string, tokenId: string, now: Date): Promise<void> {
  await db.updateTable('pairing_codes').set({ used_at: now, token_id: tokenId }).where('id', '=', codeId).execute();
}
