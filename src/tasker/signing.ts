import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * Request signing for the Tasker internal adapter (contract v2, docs/TASKER_API_AUDIT.md).
 * The identity headers and the idempotency key are inside the signature so that nobody on the
 * path can re-attribute a signed request to another agent or owner. The key id is inside too, so
 * Tasker can hold an old and a new secret while a secret is rotated and know which one to check.
 */
export const SIGNATURE_VERSION = 'v2';

/** A signing secret and the id Tasker knows it by. */
export interface SigningKey {
  id: string;
  secret: string;
}

export const KEY_ID_FORMAT = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The id of a secret that was given none: the first 16 hex digits of its SHA-256. Two different
 * secrets never share it by accident, and nothing needs configuring until a rotation names ids.
 */
export function defaultKeyId(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}

export const signingKey = (secret: string, id?: string): SigningKey => ({ id: id ?? defaultKeyId(secret), secret });

export const SIGNED_HEADERS = {
  keyId: 'x-nodedc-key-id',
  timestamp: 'x-nodedc-timestamp',
  nonce: 'x-nodedc-nonce',
  agentId: 'x-nodedc-agent-id',
  ownerUserId: 'x-nodedc-owner-user-id',
  signature: 'x-nodedc-signature',
  requestId: 'x-request-id',
  idempotencyKey: 'idempotency-key',
} as const;

export interface SignableRequest {
  method: string;
  /** Path with the query string exactly as it is sent. */
  pathWithQuery: string;
  agentId: string;
  ownerUserId: string;
  idempotencyKey?: string | undefined;
  body: string;
}

export interface SignatureParts {
  keyId: string;
  timestamp: number;
  nonce: string;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function canonicalString(request: SignableRequest, parts: SignatureParts): string {
  return [
    SIGNATURE_VERSION,
    parts.keyId,
    String(parts.timestamp),
    parts.nonce,
    request.method.toUpperCase(),
    request.pathWithQuery,
    request.agentId,
    request.ownerUserId,
    request.idempotencyKey ?? '',
    sha256Hex(request.body),
  ].join('\n');
}

export function computeSignature(secret: string, request: SignableRequest, parts: SignatureParts): string {
  return `${SIGNATURE_VERSION}=${createHmac('sha256', secret).update(canonicalString(request, parts)).digest('hex')}`;
}

/**
 * Headers for one attempt; a retry must call this again so that it gets a fresh nonce. A bare
 * secret signs under its default key id.
 */
export function signedHeaders(
  key: SigningKey | string,
  request: SignableRequest & { requestId: string },
  now: () => number = Date.now,
): Record<string, string> {
  const { id, secret } = typeof key === 'string' ? signingKey(key) : key;
  const parts: SignatureParts = { keyId: id, timestamp: Math.floor(now() / 1000), nonce: randomBytes(16).toString('hex') };
  const headers: Record<string, string> = {
    [SIGNED_HEADERS.keyId]: id,
    [SIGNED_HEADERS.timestamp]: String(parts.timestamp),
    [SIGNED_HEADERS.nonce]: parts.nonce,
    [SIGNED_HEADERS.agentId]: request.agentId,
    [SIGNED_HEADERS.ownerUserId]: request.ownerUserId,
    [SIGNED_HEADERS.requestId]: request.requestId,
    [SIGNED_HEADERS.signature]: computeSignature(secret, request, parts),
  };
  if (request.idempotencyKey !== undefined) headers[SIGNED_HEADERS.idempotencyKey] = request.idempotencyKey;
  return headers;
}
