import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP pass-through on loopback that a test can cut: while cut, every open connection is
 * destroyed and every new one is closed at once (and counted), as when a network path fails.
 */
export interface TcpProxy {
  port: number;
  /** The target's URL with this proxy's port in place of the target's. */
  urlFor(targetUrl: string): string;
  cut(): void;
  restore(): void;
  /** Connections refused since the last cut. */
  refusedWhileCut: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let cut = false;
  const state = { refusedWhileCut: 0 };
  const server: Server = createServer((client) => {
    if (cut) {
      state.refusedWhileCut += 1;
      return void client.destroy();
    }
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    urlFor(targetUrl) {
      const url = new URL(targetUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    cut() {
      cut = true;
      state.refusedWhileCut = 0;
      for (const socket of open) socket.destroy();
    },
    restore() {
      cut = false;
    },
    get refusedWhileCut() {
      return state.refusedWhileCut;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
