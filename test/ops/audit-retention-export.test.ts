import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../src/config/config.js';
import { type Db, openDatabase } from '../../src/db/database.js';
import { pruneAuditEvents, startMaintenance } from '../../src/db/maintenance.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createLogger } from '../../src/logging/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { type ProgramRun, runProgram, tempDirs, tsxEntry } from '../support/processes.js';

/**
 * Audit retention and export as an operator runs them: the maintenance timer prunes events past
 * AUDIT_RETENTION_DAYS in small batches, and `npm run audit:export` (the real script, spawned)
 * streams a time range as NDJSON from the same database the gateway uses. On PGlite the database is
 * on disk, so that the spawned export can open it once this process has let go.
 */
const DAY_MS = 86_400_000;
const NOW = new Date('2026-06-01T12:00:00.000Z');
const temp = tempDirs();

let testDatabase: TestDatabase;
let config: DatabaseConfig;
let env: Record<string, string>;
let db: Db;

/** `count` events, one millisecond apart, the newest `daysAgo` days before NOW. */
async function seed(count: number, daysAgo: number, action = 'seed.event'): Promise<void> {
  const newest = new Date(NOW.getTime() - daysAgo * DAY_MS);
  await sql`
    insert into audit_events (occurred_at, request_id, actor_kind, actor_id, owner_user_id, action, outcome, client_address)
    select ${newest}::timestamptz - make_interval(secs => i / 1000.0), 'req-' || i, 'launcher', 'alice', 'alice', ${action}, 'succeeded', '127.0.0.1'
    from generate_series(0, ${count - 1}) as i`.execute(db);
}

const count = async (where = sql`true`) =>
  Number((await sql<{ n: string }>`select count(*) as n from audit_events where ${where}`.execute(db)).rows[0]!.n);

/** Runs the maintenance timer once and resolves with what its audit line reported. */
function maintenanceRun(options: { retentionDays: number; batchSize: number; maxBatches: number }): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    let stop: (() => void) | undefined;
    const logger = createLogger('info', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.message === 'maintenance: audit events past retention deleted') {
        stop?.();
        resolve(entry);
      }
    });
    stop = startMaintenance({
      db,
      now: () => NOW,
      logger,
      auditRetentionDays: options.retentionDays,
      auditPrune: { batchSize: options.batchSize, maxBatches: options.maxBatches },
    });
  });
}

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  const dataDir = temp.make('audit-ops-');
  config = testDatabase.url ? testDatabase.config : { kind: 'pglite', dataDir: join(dataDir, 'pglite') };
  env = testDatabase.url ? { DATABASE_URL: testDatabase.url } : { DATA_DIR: dataDir };
  db = await openDatabase(config);
  await migrateToLatest(db);
});
afterAll(async () => {
  await db?.destroy();
  await testDatabase?.drop();
  temp.removeAll();
});

describe('audit retention', () => {
  it('prunes events past the retention in batches, across runs, and keeps the rest', async () => {
    await seed(2500, 401);
    await seed(10, 399, 'kept.event');
    // Two batches a run: the first run leaves work for the next, and says so.
    expect(await maintenanceRun({ retentionDays: 400, batchSize: 1000, maxBatches: 2 })).toMatchObject({ deleted: 2000, batches: 2, moreLeft: true });
    expect(await count()).toBe(510);
    expect(await maintenanceRun({ retentionDays: 400, batchSize: 1000, maxBatches: 2 })).toMatchObject({ deleted: 500, batches: 1, moreLeft: false });
    expect(await count()).toBe(10);
    expect(await count(sql`action = 'kept.event'`)).toBe(10);
  });

  it('keeps everything with a retention of 0', async () => {
    await seed(5, 5000);
    expect(await pruneAuditEvents(db, NOW, { retentionDays: 0 })).toEqual({ deleted: 0, batches: 0, moreLeft: false });
    expect(await count(sql`occurred_at < ${new Date(NOW.getTime() - 4000 * DAY_MS)}`)).toBe(5);
    await pruneAuditEvents(db, NOW, { retentionDays: 400 });
  });
});

function auditExport(args: string[]): Promise<ProgramRun> {
  return runProgram([...tsxEntry('scripts/audit-export.ts'), ...args], { cwd: temp.make('audit-export-cwd-'), env });
}

describe('npm run audit:export', () => {
  let expectedIds: string[];

  beforeAll(async () => {
    await sql`delete from audit_events`.execute(db);
    // More than one page (1000), with neighbours outside the range on both sides.
    await seed(2300, 10, 'in.range');
    await seed(3, 20, 'before.range');
    await seed(3, 1, 'after.range');
    const { rows } = await sql<{ id: string }>`select id from audit_events where action = 'in.range' order by occurred_at, id`.execute(db);
    expectedIds = rows.map((row) => row.id);
    // The embedded database admits one process: this one lets go for the export.
    if (config.kind === 'pglite') await db.destroy();
  });
  afterAll(async () => {
    if (config.kind === 'pglite') db = await openDatabase(config);
  });

  it('streams the events of [since, until) as NDJSON, oldest first, every one once', async () => {
    const since = new Date(NOW.getTime() - 11 * DAY_MS).toISOString();
    const until = new Date(NOW.getTime() - 9 * DAY_MS).toISOString();
    const run = await auditExport(['--since', since, '--until', until, '--format', 'ndjson']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.id)).toEqual(expectedIds);
    expect(lines[0]).toMatchObject({ action: 'in.range', actorKind: 'launcher', actorId: 'alice', outcome: 'succeeded', clientAddress: '127.0.0.1', details: {} });
    expect(typeof lines[0]!.occurredAt).toBe('string');
    expect(run.stderr).toContain(`${expectedIds.length} events`);
  });

  it.each([
    [[], '--since is required'],
    [['--since', 'yesterday'], '--since must be an ISO 8601 time with a zone'],
    [['--since', '2026-01-01T00:00:00'], '--since must be an ISO 8601 time with a zone'],
    [['--since', '2026-01-02T00:00:00Z', '--until', '2026-01-01T00:00:00Z'], '--until must be later than --since'],
    [['--since', '2026-01-01T00:00:00Z', '--format', 'csv'], '--format must be ndjson'],
    [['--bogus'], "Unknown option '--bogus'"],
  ])('answers %j with the usage and exit code 2', async (args, message) => {
    const run = await auditExport(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('Usage: npm run -s audit:export');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
