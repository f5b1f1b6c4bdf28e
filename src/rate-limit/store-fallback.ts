import type { Logger } from '../logging/logger.js';
import { countRateLimitFallback } from '../observability/metrics.js';
import type { CounterStore } from './counter-stores.js';

/**
 * When a shared store fails (Redis down or hung, PostgreSQL not answering), the next store in line
 * counts instead: limits keep holding, and no request fails because of its limit's store. Failing
 * open instead would switch the limits off exactly when someone can make the store fail, and the
 * limit on refused credentials is what keeps guessing slow. The database is the fallback of choice
 * for Redis: every replica already depends on it, so counting there still holds across replicas.
 *
 * After a failure the failed store is left alone for RETRY_AFTER_MS, then asked again by the next
 * checks, so a store that hangs delays only the checks that try it again, about once a second, not
 * every request. Each fallback is counted (`gateway_rate_limit_fallbacks_total{store}`); the first
 * failure of an outage is logged at `warn`, and the store's return at `info`, once each.
 *
 * A window counted partly in each store restarts in the fallback: during an outage a caller may
 * get up to one more window's allowance there, never an unlimited one.
 */
export const RETRY_AFTER_MS = 1_000;

export function withFallback(primary: CounterStore, fallback: CounterStore, options: { logger: Logger; now: () => number }): CounterStore {
  const { logger, now } = options;
  let downSince: number | undefined;
  let retryAt = 0;

  async function attempt<T>(ask: (store: CounterStore) => Promise<T>): Promise<T> {
    if (downSince === undefined || now() >= retryAt) {
      try {
        const answer = await ask(primary);
        if (downSince !== undefined) {
          logger.info(`rate limits: the ${primary.name} store answers again; counting there`, {
            store: primary.name,
            downSeconds: Math.round((now() - downSince) / 1000),
          });
          downSince = undefined;
        }
        return answer;
      } catch (error) {
        if (downSince === undefined) {
          downSince = now();
          logger.warn(`rate limits: the ${primary.name} store failed; counting in ${fallback.name} until it answers again`, {
            store: primary.name,
            fallback: fallback.name,
            error: error instanceof Error ? error.message : String(error),
          });
        }
        retryAt = now() + RETRY_AFTER_MS;
      }
    }
    countRateLimitFallback(primary.name);
    return ask(fallback);
  }

  return {
    name: primary.name,
    consume: (tier, key) => attempt((store) => store.consume(tier, key)),
    peek: (tier, key) => attempt((store) => store.peek(tier, key)),
  };
}
