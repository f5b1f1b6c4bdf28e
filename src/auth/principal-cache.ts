import type { AgentPrincipal } from './principal.js';

/**
 * The authenticated agents of recent requests, kept in process by the hash of their token, so a
 * busy agent's calls do not each read its token, agent and grants again. Bounded in entries and in
 * age, and never trusted blindly:
 *
 * - every change that affects a principal (revoke, disable, enable, delete, rename, grant set or
 *   removed) forgets the agent's entries before the change answers (`forgetAgent`), and other
 *   instances are told through the invalidation channel (principal-invalidation.ts);
 * - an entry read from the database while a change was in flight is not kept (`ticket`/`put`:
 *   any forget since the ticket was taken voids it), nor is one for an agent whose change is still
 *   uncommitted (`hold`);
 * - an entry is never served past its token's expiry, nor past `maxAgeMs`;
 * - while the channel that carries other instances' changes is down, nothing is served or kept
 *   (`suspend`), and coming back starts from empty (`resume`): it fails closed.
 */
export interface PrincipalCacheOptions {
  /** 0 turns the cache off: every request reads the database. */
  maxEntries: number;
  /** The longest an entry is served; bounds what a change made outside the gateway can leave stale. */
  maxAgeMs: number;
  now: () => number;
}

interface Entry {
  principal: AgentPrincipal;
  storedAt: number;
}

export class PrincipalCache {
  readonly #options: PrincipalCacheOptions;
  /** Insertion order is age order: the first key is the oldest entry, evicted first. */
  readonly #entries = new Map<string, Entry>();
  /** Agents with a change in flight: id → (hold id → until when). */
  readonly #holds = new Map<string, Map<number, number>>();
  #generation = 0;
  #serving = false;

  constructor(options: PrincipalCacheOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Whether entries are served now (false while the invalidation channel is down). */
  get serving(): boolean {
    return this.#serving && this.#options.maxEntries > 0;
  }

  get(tokenHash: string): AgentPrincipal | undefined {
    if (!this.serving) return undefined;
    const entry = this.#entries.get(tokenHash);
    if (!entry) return undefined;
    const now = this.#options.now();
    if (now - entry.storedAt >= this.#options.maxAgeMs || entry.principal.tokenExpiresAt.getTime() <= now || this.#held(entry.principal.agentId, now)) {
      // The database decides again: it refuses (and audits) an expired token, or refreshes the entry.
      this.#entries.delete(tokenHash);
      return undefined;
    }
    return entry.principal;
  }

  /** Taken before reading a principal from the database; `put` keeps the result only if nothing changed meanwhile. */
  ticket(): number {
    return this.#generation;
  }

  put(ticket: number, tokenHash: string, principal: AgentPrincipal): void {
    if (!this.serving || ticket !== this.#generation || this.#held(principal.agentId, this.#options.now())) return;
    this.#entries.delete(tokenHash);
    this.#entries.set(tokenHash, { principal, storedAt: this.#options.now() });
    if (this.#entries.size > this.#options.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  forgetAgent(agentId: string): void {
    this.#generation += 1;
    for (const [hash, entry] of this.#entries) if (entry.principal.agentId === agentId) this.#entries.delete(hash);
  }

  /**
   * A change to this agent is written but not yet committed: until `release` (or `untilMs`, for a
   * transaction that rolled back), the agent is neither served nor kept, so a read of the old rows
   * between the change and its commit cannot be cached.
   */
  hold(agentId: string, holdId: number, untilMs: number): void {
    this.forgetAgent(agentId);
    const holds = this.#holds.get(agentId) ?? new Map<number, number>();
    holds.set(holdId, untilMs);
    this.#holds.set(agentId, holds);
  }

  release(agentId: string, holdId: number): void {
    const holds = this.#holds.get(agentId);
    holds?.delete(holdId);
    if (holds?.size === 0) this.#holds.delete(agentId);
    this.forgetAgent(agentId);
  }

  /** The invalidation channel is down: serve nothing, keep nothing. */
  suspend(): void {
    this.#serving = false;
    this.clear();
  }

  /** The channel is (back) up: start from empty, since changes may have been missed meanwhile. */
  resume(): void {
    this.clear();
    this.#serving = true;
  }

  clear(): void {
    this.#generation += 1;
    this.#entries.clear();
  }

  #held(agentId: string, now: number): boolean {
    const holds = this.#holds.get(agentId);
    if (!holds) return false;
    for (const [holdId, until] of holds) if (until <= now) holds.delete(holdId);
    if (holds.size === 0) this.#holds.delete(agentId);
    return holds.size > 0;
  }
}
