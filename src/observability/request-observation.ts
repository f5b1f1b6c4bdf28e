import type { Principal } from '../auth/principal.js';
import { countAuthRefusal } from './metrics.js';
import type { TraceContext } from './trace-context.js';
import type { RequestSpan } from './tracing.js';

/**
 * What the gateway learns about one request while answering it, gathered from the layers that
 * know each part (the router: surface and route; the authenticator: who called; GraphQL and MCP:
 * which operation), and read once when the answer leaves (the access log line, the metrics).
 * Layers reach the record by request id, which every one of them already holds.
 *
 * Every value here is bounded by construction — a route pattern, a persisted operation or tool
 * name from the manifest, a fixed word — because the same record labels the metrics.
 */
export type ObservedSurface = 'rest' | 'graphql' | 'mcp' | 'oauth' | 'unknown';

export interface RequestObservation {
  readonly requestId: string;
  readonly method: string;
  /** performance.now() when the router took the request. */
  readonly startedAt: number;
  surface: ObservedSurface;
  /** The route pattern (`/api/v1/agents/:id/tokens`), never the raw path with its ids. */
  route: string;
  /** A persisted operation name, an MCP tool name or method, a route pattern, or a fixed word. */
  operation: string | undefined;
  principal: Pick<Principal, 'kind'> & { agentId?: string | undefined } | undefined;
  /** The W3C trace this request belongs to (the caller's, or one the gateway started). */
  readonly trace: TraceContext;
  /** The gateway's span for this request: Tasker calls made for it are its children (tracing.ts). */
  readonly span: RequestSpan;
}

const open = new Map<string, RequestObservation>();

export function beginObservation(requestId: string, method: string, span: RequestSpan): RequestObservation {
  const observation: RequestObservation = {
    requestId,
    method,
    startedAt: performance.now(),
    surface: 'unknown',
    route: 'unmatched',
    operation: undefined,
    principal: undefined,
    trace: span.trace,
    span,
  };
  // A request the gateway makes to itself keeps its parent's id; the parent's record stays the one layers fill.
  if (!open.has(requestId)) open.set(requestId, observation);
  return observation;
}

/** The record of a request being answered, for a layer that needs more than to note something (its trace). */
export const observationOf = (requestId: string): RequestObservation | undefined => open.get(requestId);

export function endObservation(observation: RequestObservation): void {
  if (open.get(observation.requestId) === observation) open.delete(observation.requestId);
}

/** The first layer to name the operation wins: MCP names the tool before its operation runs in GraphQL. */
export function noteOperation(requestId: string, operation: string): void {
  const observation = open.get(requestId);
  if (observation && observation.operation === undefined) observation.operation = operation;
}

/** Also counts a refused credential: the principal is resolved once per request, so each refusal counts once. */
export function notePrincipal(requestId: string, principal: Principal): void {
  if (principal.kind === 'anonymous' && principal.rejection !== undefined) countAuthRefusal(principal.rejection.code);
  const observation = open.get(requestId);
  if (observation) observation.principal = principal.kind === 'agent' ? { kind: 'agent', agentId: principal.agentId } : { kind: principal.kind };
}

/**
 * A REST route's pattern as people write it: `^\/api\/v1\/agents\/([^/]+)\/tokens$` becomes
 * `/api/v1/agents/:id/tokens`. Computed once per route.
 */
const templates = new WeakMap<RegExp, string>();
export function routeTemplate(pattern: RegExp): string {
  let template = templates.get(pattern);
  if (template === undefined) {
    template = pattern.source
      .replace(/^\^|\$$/g, '')
      .replace(/\([^)]*\)/g, ':id')
      .replace(/\\\//g, '/');
    templates.set(pattern, template);
  }
  return template;
}
