import { HEADERS, MAX_CLOCK_SKEW_SECONDS } from '../contract.js';
import { ApiError } from '../errors.js';
import { signatureMatches, type SigningKeys } from './signature.js';

/** Who a verified request acts as. */
export interface Caller {
  agentId: string;
  ownerUserId: string;
  /** Null when the header is absent; its format is checked by whoever requires it. */
  idempotencyKey: string | null;
}

export interface AuthenticationInput {
  /** Every header with all its values, as `IncomingMessage.headersDistinct` gives them. */
  headers: Readonly<Record<string, readonly string[] | undefined>>;
  method: string;
  pathWithQuery: string;
  body: Uint8Array;
}

export interface AuthenticationDeps {
  keys: SigningKeys;
  /** The server clock, as the request's unix time in milliseconds. */
  nowMs: number;
  /** Records the nonce; resolves false when it was already seen (a replay). */
  rememberNonce(nonce: string): Promise<boolean>;
}

const FORMATS = {
  keyId: /^[A-Za-z0-9._-]{1,64}$/,
  timestamp: /^[0-9]{1,15}$/,
  nonce: /^[0-9a-f]{32}$/,
  identity: /^[\x20-\x7e]{1,255}$/,
  signature: /^v2=([0-9a-f]{64})$/,
} as const;

/** The header's only value; a header sent twice counts as malformed, since only one can have been signed. */
function header(headers: AuthenticationInput['headers'], name: string): string | undefined {
  const values = headers[name];
  return values?.length === 1 ? values[0] : undefined;
}

function wellFormed(value: string | undefined, format: RegExp): value is string {
  return value !== undefined && format.test(value);
}

/**
 * The contract's five checks, in its order: shape, clock, key, signature, replay. The nonce is
 * recorded only once the signature is proven, so that forged requests cannot burn nonces.
 */
export async function authenticate(input: AuthenticationInput, deps: AuthenticationDeps): Promise<Caller> {
  const keyId = header(input.headers, HEADERS.keyId);
  const timestamp = header(input.headers, HEADERS.timestamp);
  const nonce = header(input.headers, HEADERS.nonce);
  const agentId = header(input.headers, HEADERS.agentId);
  const ownerUserId = header(input.headers, HEADERS.ownerUserId);
  const signature = header(input.headers, HEADERS.signature);
  const idempotencyKey = header(input.headers, HEADERS.idempotencyKey) ?? null;

  const signatureHex = signature === undefined ? undefined : FORMATS.signature.exec(signature)?.[1];
  if (
    !wellFormed(keyId, FORMATS.keyId) ||
    !wellFormed(timestamp, FORMATS.timestamp) ||
    !wellFormed(nonce, FORMATS.nonce) ||
    !wellFormed(agentId, FORMATS.identity) ||
    !wellFormed(ownerUserId, FORMATS.identity) ||
    signatureHex === undefined
  ) {
    throw new ApiError('UNSIGNED_REQUEST', 'the request is not signed: a signature header is missing or malformed');
  }

  if (Math.abs(Math.floor(deps.nowMs / 1000) - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS) {
    throw new ApiError('STALE_REQUEST', `the request timestamp is more than ${MAX_CLOCK_SKEW_SECONDS} seconds from the server clock`);
  }

  const secret = deps.keys.get(keyId);
  if (secret === undefined) {
    throw new ApiError('UNKNOWN_SIGNING_KEY', 'the request is signed with a key this server does not know (X-NodeDC-Key-Id)');
  }

  const parts = {
    keyId,
    timestamp,
    nonce,
    method: input.method,
    pathWithQuery: input.pathWithQuery,
    agentId,
    ownerUserId,
    idempotencyKey: idempotencyKey ?? '',
    body: input.body,
  };
  if (!signatureMatches(secret, parts, signatureHex)) {
    throw new ApiError('BAD_SIGNATURE', 'the request signature does not match');
  }

  if (!(await deps.rememberNonce(nonce))) {
    throw new ApiError('REPLAYED_REQUEST', 'the request nonce was already used');
  }

  return { agentId, ownerUserId, idempotencyKey };
}
