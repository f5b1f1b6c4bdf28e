import { createServer, request as forward, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { taskerReader, type TaskerCaller } from './tasker-reader.js';

/**
 * A real HTTP server on loopback between the gateway and the reference Tasker. It passes traffic
 * through unchanged, or misbehaves the way a real Tasker or network can: a 500, a reset
 * connection, no answer, a body that is not JSON, an answer rewritten by a test, or (`respond`) an
 * answer the test makes up without passing the request on — a Tasker that says yes and does nothing.
 * A fault with `when` applies only to the requests it matches; the others pass and do not count.
 */
export interface ProxiedRequest {
  method: string;
  path: string;
  /** The request body as sent (empty for a GET). */
  body: string;
  /** Who the gateway signed the request for. */
  caller: TaskerCaller;
  headers: IncomingHttpHeaders;
}

/** A signed GET to the real Tasker behind the proxy, as the caller of the request being answered. */
export type ReadAsCaller = <T = Record<string, unknown>>(pathWithQuery: string) => Promise<T>;

export type Fault = (
  | { kind: 'pass' }
  | { kind: 'status'; status: number }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'malformed' }
  /** Tasker gets the request and applies it; its answer never reaches the gateway (no answer, or a reset connection). */
  | { kind: 'forward-then-hang' }
  | { kind: 'forward-then-reset' }
  | { kind: 'rewrite'; rewrite: (body: Record<string, unknown>, request: { method: string; path: string }) => Record<string, unknown> }
  | { kind: 'respond'; answer: (request: ProxiedRequest, read: ReadAsCaller) => Promise<{ status: number; body: unknown }> }
) & { when?: (request: ProxiedRequest) => boolean };

export interface FaultProxy {
  url: string;
  /** The fault applies to the next `times` requests (default: all), then traffic passes again. */
  inject(fault: Fault, times?: number): void;
  /** Requests seen since the last reset, as "METHOD path". */
  seen: string[];
  /** The same requests in full (headers, body), since the last reset. */
  requests: ProxiedRequest[];
  reset(): void;
  close(): Promise<void>;
}

/** `signingSecret` lets `respond` faults read from the real Tasker; without it they cannot. */
export async function startFaultProxy(targetUrl: string, options: { signingSecret?: string } = {}): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  let fault: Fault = { kind: 'pass' };
  let remaining = Number.POSITIVE_INFINITY;
  const seen: string[] = [];
  const requests: ProxiedRequest[] = [];
  const read = options.signingSecret === undefined ? undefined : taskerReader(target.origin, options.signingSecret);

  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const header = (name: string) => String(req.headers[name] ?? '');
      const request: ProxiedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        body: Buffer.concat(chunks).toString('utf8'),
        caller: { agentId: header('x-nodedc-agent-id'), ownerUserId: header('x-nodedc-owner-user-id') },
        headers: req.headers,
      };
      requests.push(request);
      const applies = remaining > 0 && fault.kind !== 'pass' && (fault.when === undefined || fault.when(request));
      if (applies) remaining -= 1;
      handle(applies ? fault : { kind: 'pass' }, request, { body: Buffer.concat(chunks), headers: req.headers, socket: req.socket }, res);
    });
  });

  function handle(active: Fault, request: ProxiedRequest, raw: Pick<IncomingMessage, 'headers' | 'socket'> & { body: Buffer }, res: ServerResponse): void {
    const req = { method: request.method, url: request.path, socket: raw.socket };
    if (active.kind === 'reset') return void req.socket.destroy();
    if (active.kind === 'hang') return; // never answers; the client's timeout must fire
    if (active.kind === 'status') {
      res.writeHead(active.status, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ error: { code: 'INTERNAL', message: 'injected failure' } }));
    }
    if (active.kind === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"issues": [ this is not json');
    }
    if (active.kind === 'respond') {
      if (read === undefined) throw new Error('a respond fault needs the proxy to know the signing secret');
      void active
        .answer(request, (path) => read(path, request.caller))
        .then(
          ({ status, body }) => {
            res.writeHead(status, { 'content-type': 'application/json' });
            res.end(JSON.stringify(body));
          },
          () => res.destroy(),
        );
      return;
    }
    const upstream = forward(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: raw.headers },
      (answer: IncomingMessage) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          if (active.kind === 'forward-then-hang') return;
          if (active.kind === 'forward-then-reset') return void req.socket.destroy();
          let body = Buffer.concat(chunks);
          if (active.kind === 'rewrite' && (answer.statusCode ?? 500) < 300) {
            const rewritten = active.rewrite(JSON.parse(body.toString('utf8')) as Record<string, unknown>, {
              method: req.method ?? 'GET',
              path: req.url ?? '/',
            });
            body = Buffer.from(JSON.stringify(rewritten));
          }
          const headers = { ...answer.headers, 'content-length': String(body.length) };
          res.writeHead(answer.statusCode ?? 502, headers);
          res.end(body);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    upstream.end(raw.body);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    requests,
    inject(next, times = Number.POSITIVE_INFINITY) {
      fault = next;
      remaining = times;
    },
    reset() {
      fault = { kind: 'pass' };
      remaining = Number.POSITIVE_INFINITY;
      seen.length = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
