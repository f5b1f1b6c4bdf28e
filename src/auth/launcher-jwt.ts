import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, type JWSHeaderParameters, type FlattenedJWSInput, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { GatewayError } from '../errors/gateway-error.js';
import { z } from 'zod';
import type { Config } from '../config/config.js';
import type { CredentialRefusalCode, LauncherPrincipal } from './principal.js';

/**
 * The Launcher calls with a short-lived JWT. HS256 with the shared secret is the default; an
 * Ed25519 public key, or the Launcher's JWKS URL (keys by kid, so the Launcher can rotate them),
 * can be configured so the gateway holds no signing material at all.
 * Tokens that live longer than the configured maximum are refused even when validly signed.
 */
const CLOCK_TOLERANCE_SECONDS = 30;

/** What a key set may sign with; HS256 stays with the shared secret. */
const JWKS_ALGORITHMS = ['EdDSA', 'ES256', 'RS256'] as const;
/** A fetched key set is used this long before it is fetched again. */
const JWKS_CACHE_MAX_AGE_MS = 10 * 60 * 1000;
const JWKS_TIMEOUT_MS = 5000;
const JWKS_RETRY_AFTER_SECONDS = 5;

/** The key set could not be had (down, slow, not a key set): the caller did nothing wrong. */
class KeySetUnavailable extends Error {}

type KeyGetter = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey | KeyObject | Uint8Array>;

function remoteKeySet(url: string, cooldownSeconds: number): KeyGetter {
  const keySet = createRemoteJWKSet(new URL(url), {
    cooldownDuration: cooldownSeconds * 1000,
    cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
    timeoutDuration: JWKS_TIMEOUT_MS,
  });
  return async (header, token) => {
    try {
      return await keySet(header, token);
    } catch (error) {
      // No key for the kid, several, or one of another type: the token's fault. Anything else
      // (refused connection, timeout, a non-200, a body that is no key set) is the key set's.
      if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys || error instanceof joseErrors.JOSENotSupported) {
        throw error;
      }
      throw new KeySetUnavailable('the key set could not be fetched', { cause: error });
    }
  };
}

const ClaimsSchema = z.object({
  sub: z.string().min(1).max(200),
  email: z.string().min(3).max(320),
  role: z.enum(['user', 'admin']),
  exp: z.number(),
  iat: z.number().optional(),
});

export type LauncherJwtRefusalCode = Extract<CredentialRefusalCode, `launcher_jwt_${string}`>;

export type LauncherJwtVerification = { ok: true; principal: LauncherPrincipal } | { ok: false; code: LauncherJwtRefusalCode; reason: string };

export interface LauncherJwtVerifier {
  verify(token: string): Promise<LauncherJwtVerification>;
}

export function createLauncherJwtVerifier(config: Config['launcherJwt'], now: () => number = Date.now): LauncherJwtVerifier {
  const hsKey = config.hs256Secret ? new TextEncoder().encode(config.hs256Secret) : undefined;
  const edKey: KeyObject | undefined = config.eddsaPublicKeyPem ? createPublicKey(config.eddsaPublicKeyPem) : undefined;
  const jwks = config.jwksUrl ? remoteKeySet(config.jwksUrl, config.jwksCooldownSeconds) : undefined;
  const algorithms = [...new Set([...(hsKey ? ['HS256'] : []), ...(edKey ? ['EdDSA'] : []), ...(jwks ? JWKS_ALGORITHMS : [])])];

  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(
          token,
          async (header, jws) => {
            if (header.alg === 'HS256' && hsKey) return hsKey;
            // A token naming a kid is for the key set; without one, for the configured public key.
            if (header.alg === 'EdDSA' && edKey && (!jwks || header.kid === undefined)) return edKey;
            if (jwks && (JWKS_ALGORITHMS as readonly string[]).includes(header.alg ?? '')) return jwks(header, jws);
            throw new joseErrors.JOSEAlgNotAllowed('algorithm not allowed');
          },
          {
            algorithms,
            audience: config.audience,
            ...(config.issuer ? { issuer: config.issuer } : {}),
            requiredClaims: ['exp', 'sub'],
            clockTolerance: CLOCK_TOLERANCE_SECONDS,
            currentDate: new Date(now()),
          },
        );
        return checkClaims(payload, config.maxTtlSeconds, now);
      } catch (error) {
        if (error instanceof KeySetUnavailable) {
          // Not the caller's mistake, and not to be counted against it as a refused credential.
          throw new GatewayError('SERVICE_UNAVAILABLE', 'the Launcher key set (LAUNCHER_JWT_JWKS_URL) cannot be fetched right now; retry shortly', {
            retryAfterSeconds: JWKS_RETRY_AFTER_SECONDS,
            cause: error.cause,
          });
        }
        return { ok: false, ...describeJoseError(error) };
      }
    },
  };
}

function checkClaims(payload: JWTPayload, maxTtlSeconds: number, now: () => number): LauncherJwtVerification {
  const claims = ClaimsSchema.safeParse(payload);
  if (!claims.success) return { ok: false, code: 'launcher_jwt_invalid', reason: 'launcher token lacks sub, email or a role of user|admin' };
  const nowSeconds = Math.floor(now() / 1000);
  // A token "issued" in the future was minted by a clock (or a hand) that cannot be trusted.
  if (claims.data.iat !== undefined && claims.data.iat > nowSeconds + CLOCK_TOLERANCE_SECONDS) {
    return { ok: false, code: 'launcher_jwt_invalid', reason: 'launcher token claim "iat" lies in the future' };
  }
  const secondsLeft = claims.data.exp - nowSeconds;
  if (secondsLeft > maxTtlSeconds + CLOCK_TOLERANCE_SECONDS) {
    return { ok: false, code: 'launcher_jwt_invalid', reason: `launcher token lives too long (exp at most ${maxTtlSeconds} s ahead)` };
  }
  return {
    ok: true,
    principal: { kind: 'launcher', userId: claims.data.sub, email: claims.data.email, role: claims.data.role },
  };
}

function describeJoseError(error: unknown): { code: LauncherJwtRefusalCode; reason: string } {
  const invalid = (reason: string) => ({ code: 'launcher_jwt_invalid' as const, reason });
  if (error instanceof joseErrors.JWTExpired) return { code: 'launcher_jwt_expired', reason: 'launcher token expired' };
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return { code: 'launcher_jwt_bad_signature', reason: 'launcher token signature is invalid' };
  if (error instanceof joseErrors.JWTClaimValidationFailed) return invalid(`launcher token claim "${error.claim}" is invalid`);
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return invalid('launcher token algorithm not allowed');
  if (error instanceof joseErrors.JWKSNoMatchingKey) return invalid('launcher token names a key (kid) the Launcher key set does not have');
  if (error instanceof joseErrors.JWKSMultipleMatchingKeys) return invalid('launcher token matches several keys of the Launcher key set; it must name one (kid)');
  return invalid('launcher token is malformed');
}

/** For the dev command and tests: what the Launcher would send. */
export async function mintLauncherJwt(
  secret: string,
  claims: { sub: string; email: string; role: 'user' | 'admin' },
  options: { audience: string; ttlSeconds?: number; issuer?: string },
): Promise<string> {
  const jwt = new SignJWT({ email: claims.email, role: claims.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setAudience(options.audience)
    .setIssuedAt()
    .setExpirationTime(`${options.ttlSeconds ?? 300}s`);
  if (options.issuer) jwt.setIssuer(options.issuer);
  return jwt.sign(new TextEncoder().encode(secret));
}
