import { Pool } from 'undici';

/**
 * A closed-loop load generator: `concurrency` callers, each sending its next request as soon as the
 * previous one answered, for a fixed time. Latencies are taken on the client side, per call.
 */
export interface CallSpec {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Whether an answer is the success the contender is meant to produce (a failure is counted, not timed away). */
  succeeded(status: number, body: string): boolean;
}

export interface LoadResult {
  calls: number;
  failures: number;
  elapsedMs: number;
  latenciesMs: Float64Array;
}

export async function runLoad(pool: Pool, spec: CallSpec, concurrency: number, durationMs: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  let stop = false;
  const started = performance.now();
  const timer = setTimeout(() => {
    stop = true;
  }, durationMs);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!stop) {
        const t0 = performance.now();
        try {
          const response = await pool.request({ method: spec.method, path: spec.path, headers: spec.headers, body: spec.body ?? null });
          const text = await response.body.text();
          if (!spec.succeeded(response.statusCode, text)) failures += 1;
        } catch {
          failures += 1;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  clearTimeout(timer);
  return { calls: latencies.length, failures, elapsedMs: performance.now() - started, latenciesMs: Float64Array.from(latencies) };
}

export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export function median(values: readonly number[]): number {
  const finite = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const middle = Math.floor(finite.length / 2);
  return finite.length % 2 === 1 ? finite[middle]! : (finite[middle - 1]! + finite[middle]!) / 2;
}
