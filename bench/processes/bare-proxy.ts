import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { signedHeaders } from '../../src/tasker/signing.js';
import { serveParent } from '../lib/ipc.js';

/**
 * The floor no Node gateway can beat: an HTTP server that signs each request it receives the way
 * the gateway signs for Tasker and forwards it over an undici pool, then passes the answer back.
 * No authentication, no authorization, no database, no audit, no validation.
 */
const upstream = new Pool(process.env.BENCH_UPSTREAM_URL ?? '', { connections: 64, keepAliveTimeout: 60_000 });
const secret = process.env.BENCH_SIGNING_SECRET ?? '';
const agentId = process.env.BENCH_AGENT_ID ?? 'bare-proxy';
const ownerUserId = process.env.BENCH_OWNER_USER_ID ?? 'local-user';

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const server = createServer(async (request, response) => {
  const body = await readBody(request);
  const method = request.method ?? 'GET';
  const path = request.url ?? '/';
  const answer = await upstream.request({
    method: method as 'GET',
    path,
    headers: {
      ...signedHeaders(secret, { method, pathWithQuery: path, agentId, ownerUserId, body, requestId: randomUUID() }),
      accept: 'application/json',
      ...(body ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    },
    body: body || null,
  });
  response.writeHead(answer.statusCode, { 'content-type': String(answer.headers['content-type'] ?? 'application/json') });
  for await (const chunk of answer.body) response.write(chunk);
  response.end();
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
serveParent({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
