import type { Logger } from '../logging/logger.js';
import type { RequestObservation } from './request-observation.js';

/**
 * One line per answered request, on every surface, at info: what an operator greps first. It holds
 * no path with ids, no query string, no header value and no body; the request id leads to the
 * audit log, which has the rest.
 */
export function logAccess(logger: Logger, observation: RequestObservation, status: number, latencyMs: number): void {
  const { principal } = observation;
  logger.info('request', {
    requestId: observation.requestId,
    method: observation.method,
    surface: observation.surface,
    route: observation.route,
    operation: observation.operation ?? null,
    status,
    latencyMs: Math.round(latencyMs * 100) / 100,
    principal: principal?.kind ?? 'none',
    agentId: principal?.agentId ?? null,
    traceId: observation.trace.traceId,
  });
}
