import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, graphql, startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * Launcher JWTs verified from the Launcher's JSON Web Key Set: a real HTTP server on loopback
 * serves the set, the gateway fetches and caches it, and callers ask `me` over HTTP. Covers each
 * algorithm a key set may carry, the shared secret beside it, a rotation (a new kid makes the
 * gateway fetch again), tokens the set cannot vouch for, and a key set that is down or broken.
 */
type Algorithm = 'EdDSA' | 'ES256' | 'RS256';

interface LauncherKey {
  kid: string;
  alg: Algorithm;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function launcherKey(kid: string, alg: Algorithm): Promise<LauncherKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** The Launcher's key set endpoint: what it serves can be changed, and it counts its fetches. */
interface KeySetServer {
  url: string;
  keys: LauncherKey[];
  answer: 'keys' | 'error' | 'not json';
  fetches: number;
  close(): Promise<void>;
}

async function startKeySetServer(keys: LauncherKey[]): Promise<KeySetServer> {
  const state = { keys, answer: 'keys' as KeySetServer['answer'], fetches: 0 };
  const server: Server = createServer((request, response) => {
    state.fetches += 1;
    if (state.answer === 'error') return void response.writeHead(500).end('oops');
    if (state.answer === 'not json') return void response.writeHead(200, { 'content-type': 'application/json' }).end('<html>');
    response.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: state.keys.map((key) => key.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

let gateway: TestGateway;
let keySet: KeySetServer;

async function sign(key: Pick<LauncherKey, 'kid' | 'alg' | 'privateKey'>, sub = 'jwks-user'): Promise<string> {
  return new SignJWT({ email: `${sub}@example.test`, role: 'user' })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setSubject(sub)
    .setAudience(gateway.config.launcherJwt.audience)
    .setIssuedAt()
    .setExpirationTime('2m')
    .sign(key.privateKey);
}

const me = (token: string) => graphql<{ me: { userId: string } }>(gateway, '{ me { userId } }', { token });

beforeAll(async () => {
  keySet = await startKeySetServer([await launcherKey('ed-1', 'EdDSA'), await launcherKey('ec-1', 'ES256'), await launcherKey('rsa-1', 'RS256')]);
  // No cooldown: a token naming a kid the cached set lacks makes the gateway fetch at once.
  gateway = await startTestGateway({ LAUNCHER_JWT_JWKS_URL: keySet.url, LAUNCHER_JWT_JWKS_COOLDOWN_SECONDS: '0' });
});
afterAll(async () => {
  await gateway?.close();
  await keySet?.close();
});

describe('Launcher JWTs from a JWKS URL', () => {
  it.each(['ed-1', 'ec-1', 'rsa-1'])('accepts a token signed with key %s of the set', async (kid) => {
    const result = await me(await sign(keySet.keys.find((key) => key.kid === kid)!, `user-${kid}`));
    expect(result.errors).toBeUndefined();
    expect(result.data?.me.userId).toBe(`user-${kid}`);
  });

  it('keeps the key set it fetched, and still accepts the shared secret beside it', async () => {
    const before = keySet.fetches;
    for (let i = 0; i < 3; i += 1) expect((await me(await sign(keySet.keys[0]!))).errors).toBeUndefined();
    expect(keySet.fetches).toBe(before);
    const shared = await me(await gateway.launcherToken({ sub: 'hs-user' }));
    expect(shared.data?.me.userId).toBe('hs-user');
  });

  it('fetches the set again for a kid it does not hold, so a rotated key works at once', async () => {
    const next = await launcherKey('ed-2', 'EdDSA');
    keySet.keys = [...keySet.keys, next];
    const before = keySet.fetches;
    const result = await me(await sign(next, 'rotated-user'));
    expect(result.data?.me.userId).toBe('rotated-user');
    expect(keySet.fetches).toBe(before + 1);
  });

  it('refuses with 401 a kid the set does not have, and a signature that is not the named key’s', async () => {
    const stranger = await launcherKey('not-in-the-set', 'ES256');
    const unknown = await me(await sign(stranger));
    expect(errorCode(unknown)).toBe('UNAUTHENTICATED');
    expect(unknown.status).toBe(401);
    expect(unknown.errors?.[0]?.message).toContain('key (kid) the Launcher key set does not have');

    const forged = await me(await sign({ ...stranger, kid: 'ec-1' }));
    expect(errorCode(forged)).toBe('UNAUTHENTICATED');
    expect(forged.errors?.[0]?.message).toContain('signature is invalid');
  });

  it('answers 503 with Retry-After, not 401 or 500, while the key set is broken or down', async () => {
    // A gateway that has fetched nothing yet, so every call needs the set.
    const fresh = await startTestGateway({ LAUNCHER_JWT_JWKS_URL: keySet.url });
    try {
      const token = await sign(keySet.keys[0]!);
      const ask = () =>
        fetch(`${fresh.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: '{ me { userId } }' }),
        });
      for (const answer of ['error', 'not json'] as const) {
        keySet.answer = answer;
        const response = await ask();
        const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
        expect(response.status, answer).toBe(503);
        expect(response.headers.get('retry-after')).toBe('5');
        expect(body.errors[0]?.extensions.code).toBe('SERVICE_UNAVAILABLE');
      }
      keySet.answer = 'keys';
      await keySet.close();
      const down = await ask();
      expect(down.status).toBe(503);
      expect(((await down.json()) as { errors: { message: string }[] }).errors[0]?.message).toContain('LAUNCHER_JWT_JWKS_URL');
    } finally {
      await fresh.close();
    }
  });
});
