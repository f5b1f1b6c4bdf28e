import type { Logger } from '../logging/logger.js';
import { describeUnexpected } from '../logging/logger.js';
import type { Db } from './database.js';
import { deleteAuditEventsBefore } from './repositories/audit-events.js';
import { deleteExpiredIdempotencyKeys } from './repositories/idempotency-keys.js';
import { deleteExpiredRequests } from './repositories/oauth-requests.js';
import { retireExpiredPairingCodes } from './repositories/pairing-codes.js';

const DAY_MS = 86_400_000;

export interface AuditPruneOptions {
  /** Events older than this many days go; 0 keeps every event. */
  retentionDays: number;
  /** Rows per DELETE: small, so no statement holds locks (or PGlite's thread) for long. */
  batchSize?: number;
  /** Batches per run; what is left goes on the next run. */
  maxBatches?: number;
}

export interface AuditPruneResult {
  deleted: number;
  batches: number;
  /** True when the run stopped at maxBatches with old events left. */
  moreLeft: boolean;
}

/**
 * Deletes audit events past their retention, oldest first, in small batches with a turn of the
 * event loop between them, so requests keep being served while a large backlog goes.
 */
export async function pruneAuditEvents(db: Db, now: Date, options: AuditPruneOptions): Promise<AuditPruneResult> {
  if (options.retentionDays === 0) return { deleted: 0, batches: 0, moreLeft: false };
  const batchSize = options.batchSize ?? 1000;
  const maxBatches = options.maxBatches ?? 100;
  const cutoff = new Date(now.getTime() - options.retentionDays * DAY_MS);
  let deleted = 0;
  for (let batches = 1; batches <= maxBatches; batches += 1) {
    const gone = await deleteAuditEventsBefore(db, cutoff, batchSize);
    deleted += gone;
    if (gone < batchSize) return { deleted, batches, moreLeft: false };
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { deleted, batches: maxBatches, moreLeft: true };
}

/**
 * Housekeeping the request path should not pay for: expired idempotency keys are deleted and
 * expired pairing codes give up their selectors, stale OAuth requests go, and audit events past
 * AUDIT_RETENTION_DAYS are pruned in batches; once at start and then every interval.
 */
export function startMaintenance(options: {
  db: Db;
  now: () => Date;
  logger: Logger;
  intervalMs?: number;
  /** Default 400; 0 keeps every audit event. */
  auditRetentionDays?: number;
  auditPrune?: Omit<AuditPruneOptions, 'retentionDays'>;
}): () => void {
  const run = async () => {
    try {
      const now = options.now();
      const deletedKeys = await deleteExpiredIdempotencyKeys(options.db, now);
      await retireExpiredPairingCodes(options.db, now);
      // OAuth authorization requests (and their codes) a day after they could last be used.
      await deleteExpiredRequests(options.db, new Date(now.getTime() - DAY_MS));
      if (deletedKeys > 0) options.logger.info('maintenance: expired idempotency keys deleted', { deletedKeys });
      const retentionDays = options.auditRetentionDays ?? 400;
      const pruned = await pruneAuditEvents(options.db, now, { retentionDays, ...options.auditPrune });
      if (pruned.deleted > 0) options.logger.info('maintenance: audit events past retention deleted', { retentionDays, ...pruned });
    } catch (error) {
      options.logger.warn('maintenance failed; will try again', describeUnexpected(error));
    }
  };
  void run();
  const timer = setInterval(() => void run(), options.intervalMs ?? 15 * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
