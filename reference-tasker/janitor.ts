import type { Sql } from './storage/sql.js';
import { purgeExpiredKeys } from './store/idempotency.js';
import { purgeExpiredNonces } from './store/nonces.js';

const INTERVAL_MS = 60_000;

/**
 * Deletes expired nonces and idempotency keys now and then. Correctness never depends on it
 * (expired rows are treated as absent); it only keeps the tables small. The returned function
 * stops it and waits for a sweep in flight, so storage can be closed right after.
 */
export function startJanitor(sql: Sql, now: () => number, log: (line: string) => void): () => Promise<void> {
  let sweep: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    const at = new Date(now());
    sweep = Promise.all([purgeExpiredNonces(sql, at), purgeExpiredKeys(sql, at)]).then(
      () => undefined,
      (error: unknown) => log(`janitor failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }, INTERVAL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await sweep;
  };
}
