import { type Kysely, sql } from 'kysely';
import type { Database } from '../../src/db/tables.js';

/**
 * A large audit log for the benchmarks of the Launcher's audit queries: `rows` events, 1,000 users
 * owning 5 agents each, spread over the 400 days before 2026-06-01; 70% agent calls, 25% Launcher
 * actions (one in ten by another user, as an admin acting on someone's agent), 5% anonymous
 * refusals. Inserted by the database itself in chunks of 10,000 (each well within the gateway's
 * client-side query timeout, on a busy machine too), then analysed. Agent 7 (of
 * SEEDED_USER) also gets its agent record: the Launcher's agent filter answers NOT_FOUND without one.
 */
export const SEEDED_USER = 'user-7';
/** The uuid the seed gives agent n (its owner is user-(n % 1000)). */
export const seededAgentUuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

export async function seedAuditEvents(db: Kysely<Database>, rows: number): Promise<void> {
  const chunk = 10_000;
  await db
    .insertInto('agents')
    .values({ id: seededAgentUuid(7), owner_user_id: SEEDED_USER, owner_email: `${SEEDED_USER}@example.test`, display_name: 'seeded agent 7' })
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute();
  for (let from = 0; from < rows; from += chunk) {
    const to = Math.min(rows, from + chunk) - 1;
    // A chunk may outlast the gateway's statement timeout (it maintains five indexes): no timeout for it.
    await db.transaction().execute(async (trx) => {
      await sql`set local statement_timeout = 0`.execute(trx);
      await sql`
      insert into audit_events (occurred_at, request_id, actor_kind, actor_id, agent_id, owner_user_id, action, outcome, latency_ms)
      select timestamptz '2026-06-01T00:00:00Z' - make_interval(secs => ((${rows}::int - i) * (400 * 86400.0 / ${rows}::int))::double precision),
             'req-' || i,
             case when i % 20 = 0 then 'anonymous' when i % 4 = 1 then 'launcher' else 'agent' end,
             case when i % 20 = 0 then null
                  when i % 4 = 1 then 'user-' || (case when i % 40 = 1 then (i / 7) % 1000 else (i % 5000) % 1000 end)
                  else '00000000-0000-4000-8000-' || lpad(to_hex(i % 5000), 12, '0') end,
             case when i % 20 = 0 then null else ('00000000-0000-4000-8000-' || lpad(to_hex(i % 5000), 12, '0'))::uuid end,
             case when i % 20 = 0 then null else 'user-' || ((i % 5000) % 1000) end,
             case when i % 4 = 1 then 'agent.setGrant' else 'agent.listIssues' end,
             case when i % 20 = 0 then 'denied' else 'succeeded' end,
             (i % 97)
      from generate_series(${from}::int, ${to}::int) as i`.execute(trx);
    });
  }
  await sql`analyze audit_events`.execute(db);
}
