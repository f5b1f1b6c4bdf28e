import { createServer, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServerAdapter } from '@whatwg-node/server';
import type { FetchHandler } from './router.js';
import type { NodeServerContext } from './request-context.js';

/** How a drain ended: every request answered, or the grace period ran out and `cut` were cut off. */
export type DrainOutcome = { drained: true } | { drained: false; cut: number };

export interface DrainOptions {
  /** Resolves on a second signal: the operator will not wait, so the delay and the grace period end at once. */
  hurry?: Promise<void>;
  /**
   * While it is pending, readiness already answers 503 but the listener keeps accepting and serving
   * as before, so a load balancer that probes every few seconds takes the replica out before its
   * connections are refused (SHUTDOWN_READINESS_DELAY_SECONDS). Absent: the listener closes at once.
   */
  readinessDelay?: Promise<void>;
  /** Called once the listener closes (after the readiness delay): new connections are refused from then on. */
  onListenerClose?: () => void;
}

export interface RunningServer {
  url: string;
  server: Server;
  /** Requests being answered now. */
  inFlight(): number;
  /**
   * Graceful stop: readiness answers 503 at once; after the readiness delay (if any) the listener
   * closes (new connections are refused), requests already in progress are answered and each
   * connection is closed once idle (a request already sent on a kept-alive connection is answered,
   * with `Connection: close`). Whatever is still open `graceMs` after the listener closed (or when
   * `hurry` resolves: a second signal) is cut.
   */
  drain(graceMs: number, options?: DrainOptions): Promise<DrainOutcome>;
  /** Immediate stop: every connection closed now (tests). */
  close(): Promise<void>;
}

const DRAINING_BODY = JSON.stringify({ status: 'draining', checks: {} });

/** The only place that listens. */
export async function listen(handler: FetchHandler, host: string, port: number): Promise<RunningServer> {
  // Readiness goes first (at the signal); the connections' end follows when the listener closes.
  let notReady = false;
  let draining = false;
  const adapter = createServerAdapter<NodeServerContext>((request, server) => {
    // A load balancer must stop sending work here the moment a drain begins, before the database is asked.
    if (notReady && new URL(request.url, 'http://gateway').pathname === '/readyz') {
      return new Response(DRAINING_BODY, { status: 503, headers: { 'content-type': 'application/json', connection: 'close' } });
    }
    return handler(request, server);
  });
  const server = createServer(adapter);
  // Keep-alive sockets must not hold a shutdown open for minutes.
  server.keepAliveTimeout = 5_000;

  const open = new Set<ServerResponse>();
  let allAnswered: (() => void) | undefined;
  server.on('request', (_request, response: ServerResponse) => {
    open.add(response);
    // A request that arrives on a kept-alive connection during a drain is answered, then the connection ends.
    if (draining && !response.headersSent) response.setHeader('connection', 'close');
    response.once('close', () => {
      open.delete(response);
      if (open.size === 0) allAnswered?.();
      // Its connection is idle now unless another request waits on it; idle ones go at once.
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));

  return {
    url: `http://${hostForUrl}:${address.port}`,
    server,
    inFlight: () => open.size,
    drain: async (graceMs, { hurry, readinessDelay, onListenerClose } = {}) => {
      notReady = true;
      if (readinessDelay) await Promise.race([readinessDelay, closed, ...(hurry ? [hurry] : [])]);
      draining = true;
      onListenerClose?.();
      // Stops accepting and closes idle kept-alive connections; busy ones close after their answer.
      server.close();
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'grace over'>((resolve) => {
        timer = setTimeout(() => resolve('grace over'), graceMs);
        void hurry?.then(() => resolve('grace over'));
      });
      const answered = new Promise<'answered'>((resolve) => {
        allAnswered = () => resolve('answered');
        if (open.size === 0) resolve('answered');
      });
      if ((await Promise.race([answered, deadline])) === 'answered') {
        server.closeIdleConnections();
        await Promise.race([closed, deadline]);
      }
      clearTimeout(timer);
      const cut = open.size;
      server.closeAllConnections();
      await closed;
      return cut === 0 ? { drained: true } : { drained: false, cut };
    },
    close: async () => {
      notReady = true;
      draining = true;
      server.closeAllConnections();
      server.close();
      await closed;
    },
  };
}
