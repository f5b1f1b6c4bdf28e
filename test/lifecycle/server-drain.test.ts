import { connect } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { listen, type RunningServer } from '../../src/http/server.js';

/**
 * The listener's drain, on its own: what a load balancer and a kept-alive client see. The gateway
 * process (drain.test.ts) shows the same through SIGTERM.
 */
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A handler whose /slow answers only when the test says so, and tells when it has been reached. */
function slowHandler() {
  let reached!: () => void;
  let release!: () => void;
  const arrived = new Promise<void>((resolve) => (reached = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const handler = async (request: Request) => {
    const { pathname } = new URL(request.url);
    if (pathname === '/slow') {
      reached();
      await released;
      return new Response('the complete answer');
    }
    return Response.json({ status: 'ready' });
  };
  return { handler, arrived, release };
}

/** One raw HTTP/1.1 connection: requests are written as asked (pipelined), answers collected until it closes. */
function connection(url: string, paths: string[]): { send(path: string): void; firstData: Promise<void>; answer: Promise<string> } {
  const { hostname, port } = new URL(url);
  const request = (path: string) => `GET ${path} HTTP/1.1\r\nHost: gateway\r\n\r\n`;
  let received!: () => void;
  const firstData = new Promise<void>((resolve) => (received = resolve));
  const socket = connect(Number(port), hostname, () => socket.write(paths.map(request).join('')));
  const answer = new Promise<string>((resolve, reject) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      received();
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  return { send: (path) => socket.write(request(path)), firstData, answer };
}

it('answers the request in progress, says 503 on readiness, refuses new connections, then closes', async () => {
  const slow = slowHandler();
  server = await listen(slow.handler, '127.0.0.1', 0);
  const { url } = server;
  const client = connection(url, ['/slow']);
  await slow.arrived;

  const drained = server.drain(600_000);
  await expect(fetch(`${url}/readyz`)).rejects.toThrow();
  // A probe sent during the drain on a connection still open (busy with the slow request).
  client.send('/readyz');
  while (server.inFlight() < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  slow.release();

  const answer = await client.answer;
  expect(answer).toMatch(/^HTTP\/1\.1 200 [\s\S]*the complete answer[\s\S]*HTTP\/1\.1 503 [\s\S]*connection: close[\s\S]*"status":"draining"/i);
  expect(await drained).toEqual({ drained: true });
});

it('cuts what is still in progress when the grace period is over, and says how many', async () => {
  const slow = slowHandler();
  server = await listen(slow.handler, '127.0.0.1', 0);
  const client = connection(server.url, ['/slow']);
  await slow.arrived;
  expect(await server.drain(0)).toEqual({ drained: false, cut: 1 });
  expect(await client.answer).toBe('');
  slow.release();
});

it('a second signal (hurry) cuts at once, however long the grace period', async () => {
  const slow = slowHandler();
  server = await listen(slow.handler, '127.0.0.1', 0);
  const client = connection(server.url, ['/slow']);
  await slow.arrived;
  expect(await server.drain(600_000, { hurry: Promise.resolve() })).toEqual({ drained: false, cut: 1 });
  expect(await client.answer).toBe('');
  slow.release();
});

it('an idle kept-alive connection does not hold the drain open', async () => {
  const slow = slowHandler();
  server = await listen(slow.handler, '127.0.0.1', 0);
  const client = connection(server.url, ['/readyz']);
  // The answer arrived and the connection stays open, idle, until the drain closes it.
  await client.firstData;
  expect(await server.drain(600_000)).toEqual({ drained: true });
  expect(await client.answer).toMatch(/^HTTP\/1\.1 200 /);
});

/** A new TCP connection, not a pooled one: whether the listener refuses it. */
function connectionRefused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** A readiness delay the test ends when it has seen what it needs: no clock decides the order. */
function readinessDelay() {
  let end!: () => void;
  const delay = new Promise<void>((resolve) => (end = resolve));
  let closed!: () => void;
  const listenerClosed = new Promise<void>((resolve) => (closed = resolve));
  return { delay, end, listenerClosed, onListenerClose: () => closed() };
}

it('during the readiness delay: readiness answers 503 on new connections, everything else is served; then new connections are refused', async () => {
  const slow = slowHandler();
  server = await listen(slow.handler, '127.0.0.1', 0);
  const { url } = server;
  const delay = readinessDelay();
  const drained = server.drain(600_000, { readinessDelay: delay.delay, onListenerClose: delay.onListenerClose });

  // New connections are still accepted: the load balancer sees the 503, traffic it still sends is answered.
  const probe = await fetch(`${url}/readyz`);
  expect(probe.status).toBe(503);
  expect(await probe.json()).toEqual({ status: 'draining', checks: {} });
  const work = await fetch(`${url}/work`);
  expect(work.status).toBe(200);
  // Business as usual until the listener closes: the connection is not ended after the answer.
  expect(work.headers.get('connection')).not.toBe('close');
  const client = connection(url, ['/slow']);
  await slow.arrived;

  delay.end();
  await delay.listenerClosed;
  expect(await connectionRefused(url)).toBe(true);
  slow.release();
  // The answer arrives, and the connection ends after it (the answer resolves when it closes).
  expect(await client.answer).toMatch(/^HTTP\/1\.1 200 [\s\S]*the complete answer/);
  expect(await drained).toEqual({ drained: true });
});

it('a second signal during the readiness delay closes at once and cuts what is in progress', async () => {
  const slow = slowHandler();
  server = await listen(slow.handler, '127.0.0.1', 0);
  const client = connection(server.url, ['/slow']);
  await slow.arrived;
  const delay = readinessDelay();
  // The delay never ends by itself here: only the hurry can end the drain.
  expect(await server.drain(600_000, { readinessDelay: delay.delay, onListenerClose: delay.onListenerClose, hurry: Promise.resolve() })).toEqual({
    drained: false,
    cut: 1,
  });
  await delay.listenerClosed;
  expect(await client.answer).toBe('');
  slow.release();
});
