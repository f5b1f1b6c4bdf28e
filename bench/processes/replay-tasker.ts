import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { authenticate } from '../../reference-tasker/auth/authenticate.js';
import { derivedKeyId } from '../../reference-tasker/auth/signature.js';
import { serveParent } from '../lib/ipc.js';

/**
 * A Tasker fast enough not to be what the benchmark measures. It first records: requests pass
 * through to the reference Tasker and its answers are kept, so they are valid by the contract.
 * Then it replays: every request must carry a valid v1 signature and a fresh nonce (the contract's
 * own check, reference-tasker/auth/authenticate.ts) and gets the recorded answer to the same
 * method, path and body; anything it never recorded is a 404.
 */
const secret = process.env.BENCH_SIGNING_SECRET ?? '';
const keys = new Map([[derivedKeyId(secret), secret]]);
interface Recorded {
  status: number;
  contentType: string;
  body: Buffer;
}
const recordings = new Map<string, Recorded>();
type BaselineAuthenticate = (input: unknown, deps: { secret: string; nowMs: number; rememberNonce(nonce: string): Promise<boolean> }) => Promise<unknown>;
const baselineAuthenticate = process.env.BENCH_BASELINE_ROOT
  ? ((await import(pathToFileURL(resolve(process.env.BENCH_BASELINE_ROOT, 'reference-tasker/auth/authenticate.ts')).href)) as { authenticate: BaselineAuthenticate }).authenticate
  : undefined;
let recordingFrom: Pool | undefined;

const keyOf = (method: string, path: string, body: Buffer) => `${method} ${path} ${createHash('sha256').update(body).digest('hex')}`;

// Nonces are remembered for two windows of five minutes, which covers the contract's clock skew.
let nonces = new Set<string>();
let previousNonces = new Set<string>();
setInterval(() => {
  previousNonces = nonces;
  nonces = new Set();
}, 300_000).unref();
const rememberNonce = async (nonce: string) => {
  if (nonces.has(nonce) || previousNonces.has(nonce)) return false;
  nonces.add(nonce);
  return true;
};

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const server = createServer(async (request, response) => {
  const body = await readBody(request);
  const method = request.method ?? 'GET';
  const path = request.url ?? '/';
  // A baseline signing the older way (no key id) spoke the older contract: its answers are kept apart.
  const key = `${request.headers['x-nodedc-key-id'] === undefined ? 'baseline ' : ''}${keyOf(method, path, body)}`;
  if (recordingFrom) {
    const answer = await recordingFrom.request({
      method: method as 'GET',
      path,
      headers: request.headers as Record<string, string>,
      body: body.length > 0 ? body : null,
    });
    const recorded = {
      status: answer.statusCode,
      contentType: String(answer.headers['content-type'] ?? 'application/json'),
      body: Buffer.from(await answer.body.arrayBuffer()),
    };
    if (recorded.status < 300) recordings.set(key, recorded);
    response.writeHead(recorded.status, { 'content-type': recorded.contentType });
    return void response.end(recorded.body);
  }
  try {
    const input = { headers: request.headersDistinct, method, pathWithQuery: path, body };
    await authenticate(input, { keys, nowMs: Date.now(), rememberNonce }).catch((error: unknown) => {
      // A baseline gateway from before signing key ids signs the older way; its own check decides.
      if (!baselineAuthenticate) throw error;
      return baselineAuthenticate(input, { secret, nowMs: Date.now(), rememberNonce });
    });
  } catch {
    response.writeHead(401, { 'content-type': 'application/json' });
    return void response.end('{"error":{"code":"BAD_SIGNATURE","message":"replay: the request is not validly signed"}}');
  }
  const recorded = recordings.get(key);
  if (!recorded) {
    response.writeHead(404, { 'content-type': 'application/json' });
    return void response.end(`{"error":{"code":"NOT_FOUND","message":"replay: nothing recorded for ${method} ${path}"}}`);
  }
  response.writeHead(recorded.status, { 'content-type': recorded.contentType, 'content-length': recorded.body.length });
  response.end(recorded.body);
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

serveParent({
  url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  commands: {
    record: (target) => {
      recordingFrom = new Pool(String(target), { connections: 16 });
      return true;
    },
    replay: async () => {
      await recordingFrom?.close();
      recordingFrom = undefined;
      return [...recordings.keys()];
    },
  },
});
