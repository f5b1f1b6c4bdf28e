import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The secrets this server accepts, by key id: the current one and, while a secret is rotated, the
 * previous one.
 */
export type SigningKeys = ReadonlyMap<string, string>;

/** The contract's id for a secret that was configured without one: SHA-256 of the secret, first 16 hex digits. */
export function derivedKeyId(secret: string): string {
  return sha256Hex(secret).slice(0, 16);
}

/** Everything the v2 signature covers, as the request carried it. */
export interface SignedParts {
  /** The X-NodeDC-Key-Id header: which secret signed. */
  keyId: string;
  /** The X-NodeDC-Timestamp header exactly as sent. */
  timestamp: string;
  nonce: string;
  method: string;
  /** The request target (path and query string) exactly as sent. */
  pathWithQuery: string;
  agentId: string;
  ownerUserId: string;
  /** The Idempotency-Key header, or the empty string when there is none. */
  idempotencyKey: string;
  body: Uint8Array;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function canonicalString(parts: SignedParts): string {
  return [
    'v2',
    parts.keyId,
    parts.timestamp,
    parts.nonce,
    parts.method.toUpperCase(),
    parts.pathWithQuery,
    parts.agentId,
    parts.ownerUserId,
    parts.idempotencyKey,
    sha256Hex(parts.body),
  ].join('\n');
}

/** Compares in constant time; `presentedHex` must already be known to be 64 hex digits. */
export function signatureMatches(secret: string, parts: SignedParts, presentedHex: string): boolean {
  const expected = createHmac('sha256', secret).update(canonicalString(parts)).digest();
  const presented = Buffer.from(presentedHex, 'hex');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
