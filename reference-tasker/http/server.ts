import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { HEADERS } from '../contract.js';
import { ApiError } from '../errors.js';
import { handleRequest, type PipelineDeps, type RequestFacts } from './pipeline.js';
import { errorReply, send, type Outgoing } from './reply.js';
import { splitTarget } from './target.js';

export interface ServerDeps extends PipelineDeps {
  log: (line: string) => void;
}

const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

/** The caller's X-Request-Id when it is sane, else a fresh one, so every answer carries one. */
function requestIdOf(req: IncomingMessage): string {
  const value = req.headers[HEADERS.requestId];
  return typeof value === 'string' && REQUEST_ID.test(value) ? value : randomUUID();
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function failure(error: unknown, facts: RequestFacts, log: (line: string) => void): Outgoing {
  if (error instanceof ApiError) {
    // The rest of an oversized body is never read, so the connection cannot carry another request.
    return errorReply(error, error.code === 'PAYLOAD_TOO_LARGE' ? { Connection: 'close' } : undefined);
  }
  log(`internal error on ${facts.method} ${facts.pathname} request_id=${facts.requestId}: ${describe(error)}`);
  return errorReply(new ApiError('INTERNAL', 'unexpected server error'));
}

async function serve(req: IncomingMessage, res: ServerResponse, deps: ServerDeps): Promise<void> {
  const started = performance.now();
  const facts: RequestFacts = {
    method: req.method ?? 'GET',
    pathname: splitTarget(req.url ?? '/').pathname,
    requestId: requestIdOf(req),
  };
  let outgoing: Outgoing;
  try {
    outgoing = await handleRequest(req, facts, deps);
  } catch (error) {
    outgoing = failure(error, facts, deps.log);
  }
  res.setHeader('X-Request-Id', facts.requestId);
  send(res, outgoing);
  const elapsed = (performance.now() - started).toFixed(1);
  const agent = facts.agentId === undefined ? '' : ` agent=${facts.agentId}`;
  deps.log(`${facts.method} ${facts.pathname} ${outgoing.status} ${elapsed}ms request_id=${facts.requestId}${agent}`);
}

export function createHttpServer(deps: ServerDeps): Server {
  return createServer((req, res) => {
    serve(req, res, deps).catch((error: unknown) => {
      deps.log(`failed to answer a request: ${describe(error)}`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
}
