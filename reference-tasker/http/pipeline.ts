import type { IncomingMessage } from 'node:http';
import { authenticate, type Caller } from '../auth/authenticate.js';
import type { SigningKeys } from '../auth/signature.js';
import { BASE_PATH, MAX_BODY_BYTES, NONCE_RETENTION_SECONDS } from '../contract.js';
import { ApiError, forbidden, notFound, validationFailed } from '../errors.js';
import type { Route, RouteRequest } from '../handlers/route.js';
import { IdempotencyKey } from '../schemas.js';
import type { Sql } from '../storage/sql.js';
import { rememberNonce } from '../store/nonces.js';
import { userExists } from '../store/users.js';
import { readBody } from './body.js';
import { runIdempotentWrite } from './idempotent-write.js';
import { errorReply, jsonReply, type Outgoing } from './reply.js';
import type { Router } from './router.js';
import { splitTarget } from './target.js';

export interface PipelineDeps {
  sql: Sql;
  keys: SigningKeys;
  router: Router<Route>;
  now: () => number;
}

/** What the request log may say about a request: nothing secret, nothing from the body. */
export interface RequestFacts {
  method: string;
  pathname: string;
  requestId: string;
  agentId?: string;
}

function relativePath(pathname: string): string | null {
  if (pathname === BASE_PATH) return '/';
  return pathname.startsWith(`${BASE_PATH}/`) ? pathname.slice(BASE_PATH.length) : null;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes that are not UTF-8 are as malformed as bad JSON; neither reaches a handler. */
function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(UTF8.decode(body));
  } catch {
    throw validationFailed('the request body is not valid JSON', { field: 'body' });
  }
}

function requireIdempotencyKey(caller: Caller): string {
  const field = { field: 'Idempotency-Key' };
  if (caller.idempotencyKey === null) throw validationFailed('writes must carry an Idempotency-Key header', field);
  if (!IdempotencyKey.safeParse(caller.idempotencyKey).success) {
    throw validationFailed('Idempotency-Key must be 1 to 255 printable ASCII characters', field);
  }
  return caller.idempotencyKey;
}

/**
 * One request, start to finish, in the contract's order: body size, authentication, routing,
 * the owner's existence, the write's Idempotency-Key, the JSON body, then the handler (which
 * validates the body's fields and checks project membership).
 */
export async function handleRequest(req: IncomingMessage, facts: RequestFacts, deps: PipelineDeps): Promise<Outgoing> {
  const nowMs = deps.now();
  const now = new Date(nowMs);
  const rawBody = await readBody(req, MAX_BODY_BYTES);
  const target = req.url ?? '/';
  const method = req.method ?? 'GET';

  const caller = await authenticate(
    { headers: req.headersDistinct, method, pathWithQuery: target, body: rawBody },
    {
      keys: deps.keys,
      nowMs,
      rememberNonce: (nonce) => rememberNonce(deps.sql, nonce, now, new Date(nowMs + NONCE_RETENTION_SECONDS * 1000)),
    },
  );
  facts.agentId = caller.agentId;

  const { pathname, search } = splitTarget(target);
  const relative = relativePath(pathname);
  const match = relative === null ? { kind: 'not_found' as const } : deps.router.match(method, relative);
  if (match.kind === 'not_found') throw notFound(`no such endpoint: ${method} ${pathname}`);
  if (match.kind === 'method_not_allowed') {
    const error = new ApiError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${pathname}`, { allow: match.allow });
    return errorReply(error, { Allow: match.allow.join(', ') });
  }

  if (!(await userExists(deps.sql, caller.ownerUserId))) throw forbidden('the owner user is not known to Tasker');

  const { route, params } = match;
  const routeRequest = (takesBody: boolean): RouteRequest => ({
    params,
    query: new URLSearchParams(search),
    body: takesBody ? parseJson(rawBody) : undefined,
    actor: { agentId: caller.agentId, ownerUserId: caller.ownerUserId },
    now,
  });

  if (route.kind === 'read') {
    const reply = await route.handle(routeRequest(route.takesBody), deps.sql);
    return jsonReply(reply.status, reply.body);
  }
  const idempotencyKey = requireIdempotencyKey(caller);
  return runIdempotentWrite(deps.sql, {
    route,
    request: routeRequest(true),
    idempotencyKey,
    requestId: facts.requestId,
    method,
    pathWithQuery: target,
    rawBody,
  });
}
