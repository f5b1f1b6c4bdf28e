import { randomUUID } from 'node:crypto';
import type { Executor } from '../db/database.js';
import { listenForNotifications } from '../db/notification-listener.js';
import { notifyPrincipalChange, PRINCIPAL_CHANGES_CHANNEL } from '../db/repositories/principal-changes.js';
import type { Logger } from '../logging/logger.js';
import type { PrincipalCache } from './principal-cache.js';

/**
 * How a change to an agent reaches every cached principal. A service that revokes a token,
 * disables, enables, renames or deletes an agent, or sets or removes a grant, calls `announce`
 * inside its transaction; from then on no instance serves the agent's old principal.
 */
export interface PrincipalChanges {
  /** Inside the changing transaction, before it commits. */
  announce(trx: Executor, agentId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * PGlite: one process, and one connection that a transaction holds from begin to commit, so no
 * other request can read between the change and its commit. Forgetting the agent at once is
 * enough; the cache's ticket voids any read that was in flight.
 */
export function inProcessPrincipalChanges(cache: PrincipalCache): PrincipalChanges {
  cache.resume();
  return {
    announce: async (_trx, agentId) => cache.forgetAgent(agentId),
    close: async () => cache.suspend(),
  };
}

/** A transaction stays open at most about the statement and idle timeouts; a hold outlives it. */
const HOLD_MS = 60_000;

/**
 * PostgreSQL, any number of instances: the change is announced with NOTIFY inside its
 * transaction, so every instance hears of it exactly when it commits. Here, the agent is held
 * (neither served nor cached) from the announcement until this instance hears its own
 * notification, since other pool connections could read the old rows before the commit. The cache
 * serves only while the LISTEN session is up; when it drops, the cache empties and is bypassed
 * until the session is back (fail closed).
 */
export function postgresPrincipalChanges(options: { cache: PrincipalCache; listenUrl: string; logger: Logger; now: () => number }): PrincipalChanges {
  const { cache, logger } = options;
  const instance = randomUUID();
  let nextHold = 0;
  cache.suspend();
  const listener = listenForNotifications({
    url: options.listenUrl,
    channel: PRINCIPAL_CHANGES_CHANNEL,
    onNotification: (payload) => {
      const [agentId, from, hold] = payload.split(' ');
      if (!agentId) return;
      if (from === instance && hold !== undefined) cache.release(agentId, Number(hold));
      else cache.forgetAgent(agentId);
    },
    onUp: () => {
      cache.resume();
      logger.info('principal cache: listening for changes from other instances');
    },
    onDown: (reason) => {
      cache.suspend();
      logger.warn('principal cache: the change channel is down; every request reads the database until it is back', { reason });
    },
  });
  return {
    async announce(trx, agentId) {
      nextHold += 1;
      cache.hold(agentId, nextHold, options.now() + HOLD_MS);
      await notifyPrincipalChange(trx, `${agentId} ${instance} ${nextHold}`);
    },
    close: () => listener.close(),
  };
}
