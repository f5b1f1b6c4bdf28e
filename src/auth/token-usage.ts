import type { Db } from '../db/database.js';
import { recordTokenUses } from '../db/repositories/tokens.js';
import { describeUnexpected, type Logger } from '../logging/logger.js';

/**
 * When each agent token was last used (`agent_tokens.last_used_at`), written off the request path:
 * a call only notes the use in memory, and the notes are written in one statement every few
 * seconds, at most once a minute per token. The value is advisory (the Launcher shows it), so a
 * failed write is logged and dropped, and an answer never waits for it. `close` writes what is
 * pending, so a clean shutdown loses nothing.
 */
export interface TokenUsage {
  /** Notes a use of the token now; never touches the database. */
  note(tokenId: string): void;
  /** Writes the pending uses now. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface TokenUsageOptions {
  db: Db;
  now: () => Date;
  logger: Logger;
  /** How often pending uses are written (default 5 s). */
  flushEveryMs?: number;
  /** A token's use is written at most this often (default one minute). */
  minIntervalMs?: number;
}

export function createTokenUsage(options: TokenUsageOptions): TokenUsage {
  const minIntervalMs = options.minIntervalMs ?? 60_000;
  /** When each recently used token's use was last noted for writing. */
  const noted = new Map<string, number>();
  let pending = new Map<string, Date>();
  let writing: Promise<void> = Promise.resolve();

  const flush = () => {
    writing = writing.then(async () => {
      if (pending.size === 0) return;
      const batch = pending;
      pending = new Map();
      try {
        await recordTokenUses(options.db, [...batch].map(([tokenId, at]) => ({ tokenId, at })), minIntervalMs);
      } catch (error) {
        options.logger.warn('could not record when agent tokens were last used', { tokens: batch.size, ...describeUnexpected(error) });
      }
      // Forget tokens not used for a while, so the map stays as small as the set of active tokens.
      const horizon = options.now().getTime() - minIntervalMs;
      for (const [tokenId, at] of noted) if (at < horizon) noted.delete(tokenId);
    });
    return writing;
  };

  const timer = setInterval(() => void flush(), options.flushEveryMs ?? 5_000);
  timer.unref();

  return {
    note(tokenId) {
      const at = options.now();
      const last = noted.get(tokenId);
      if (last !== undefined && at.getTime() - last < minIntervalMs) return;
      noted.set(tokenId, at.getTime());
      pending.set(tokenId, at);
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
