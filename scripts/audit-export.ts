import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { type Db, openDatabase } from '../src/db/database.js';
import { type AuditPosition, listAuditEventsSince } from '../src/db/repositories/audit-events.js';
import type { AuditEventRow } from '../src/db/tables.js';
import { toAuditEventView } from '../src/resolvers/views.js';

/**
 * `npm run -s audit:export -- --since <ISO time> [--until <ISO time>] [--format ndjson]`
 * Streams the audit events of [since, until) to stdout, oldest first, one JSON object a line, for a
 * SIEM. Reads the same configuration as the gateway (DATABASE_URL, or the embedded database in
 * DATA_DIR, which only one process may open: stop the gateway first, or export from PostgreSQL).
 *
 * Exit codes: 0 exported (possibly nothing); 1 the database or configuration failed; 2 wrong flags.
 */
const USAGE = `Usage: npm run -s audit:export -- --since <ISO time> [--until <ISO time>] [--format ndjson]

Writes the audit events that occurred at or after --since and before --until (default: now) to
stdout, oldest first, one JSON object per line (NDJSON), with the fields of the GraphQL AuditEvent
plus clientAddress. Times are ISO 8601 with a zone, e.g. 2026-01-01T00:00:00Z.
`;

const PAGE_SIZE = 1000;

class UsageError extends Error {}

function isoTime(flag: string, value: string): Date {
  // A zone is required: a time without one would be read in this machine's zone, not the log's.
  const date = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new UsageError(`${flag} must be an ISO 8601 time with a zone (e.g. 2026-01-01T00:00:00Z), not "${value}"`);
  return date;
}

function readFlags(argv: string[]): { since: Date; until: Date | undefined } | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        since: { type: 'string' },
        until: { type: 'string' },
        format: { type: 'string', default: 'ndjson' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  if (values.format !== 'ndjson') throw new UsageError(`--format must be ndjson (the only format), not "${values.format}"`);
  if (values.since === undefined) throw new UsageError('--since is required');
  const since = isoTime('--since', values.since);
  const until = values.until === undefined ? undefined : isoTime('--until', values.until);
  if (until !== undefined && until <= since) throw new UsageError('--until must be later than --since');
  return { since, until };
}

const exportLine = (row: AuditEventRow): string => `${JSON.stringify({ ...toAuditEventView(row), clientAddress: row.client_address })}\n`;

/** Pages by keyset so each query is one index range scan, and waits when stdout is full. */
async function exportEvents(db: Db, range: { since: Date; until: Date | undefined }): Promise<number> {
  let after: AuditPosition | undefined;
  let written = 0;
  for (;;) {
    const rows = await listAuditEventsSince(db, { ...range, after, limit: PAGE_SIZE });
    for (const row of rows) {
      if (!process.stdout.write(exportLine(row))) await once(process.stdout, 'drain');
      written += 1;
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < PAGE_SIZE) return written;
    after = { occurredAt: last.occurred_at, id: last.id };
  }
}

async function main(): Promise<number> {
  let flags;
  try {
    flags = readFlags(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`audit:export: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (flags === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  // A reader that goes away (`| head`) ends the export quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? 0 : 1));
  let db: Db | undefined;
  try {
    const config = loadConfig(process.env);
    db = await openDatabase(config.database);
    const written = await exportEvents(db, { since: flags.since, until: flags.until ?? new Date() });
    process.stderr.write(`audit:export: ${written} events\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`audit:export: ${error instanceof ConfigError ? error.message : `failed: ${(error as Error).message}`}\n`);
    return 1;
  } finally {
    await db?.destroy();
  }
}

process.exitCode = await main();
