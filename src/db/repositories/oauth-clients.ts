import type { Executor } from '../database.js';
import type { NewOAuthClient, OAuthClientRow } from '../tables.js';

export async function findClient(db: Executor, clientId: string): Promise<OAuthClientRow | undefined> {
  return db.selectFrom('oauth_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}

export async function insertClient(db: Executor, client: NewOAuthClient): Promise<OAuthClientRow> {
  return db.insertInto('oauth_clients').values(client).returningAll().executeTakeFirstOrThrow();
}
