import { createPublicKey, type KeyObject } from 'node:crypto';
import { errors as joseErrors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { Config } from '../config/config.js';
import type { LauncherPrincipal } from './principal.js';

/**
 * The Launcher calls with a short-lived JWT. HS256 with the shared secret is the default; an
 * Ed25519 public key can be configured so the gateway holds no signing material at all.
 * Tokens that live longer than the configured maximum are refused even when validly signed.
 */
const CLOCK_TOLERANCE_SECONDS = 30;

const ClaimsSchema = z.object({
  sub: z.string().min(1).max(200),
  email: z.string().min(3).max(320),
  role: z.enum(['user', 'admin']),
  exp: z.number(),
  iat: z.number().optional(),
});

export type LauncherJwtVerification = { ok: true; principal: LauncherPrincipal } | { ok: false; reason: string };

export interface LauncherJwtVerifier {
  verify(token: string): Promise<LauncherJwtVerification>;
}

export function createLauncherJwtVerifier(config: Config['launcherJwt'], now: () => number = Date.now): LauncherJwtVerifier {
  const hsKey = config.hs256Secret ? new TextEncoder().encode(config.hs256Secret) : undefined;
  const edKey: KeyObject | undefined = config.eddsaPublicKeyPem ? createPublicKey(config.eddsaPublicKeyPem) : undefined;
  const algorithms = [...(hsKey ? ['HS256'] : []), ...(edKey ? ['EdDSA'] : [])];

  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(
          token,
          async (header) => {
            if (header.alg === 'HS256' && hsKey) return hsKey;
            if (header.alg === 'EdDSA' && edKey) return edKey;
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
        return { ok: false, reason: describeJoseError(error) };
      }
    },
  };
}

function checkClaims(payload: JWTPayload, maxTtlSeconds: number, now: () => number): LauncherJwtVerification {
  const claims = ClaimsSchema.safeParse(payload);
  if (!claims.success) return { ok: false, reason: 'launcher token lacks sub, email or a role of user|admin' };
  const nowSeconds = Math.floor(now() / 1000);
  // A token "issued" in the future was minted by a clock (or a hand) that cannot be trusted.
  if (claims.data.iat !== undefined && claims.data.iat > nowSeconds + CLOCK_TOLERANCE_SECONDS) {
    return { ok: false, reason: 'launcher token claim "iat" lies in the future' };
  }
  const secondsLeft = claims.data.exp - nowSeconds;
  if (secondsLeft > maxTtlSeconds + CLOCK_TOLERANCE_SECONDS) {
    return { ok: false, reason: `launcher token lives too long (exp at most ${maxTtlSeconds} s ahead)` };
  }
  return {
    ok: true,
    principal: { kind: 'launcher', userId: claims.data.sub, email: claims.data.email, role: claims.data.role },
  };
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'launcher token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `launcher token claim "${error.claim}" is invalid`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'launcher token algorithm not allowed';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'launcher token signature is invalid';
  return 'launcher token is malformed';
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
