import type pg from 'pg';

/**
 * Fixed-window counters shared by every replica through PostgreSQL (the `rate_limits` table),
 * without a database round trip per request. A replica takes points from the shared counter in
 * leases — a tenth of the limit, at least one — and spends them in memory; it asks again only when
 * its lease is spent. The shared counter never hands out more points than the limit, so across
 * replicas the limit holds as an upper bound, exactly. A replica may refuse while another still
 * holds unspent points (at most one lease each): the error is on the safe side. Limits under 20
 * lease one point at a time, so they are counted in the database on every use, as before.
 *
 * Whether a key's allowance is spent, without spending (`peek`), is read from the database once
 * per window and then answered from what this replica knows: its own spending at once, another
 * replica's when this one next takes a lease for the key (or the window ends). For refused
 * credentials that means a guess checked here after another replica saw the allowance run out is
 * the last one: counting it shows the allowance spent.
 */
export interface CounterState {
  /** Points left in the window, as far as this replica knows (0 when refused). */
  remaining: number;
  /** When the window ends, ms since the epoch. */
  windowEnd: number;
}

export interface LeasedCounters {
  /** Spends one point; `allowed` false when the window's allowance is spent. */
  consume(key: string): Promise<{ allowed: boolean } & CounterState>;
  /** The state without spending; `spent` true when nothing is left. */
  peek(key: string): Promise<{ spent: boolean } & CounterState>;
}

interface Local {
  windowEnd: number;
  /** Points this replica holds and has not spent yet. */
  leased: number;
  /** The shared counter, as last seen (points handed out in this window, to everyone). */
  shared: number;
}

export interface LeasedCountersOptions {
  pool: pg.Pool;
  /** Prefix of this tier's keys in the shared table. */
  keyPrefix: string;
  limit: number;
  windowMs: number;
  now: () => number;
}

const LEASE_SQL = `
  insert into rate_limits (key, points, expire) values ($1, $2::integer, $3::bigint + $4::bigint)
  on conflict (key) do update set
    points = case when rate_limits.expire is null or rate_limits.expire <= $3::bigint then $2::integer else rate_limits.points + $2::integer end,
    expire = case when rate_limits.expire is null or rate_limits.expire <= $3::bigint then $3::bigint + $4::bigint else rate_limits.expire end
  returning points, expire`;
const PEEK_SQL = 'select points, expire from rate_limits where key = $1';

export function createLeasedCounters(options: LeasedCountersOptions): LeasedCounters {
  const { pool, limit, windowMs, now } = options;
  const leaseSize = Math.max(1, Math.floor(limit / 10));
  const locals = new Map<string, Local>();
  /** One request to the database per key at a time; others wait for its answer. */
  const inFlight = new Map<string, Promise<Local>>();

  const current = (key: string, at: number): Local | undefined => {
    const local = locals.get(key);
    if (local && local.windowEnd <= at) {
      locals.delete(key);
      return undefined;
    }
    return local;
  };

  const once = (key: string, ask: () => Promise<Local>): Promise<Local> => {
    let pending = inFlight.get(key);
    if (!pending) {
      pending = ask().finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  };

  // Forget windows that have ended, so the map holds only keys in use.
  const sweep = setInterval(() => {
    const at = now();
    for (const [key, local] of locals) if (local.windowEnd <= at) locals.delete(key);
  }, windowMs);
  sweep.unref();

  const lease = (key: string) =>
    once(key, async () => {
      const at = now();
      const { rows } = await pool.query<{ points: number; expire: string }>(LEASE_SQL, [`${options.keyPrefix}:${key}`, leaseSize, at, windowMs]);
      const row = rows[0]!;
      const shared = Number(row.points);
      // Points handed out before this lease, whatever the window: the lease is what is left of it.
      const before = shared - leaseSize;
      const granted = Math.max(0, Math.min(leaseSize, limit - before));
      const held = current(key, at);
      const local: Local = {
        windowEnd: Number(row.expire),
        leased: (held?.windowEnd === Number(row.expire) ? held.leased : 0) + granted,
        shared,
      };
      locals.set(key, local);
      return local;
    });

  const state = (local: Local, at: number): CounterState => ({
    remaining: Math.max(0, limit - local.shared) + local.leased,
    windowEnd: local.windowEnd > at ? local.windowEnd : at + windowMs,
  });

  return {
    async consume(key) {
      for (;;) {
        const at = now();
        const local = current(key, at);
        if (local && local.leased > 0) {
          local.leased -= 1;
          return { allowed: true, ...state(local, at) };
        }
        // Knowing the allowance ran out answers without the database; points never come back in a window.
        if (local && local.shared >= limit) return { allowed: false, ...state(local, at), remaining: 0 };
        // Each lease either hands out a point or shows the allowance spent, so this ends.
        await lease(key);
      }
    },
    async peek(key) {
      const at = now();
      let local = current(key, at);
      if (!local) {
        local = await once(key, async () => {
          const { rows } = await pool.query<{ points: number; expire: string }>(PEEK_SQL, [`${options.keyPrefix}:${key}`]);
          const row = rows[0];
          const live = row && row.expire !== null && Number(row.expire) > at;
          const held = current(key, at);
          // Without a live window nothing is spent yet; that holds until a window could have filled.
          const known: Local = {
            windowEnd: live ? Number(row.expire) : at + windowMs,
            leased: held && live && held.windowEnd === Number(row.expire) ? held.leased : 0,
            shared: live ? Number(row.points) : 0,
          };
          locals.set(key, known);
          return known;
        });
      }
      const spent = local.leased === 0 && local.shared >= limit;
      return { spent, ...state(local, at), ...(spent ? { remaining: 0 } : {}) };
    },
  };
}
