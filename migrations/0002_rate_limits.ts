import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Rate-limit counters shared by every gateway replica on this database (src/rate-limit/). The
 * shape is the one rate-limiter-flexible's PostgreSQL store reads and writes: a key (tier and
 * caller), the points used in the current window, and when the window ends (ms since the epoch).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', sql`varchar(255)`, (c) => c.primaryKey())
    .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expire', 'bigint')
    .execute();
  await db.schema.createIndex('rate_limits_expire_idx').on('rate_limits').column('expire').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rate_limits').execute();
}
