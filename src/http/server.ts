import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServerAdapter } from '@whatwg-node/server';
import type { FetchHandler } from './router.js';
import type { NodeServerContext } from './request-context.js';

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** The only place that listens. */
export async function listen(handler: FetchHandler, host: string, port: number): Promise<RunningServer> {
  const adapter = createServerAdapter<NodeServerContext>((request, server) => handler(request, server));
  const server = createServer(adapter);
  // Keep-alive sockets must not hold a shutdown open for minutes.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostForUrl}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
