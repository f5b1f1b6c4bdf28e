import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Everything the v1 signature covers, as the request carried it. */
export interface SignedParts {
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
    'v1',
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
