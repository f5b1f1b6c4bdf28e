/**
 * Fixed-window counter per client address, in process memory. Enough for one gateway instance;
 * several instances behind a balancer each count on their own (docs/ARCHITECTURE.md).
 */
export interface ExchangeRateLimiter {
  /** Returns 0 when allowed, else the seconds until the client may try again. */
  take(clientKey: string): number;
}

export function createFixedWindowLimiter(
  limitPerWindow: number,
  windowMs: number,
  now: () => number = Date.now,
): ExchangeRateLimiter {
  const windows = new Map<string, { startedAt: number; count: number }>();
  let lastSweep = now();

  return {
    take(clientKey) {
      const at = now();
      if (at - lastSweep > windowMs) {
        for (const [key, window] of windows) if (at - window.startedAt >= windowMs) windows.delete(key);
        lastSweep = at;
      }
      const current = windows.get(clientKey);
      if (!current || at - current.startedAt >= windowMs) {
        windows.set(clientKey, { startedAt: at, count: 1 });
        return 0;
      }
      if (current.count >= limitPerWindow) return Math.max(1, Math.ceil((current.startedAt + windowMs - at) / 1000));
      current.count += 1;
      return 0;
    },
  };
}
