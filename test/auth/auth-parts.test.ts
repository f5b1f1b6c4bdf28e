import { createHash, generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { AGENT_TOKEN_PREFIX, hashAgentToken, hasValidChecksum, issueAgentToken, looksLikeAgentToken } from '../../src/auth/agent-token.js';
import { createLauncherJwtVerifier, mintLauncherJwt } from '../../src/auth/launcher-jwt.js';
import { generatePairingCode, hashPairingCode, normalizePairingCode, PAIRING_ALPHABET, PAIRING_CODE_LENGTH } from '../../src/auth/pairing-code.js';
import { decideAgentAccess } from '../../src/auth/policy.js';
import { agentMayOnProject, agentScopes, principalActor, type AgentPrincipal, type LauncherPrincipal } from '../../src/auth/principal.js';
import { type Scope, SCOPE_DESCRIPTIONS, SCOPES, ScopeListSchema, ScopeSchema, sortScopes } from '../../src/auth/scopes.js';
import type { Config } from '../../src/config/config.js';

/**
 * The authorization core's own rules, through the exported functions the HTTP, GraphQL and MCP
 * layers call: the scope vocabulary, who may touch an agent, the shape of tokens and pairing
 * codes, and the Launcher JWT's checks. The same rules over the wire are in test/http/*.
 */
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('scopes', () => {
  it('are the documented vocabulary, each with its own description', () => {
    expect(SCOPES).toEqual([
      'projects:read',
      'issues:read',
      'issues:write',
      'comments:write',
      'labels:write',
      'assignees:write',
      'relations:write',
      'links:write',
      'planning:write',
    ]);
    const descriptions = SCOPES.map((scope) => SCOPE_DESCRIPTIONS[scope]);
    expect(new Set(descriptions).size).toBe(SCOPES.length);
    for (const description of descriptions) expect(description.length).toBeGreaterThan(15);
  });

  it('are sorted into vocabulary order without duplicates, unknown ones dropped', () => {
    expect(sortScopes(['planning:write', 'issues:read', 'issues:read', 'nope'])).toEqual(['issues:read', 'planning:write']);
    expect(ScopeListSchema.parse(['issues:write', 'projects:read'])).toEqual(['projects:read', 'issues:write']);
  });

  it('refuse an empty list and an unknown scope, naming what is expected', () => {
    expect(ScopeListSchema.safeParse([]).error?.issues[0]?.message).toBe('expected at least one scope');
    expect(ScopeSchema.safeParse('issues:delete').error?.issues[0]?.message).toBe(`expected one of ${SCOPES.join(', ')}`);
  });
});

describe('who may touch an agent', () => {
  const owner: LauncherPrincipal = { kind: 'launcher', userId: 'u1', email: 'u1@example.test', role: 'user' };
  const admin: LauncherPrincipal = { kind: 'launcher', userId: 'a1', email: 'a1@example.test', role: 'admin' };
  const other: LauncherPrincipal = { kind: 'launcher', userId: 'u2', email: 'u2@example.test', role: 'user' };
  const agent = { owner_user_id: 'u1' };

  it('owners read and manage; admins read only; others neither, told why', () => {
    expect(decideAgentAccess(owner, agent, 'read')).toEqual({ allowed: true });
    expect(decideAgentAccess(owner, agent, 'manage')).toEqual({ allowed: true });
    expect(decideAgentAccess(admin, agent, 'read')).toEqual({ allowed: true });
    expect(decideAgentAccess(admin, agent, 'manage')).toEqual({ allowed: false, reason: 'only the owner of this agent can change it' });
    expect(decideAgentAccess(other, agent, 'read')).toEqual({ allowed: false, reason: 'this agent belongs to another user' });
    expect(decideAgentAccess(other, agent, 'manage')).toEqual({ allowed: false, reason: 'only the owner of this agent can change it' });
  });
});

describe('principals', () => {
  const agent: AgentPrincipal = {
    kind: 'agent',
    agentId: 'agent-1',
    agentName: 'A',
    ownerUserId: 'u1',
    ownerEmail: 'u1@example.test',
    tokenId: 't1',
    tokenExpiresAt: new Date(0),
    tokenResource: null,
    grants: new Map<string, ReadonlySet<Scope>>([
      ['p1', new Set<Scope>(['issues:read', 'issues:write'])],
      ['p2', new Set<Scope>(['projects:read'])],
    ]),
  };

  it('name their actor', () => {
    expect(principalActor(agent)).toEqual({ actorKind: 'agent', actorId: 'agent-1' });
    expect(principalActor({ kind: 'launcher', userId: 'u1', email: 'e', role: 'user' })).toEqual({ actorKind: 'launcher', actorId: 'u1' });
    expect(principalActor({ kind: 'anonymous' })).toEqual({ actorKind: 'anonymous', actorId: null });
  });

  it("an agent's scopes are the union of its grants; a scope counts only on the project that grants it", () => {
    expect([...agentScopes(agent)].sort()).toEqual(['issues:read', 'issues:write', 'projects:read']);
    expect(agentMayOnProject(agent, 'p1', 'issues:write')).toBe(true);
    expect(agentMayOnProject(agent, 'p2', 'issues:write')).toBe(false);
    expect(agentMayOnProject(agent, 'p3', 'issues:read')).toBe(false);
  });
});

describe('pairing codes', () => {
  it('are 8 letters of the alphabet, shown XXXX-XXXX, selected by the first four, stored as a hash', () => {
    for (let i = 0; i < 20; i += 1) {
      const code = generatePairingCode();
      expect(code.display).toMatch(new RegExp(`^[${PAIRING_ALPHABET}]{4}-[${PAIRING_ALPHABET}]{4}$`));
      const bare = code.display.replace('-', '');
      expect(code.selector).toBe(bare.slice(0, 4));
      expect(code.hash).toBe(sha256(`pairing:${bare}`));
      expect(hashPairingCode(bare)).toBe(code.hash);
    }
    expect(PAIRING_CODE_LENGTH).toBe(8);
    expect(PAIRING_ALPHABET).toBe('BCDFGHJKLMNPQRSTVWXZ');
  });

  it('are read case-insensitively, ignoring dashes and spaces', () => {
    expect(normalizePairingCode(' bcdf-ghjk\n')).toEqual({ ok: true, code: 'BCDFGHJK', selector: 'BCDF' });
    expect(normalizePairingCode('BCDF - GHJK')).toEqual({ ok: true, code: 'BCDFGHJK', selector: 'BCDF' });
  });

  it('refuse a wrong length or a letter outside the alphabet, saying which', () => {
    expect(normalizePairingCode('BCDF-GHJ')).toEqual({ ok: false, reason: 'a pairing code has 8 letters, shown as XXXX-XXXX' });
    expect(normalizePairingCode('BCDF-GHJKL')).toMatchObject({ ok: false });
    expect(normalizePairingCode('BCDF-GHJA')).toEqual({ ok: false, reason: `a pairing code uses only the letters ${PAIRING_ALPHABET}` });
    expect(normalizePairingCode('BCDF_GHJK')).toMatchObject({ ok: false });
  });
});

describe('agent tokens', () => {
  it('are ndcag_<43>_<6 checksum>, stored as a hash, shown by a prefix and the last four characters', () => {
    for (let i = 0; i < 20; i += 1) {
      const token = issueAgentToken();
      expect(token.secret).toMatch(/^ndcag_[0-9A-Za-z]{43}_[0-9A-Za-z]{6}$/);
      expect(hasValidChecksum(token.secret)).toBe(true);
      expect(token.hash).toBe(sha256(token.secret));
      expect(hashAgentToken(token.secret)).toBe(token.hash);
      expect(token.displayPrefix).toBe(token.secret.slice(0, 10));
      expect(token.lastCharacters).toBe(token.secret.slice(-4));
      expect(looksLikeAgentToken(token.secret)).toBe(true);
    }
    expect(AGENT_TOKEN_PREFIX).toBe('ndcag');
  });

  it('a changed character, a wrong length or another prefix fails the checksum', () => {
    const { secret } = issueAgentToken();
    const body = secret.slice(0, -7);
    const flip = (char: string) => (char === 'a' ? 'b' : 'a');
    expect(hasValidChecksum(`${body.slice(0, 10)}${flip(body[10]!)}${body.slice(11)}${secret.slice(-7)}`)).toBe(false);
    expect(hasValidChecksum(`${secret.slice(0, -1)}${flip(secret.at(-1)!)}`)).toBe(false);
    expect(hasValidChecksum(`${secret}0`)).toBe(false);
    expect(hasValidChecksum(`x${secret}`)).toBe(false);
    expect(hasValidChecksum(secret.replace('ndcag_', 'ndcax_'))).toBe(false);
    expect(looksLikeAgentToken('ndcagX')).toBe(false);
    expect(looksLikeAgentToken('Bearer ndcag_')).toBe(false);
  });

  it('pads small values with leading zeros, so every token has its full length', () => {
    // About one checksum in five is below 62^5 and so padded; among 400 tokens some surely are.
    const tokens = Array.from({ length: 400 }, () => issueAgentToken().secret);
    expect(tokens.every(hasValidChecksum)).toBe(true);
    expect(tokens.some((token) => token.split('_')[2]!.startsWith('0'))).toBe(true);
  });
});

describe('Launcher JWTs', () => {
  const secret = 'launcher-secret-0123456789abcdef0123456789';
  const config = (overrides: Partial<Config['launcherJwt']> = {}): Config['launcherJwt'] =>
    ({ hs256Secret: secret, eddsaPublicKeyPem: undefined, jwksUrl: undefined, jwksCooldownSeconds: 30, audience: 'tasker-agent-gateway', issuer: undefined, maxTtlSeconds: 900, ...overrides }) as Config['launcherJwt'];
  const at = Date.parse('2026-11-26T12:00:00Z');
  const now = () => at;
  const sign = (claims: Record<string, unknown>, options: { iat?: number; exp?: number; aud?: string; iss?: string; alg?: string } = {}) => {
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: options.alg ?? 'HS256' })
      .setSubject('user-1')
      .setAudience(options.aud ?? 'tasker-agent-gateway')
      .setIssuedAt(options.iat ?? at / 1000)
      .setExpirationTime(options.exp ?? at / 1000 + 300);
    if (options.iss) jwt.setIssuer(options.iss);
    return jwt.sign(new TextEncoder().encode(secret));
  };
  const verify = async (token: string, overrides: Partial<Config['launcherJwt']> = {}) => createLauncherJwtVerifier(config(overrides), now).verify(token);

  it('accepts a well-formed token and names its user', async () => {
    expect(await verify(await sign({ email: 'u@example.test', role: 'admin' }))).toEqual({
      ok: true,
      principal: { kind: 'launcher', userId: 'user-1', email: 'u@example.test', role: 'admin' },
    });
  });

  it('refuses missing or malformed claims', async () => {
    expect(await verify(await sign({ email: 'u@example.test', role: 'root' }))).toEqual({ ok: false, code: 'launcher_jwt_invalid', reason: 'launcher token lacks sub, email or a role of user|admin' });
    expect(await verify(await sign({ email: 'u@', role: 'user' }))).toMatchObject({ ok: false, reason: expect.stringContaining('lacks sub, email') });
    expect(await verify('not.a.jwt')).toEqual({ ok: false, code: 'launcher_jwt_invalid', reason: 'launcher token is malformed' });
  });

  it('refuses a token that lives too long or was issued in the future, within the 30 s tolerance', async () => {
    const claims = { email: 'u@example.test', role: 'user' };
    expect((await verify(await sign(claims, { exp: at / 1000 + 900 + 30 }))).ok).toBe(true);
    expect(await verify(await sign(claims, { exp: at / 1000 + 900 + 31 }))).toEqual({ ok: false, code: 'launcher_jwt_invalid', reason: 'launcher token lives too long (exp at most 900 s ahead)' });
    expect((await verify(await sign(claims, { iat: at / 1000 + 30 }))).ok).toBe(true);
    expect(await verify(await sign(claims, { iat: at / 1000 + 31 }))).toEqual({ ok: false, code: 'launcher_jwt_invalid', reason: 'launcher token claim "iat" lies in the future' });
    expect((await verify(await sign(claims, { exp: at / 1000 - 29 }))).ok).toBe(true);
    expect(await verify(await sign(claims, { exp: at / 1000 - 31 }))).toEqual({ ok: false, code: 'launcher_jwt_expired', reason: 'launcher token expired' });
  });

  it('refuses another audience, a wrong issuer, a bad signature and an algorithm it does not hold a key for', async () => {
    const claims = { email: 'u@example.test', role: 'user' };
    expect(await verify(await sign(claims, { aud: 'someone-else' }))).toEqual({ ok: false, code: 'launcher_jwt_invalid', reason: 'launcher token claim "aud" is invalid' });
    expect(await verify(await sign(claims, { iss: 'other' }), { issuer: 'launcher' })).toEqual({ ok: false, code: 'launcher_jwt_invalid', reason: 'launcher token claim "iss" is invalid' });
    expect((await verify(await sign(claims, { iss: 'launcher' }), { issuer: 'launcher' })).ok).toBe(true);
    const token = await sign(claims);
    expect(await verify(`${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`)).toEqual({ ok: false, code: 'launcher_jwt_bad_signature', reason: 'launcher token signature is invalid' });
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const ed = await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA' }).setSubject('user-1').setAudience('tasker-agent-gateway').setIssuedAt(at / 1000).setExpirationTime(at / 1000 + 300).sign(privateKey);
    expect(await verify(ed)).toEqual({ ok: false, code: 'launcher_jwt_invalid', reason: 'launcher token algorithm not allowed' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(await verify(ed, { hs256Secret: undefined, eddsaPublicKeyPem: pem })).toMatchObject({ ok: true, principal: { userId: 'user-1' } });
    expect(await verify(token, { hs256Secret: undefined, eddsaPublicKeyPem: pem })).toEqual({ ok: false, code: 'launcher_jwt_invalid', reason: 'launcher token algorithm not allowed' });
  });

  it('mints what it verifies, with the lifetime asked for', async () => {
    const token = await mintLauncherJwt(secret, { sub: 'user-2', email: 'u2@example.test', role: 'user' }, { audience: 'tasker-agent-gateway', ttlSeconds: 60, issuer: 'launcher' });
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number; iat: number; iss: string };
    expect(payload.exp - payload.iat).toBe(60);
    expect(payload.iss).toBe('launcher');
    expect(await createLauncherJwtVerifier(config({ issuer: 'launcher' })).verify(token)).toMatchObject({ ok: true, principal: { userId: 'user-2' } });
  });
});
