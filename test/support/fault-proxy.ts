import { createServer, request as forward, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on loopback between the gateway and the reference Tasker. It passes traffic
 * through unchanged, or misbehaves the way a real Tasker or network can: a 500, a reset
 * connection, no answer, a body that is not JSON, or an answer rewritten by a test.
 */
export type Fault =
  | { kind: 'pass' }
  | { kind: 'status'; status: number }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'malformed' }
  | { kind: 'rewrite'; rewrite: (body: Record<string, unknown>, request: { method: string; path: string }) => Record<string, unknown> };

export interface FaultProxy {
  url: string;
  /** The fault applies to the next `times` requests (default: all), then traffic passes again. */
  inject(fault: Fault, times?: number): void;
  /** Requests seen since the last reset, as "METHOD path". */
  seen: string[];
  reset(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  let fault: Fault = { kind: 'pass' };
  let remaining = Number.POSITIVE_INFINITY;
  const seen: string[] = [];

  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const active = remaining > 0 ? fault : ({ kind: 'pass' } as const);
    if (remaining > 0 && fault.kind !== 'pass') remaining -= 1;
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
    const upstream = forward(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer: IncomingMessage) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
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
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    inject(next, times = Number.POSITIVE_INFINITY) {
      fault = next;
      remaining = times;
    },
    reset() {
      fault = { kind: 'pass' };
      remaining = Number.POSITIVE_INFINITY;
      seen.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
