import type { Logger } from '../logging/logger.js';
import { describeUnexpected } from '../logging/logger.js';
import type { Db } from './database.js';
import { deleteExpiredIdempotencyKeys } from './repositories/idempotency-keys.js';
import { deleteExpiredRequests } from './repositories/oauth-requests.js';
import { retireExpiredPairingCodes } from './repositories/pairing-codes.js';

/**
 * Housekeeping the request path should not pay for: expired idempotency keys are deleted and
 * expired pairing codes give up their selectors, stale OAuth requests go, once at start and then every interval.
 * Audit events are kept; their retention is an operator's decision (docs/ARCHITECTURE.md).
 */
export function startMaintenance(options: { db: Db; now: () => Date; logger: Logger; intervalMs?: number }): () => void {
  const run = async () => {
    try {
      const now = options.now();
      const deletedKeys = await deleteExpiredIdempotencyKeys(options.db, now);
      await retireExpiredPairingCodes(options.db, now);
      // OAuth authorization requests (and their codes) a day after they could last be used.
      await deleteExpiredRequests(options.db, new Date(now.getTime() - 86_400_000));
      if (deletedKeys > 0) options.logger.info('maintenance: expired idempotency keys deleted', { deletedKeys });
    } catch (error) {
      options.logger.warn('maintenance failed; will try again', describeUnexpected(error));
    }
  };
  void run();
  const timer = setInterval(() => void run(), options.intervalMs ?? 15 * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
