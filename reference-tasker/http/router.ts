export const HTTP_METHODS = ['GET', 'POST', 'PATCH', 'PUT'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface RouteShape {
  method: HttpMethod;
  /** Relative to the base path, with `:name` segments, e.g. `/issues/:issueId/move`. */
  path: string;
}

export type RouteMatch<R extends RouteShape> =
  | { kind: 'matched'; route: R; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allow: HttpMethod[] }
  | { kind: 'not_found' };

function matchPath(pattern: readonly string[], segments: readonly string[]): Record<string, string> | null {
  if (pattern.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (const [index, expected] of pattern.entries()) {
    const actual = segments[index];
    if (actual === undefined) return null;
    if (expected.startsWith(':')) {
      if (actual === '') return null;
      params[expected.slice(1)] = actual;
    } else if (expected !== actual) {
      return null;
    }
  }
  return params;
}

function decodeSegments(pathname: string): string[] | null {
  try {
    return pathname.split('/').slice(1).map((segment) => decodeURIComponent(segment));
  } catch {
    return null;
  }
}

export class Router<R extends RouteShape> {
  private readonly compiled: { route: R; pattern: string[] }[];

  constructor(routes: readonly R[]) {
    this.compiled = routes.map((route) => ({ route, pattern: route.path.split('/').slice(1) }));
  }

  /** `pathname` is relative to the base path and has no query string. */
  match(method: string, pathname: string): RouteMatch<R> {
    const segments = decodeSegments(pathname);
    if (segments === null) return { kind: 'not_found' };
    const allow: HttpMethod[] = [];
    for (const { route, pattern } of this.compiled) {
      const params = matchPath(pattern, segments);
      if (params === null) continue;
      if (route.method === method) return { kind: 'matched', route, params };
      allow.push(route.method);
    }
    return allow.length > 0 ? { kind: 'method_not_allowed', allow } : { kind: 'not_found' };
  }
}
