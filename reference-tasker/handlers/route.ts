import type { ActivityAction } from '../contract.js';
import type { RouteShape } from '../http/router.js';
import type { SqlExecutor } from '../storage/sql.js';
import type { HistoryChange } from '../store/history.js';

/** The verified identity a request acts as: an agent, on behalf of its owner. */
export interface Actor {
  agentId: string;
  ownerUserId: string;
}

export interface RouteRequest {
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  /** The parsed JSON body; undefined for routes that take none. */
  body: unknown;
  actor: Actor;
  /** One clock reading per request, so every row a request writes carries the same time. */
  now: Date;
}

export interface Reply {
  status: 200 | 201;
  body: object;
}

/** What a successful write did, for the activity log. */
export interface WriteReply extends Reply {
  activity: { action: ActivityAction; projectId: string; issueId: string };
  /** History entries beyond the issue's own fields (which are diffed): a comment, a link, a relation. */
  history?: HistoryChange[];
}

export interface ReadRoute extends RouteShape {
  kind: 'read';
  takesBody: boolean;
  handle(request: RouteRequest, db: SqlExecutor): Promise<Reply>;
}

/**
 * A write runs inside the transaction that also appends its activity row and stores its
 * idempotent answer, so `db` is that transaction.
 */
export interface WriteRoute extends RouteShape {
  kind: 'write';
  handle(request: RouteRequest, db: SqlExecutor): Promise<WriteReply>;
}

export type Route = ReadRoute | WriteRoute;

/** A `:name` segment of the matched path; the router guarantees it for the route's own names. */
export function pathParam(request: RouteRequest, name: string): string {
  const value = request.params[name];
  if (value === undefined) throw new Error(`route has no :${name} segment`);
  return value;
}
