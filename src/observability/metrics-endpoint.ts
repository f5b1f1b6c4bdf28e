import { timingSafeEqual } from 'node:crypto';
import { registry, startProcessMetrics } from './metrics.js';

/**
 * GET /metrics on the main listener, for a scraper that presents `Authorization: Bearer
 * <METRICS_TOKEN>`. Served only when METRICS_TOKEN is set (otherwise the path is unknown, 404):
 * one port to expose and to put behind the proxy, and no way to scrape it by accident from the
 * internet. The token is compared in constant time and is not a gateway credential, so it never
 * reaches the authenticator, its rate limits or the audit log.
 */
export function createMetricsEndpoint(options: { token: string }): (request: Request) => Promise<Response> {
  const expected = Buffer.from(`Bearer ${options.token}`);
  startProcessMetrics();
  return async (request) => {
    const presented = Buffer.from(request.headers.get('authorization') ?? '');
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      return new Response(JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'send Authorization: Bearer <METRICS_TOKEN>' } }), {
        status: 401,
        headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="metrics"' },
      });
    }
    if (request.method !== 'GET') return new Response(null, { status: 405, headers: { allow: 'GET' } });
    return new Response(await registry.metrics(), { status: 200, headers: { 'content-type': registry.contentType } });
  };
}
