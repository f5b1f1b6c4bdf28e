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

  /**
   * `pathname` is relative to the base path and has no query string. The most specific pattern
   * that fits the path decides (literal segments beat `:name` ones), so `GET /projects/resolve` is
   * 405 for the POST-only resolve route, not a read of a project named "resolve".
   */
  match(method: string, pathname: string): RouteMatch<R> {
    const segments = decodeSegments(pathname);
    if (segments === null) return { kind: 'not_found' };
    const fitting = this.compiled
      .map(({ route, pattern }) => ({ route, params: matchPath(pattern, segments), literals: pattern.filter((part) => !part.startsWith(':')).length }))
      .filter((candidate): candidate is { route: R; params: Record<string, string>; literals: number } => candidate.params !== null);
    const best = Math.max(...fitting.map((candidate) => candidate.literals));
    const allow: HttpMethod[] = [];
    for (const { route, params, literals } of fitting) {
      if (literals !== best) continue;
      if (route.method === method) return { kind: 'matched', route, params };
      allow.push(route.method);
    }
    return allow.length > 0 ? { kind: 'method_not_allowed', allow } : { kind: 'not_found' };
  }
}
