import type { FaultProxy, ProxiedRequest } from './fault-proxy.js';

/**
 * A Tasker that misbehaves on one route: the fault proxy in front of the reference Tasker passes
 * everything through and rewrites only the successful answers of the route a test names. Tests
 * use it for the guards against a Tasker that answers with more, other or bigger than it should.
 */
export const TASKER_BASE = '/api/internal/nodedc/agent';

export type RouteMatcher = (request: Pick<ProxiedRequest, 'method' | 'path'>) => boolean;

/** A route by method and path pattern (relative to the base path, without the query string). */
export function route(method: 'GET' | 'POST' | 'PATCH' | 'PUT', pattern: RegExp): RouteMatcher {
  return (request) => {
    const path = request.path.split('?')[0]!;
    return request.method === method && path.startsWith(TASKER_BASE) && pattern.test(path.slice(TASKER_BASE.length));
  };
}

export const ROUTES = {
  projectContext: route('GET', /^\/projects\/[^/]+\/context$/),
  resolveProject: route('POST', /^\/projects\/resolve$/),
  cycles: route('GET', /^\/projects\/[^/]+\/cycles$/),
  modules: route('GET', /^\/projects\/[^/]+\/modules$/),
  listIssues: route('GET', /^\/issues$/),
  searchIssues: route('POST', /^\/issues\/search$/),
  getIssue: route('GET', /^\/issues\/[^/]+$/),
  comments: route('GET', /^\/issues\/[^/]+\/comments$/),
  activity: route('GET', /^\/issues\/[^/]+\/activity$/),
  relations: route('GET', /^\/issues\/[^/]+\/relations$/),
  links: route('GET', /^\/issues\/[^/]+\/links$/),
} as const;

/** From now on, `on`'s successful answers are rewritten by `rewrite`; everything else passes. */
export function misbehave(proxy: FaultProxy, on: RouteMatcher, rewrite: (body: Record<string, unknown>) => Record<string, unknown>): void {
  proxy.inject({ kind: 'rewrite', when: (request) => on(request), rewrite: (body) => rewrite(body) });
}

/** An answer past the gateway's 5 MiB limit on the client side. */
export const oversize = (body: Record<string, unknown>) => ({ ...body, padding: 'x'.repeat(6 * 1024 * 1024) });

/** An answer that is JSON but not the contract's shape: every list or object replaced by a string. */
export const badShape = (body: Record<string, unknown>) => Object.fromEntries(Object.keys(body).map((key) => [key, 'not what the contract says']));
