import { expect } from 'vitest';

/** A 429 with `Retry-After` and the IETF RateLimit fields of the policy that refused it. */
export function expectLimited(answer: { status: number; headers: Headers }, policy: string, limit: number): void {
  expect(answer.status).toBe(429);
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(answer.headers.get('ratelimit-policy')).toBe(`"${policy}";q=${limit};w=60`);
  expect(answer.headers.get('ratelimit')).toMatch(new RegExp(`^"${policy}";r=0;t=\\d+$`));
}
