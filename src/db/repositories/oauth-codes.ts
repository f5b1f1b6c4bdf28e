import type { Executor } from '../database.js';
import type { OAuthCodeRow, OAuthRequestRow } from '../tables.js';

export async function insertCode(db: Executor, code: { codeHash: string; requestId: string; expiresAt: Date; createdAt: Date }): Promise<void> {
  await db
    .insertInto('oauth_authorization_codes')
    .values({ code_hash: code.codeHash, request_id: code.requestId, expires_at: code.expiresAt, created_at: code.createdAt })
    .execute();
}

export interface CodeWithRequest {
  code: OAuthCodeRow;
  request: OAuthRequestRow;
}

/** The code and the approved request it answers, locked: a code is redeemed at most once. */
export async function findCodeForUpdate(db: Executor, codeHash: string): Promise<CodeWithRequest | undefined> {
  const code = await db.selectFrom('oauth_authorization_codes').selectAll().where('code_hash', '=', codeHash).forUpdate().executeTakeFirst();
  if (!code) return undefined;
  const request = await db.selectFrom('oauth_authorization_requests').selectAll().where('id', '=', code.request_id).executeTakeFirstOrThrow();
  return { code, request };
}

export async function markCodeUsed(db: Executor, codeHash: string, usedAt: Date, familyId: string | null): Promise<void> {
  await db.updateTable('oauth_authorization_codes').set({ used_at: usedAt, family_id: familyId }).where('code_hash', '=', codeHash).execute();
}
