import { sql } from 'kysely';
import type { Executor } from '../database.js';

/** The channel every gateway instance LISTENs on for changes to agents, grants and tokens. */
export const PRINCIPAL_CHANGES_CHANNEL = 'tasker_gateway_principal_changes';

/**
 * Tells every instance that an agent's principals changed. Sent inside the changing transaction,
 * PostgreSQL delivers it when (and only if) the transaction commits.
 */
export async function notifyPrincipalChange(trx: Executor, payload: string): Promise<void> {
  await sql`select pg_notify(${PRINCIPAL_CHANGES_CHANNEL}, ${payload})`.execute(trx);
}
