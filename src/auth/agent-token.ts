import { randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { sha256Hex } from '../tasker/signing.js';

/**
 * Agent tokens: `ndcag_<43 base62 chars of 32 random bytes>_<6 base62 chars of CRC32>`.
 * The fixed prefix lets secret scanners find leaked tokens; the checksum lets them (and us) reject
 * a mistyped or made-up token without touching the database. Only the SHA-256 hash is stored.
 */
export const AGENT_TOKEN_PREFIX = 'ndcag';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_BYTES = 32;
const RANDOM_LENGTH = 43; // ceil(256 bits / log2(62))
const CHECKSUM_LENGTH = 6; // 62^6 > 2^32
const TOKEN_PATTERN = new RegExp(`^${AGENT_TOKEN_PREFIX}_([0-9A-Za-z]{${RANDOM_LENGTH}})_([0-9A-Za-z]{${CHECKSUM_LENGTH}})$`);

function toBase62(value: bigint, length: number): string {
  let out = '';
  let rest = value;
  while (rest > 0n) {
    out = BASE62[Number(rest % 62n)] + out;
    rest /= 62n;
  }
  return out.padStart(length, '0');
}

function checksum(body: string): string {
  return toBase62(BigInt(crc32(body)), CHECKSUM_LENGTH);
}

export interface IssuedToken {
  /** The secret, shown to its holder once and never stored. */
  secret: string;
  hash: string;
  displayPrefix: string;
  lastCharacters: string;
}

export function issueAgentToken(): IssuedToken {
  const random = toBase62(BigInt(`0x${randomBytes(RANDOM_BYTES).toString('hex')}`), RANDOM_LENGTH);
  const body = `${AGENT_TOKEN_PREFIX}_${random}`;
  const secret = `${body}_${checksum(body)}`;
  return {
    secret,
    hash: hashAgentToken(secret),
    displayPrefix: secret.slice(0, AGENT_TOKEN_PREFIX.length + 5),
    lastCharacters: secret.slice(-4),
  };
}

export function hashAgentToken(secret: string): string {
  return sha256Hex(secret);
}

export function looksLikeAgentToken(value: string): boolean {
  return value.startsWith(`${AGENT_TOKEN_PREFIX}_`);
}

/** Shape and checksum only: true means "worth a database lookup", not "valid". */
export function hasValidChecksum(secret: string): boolean {
  const match = TOKEN_PATTERN.exec(secret);
  if (!match) return false;
  const expected = Buffer.from(checksum(`${AGENT_TOKEN_PREFIX}_${match[1]}`));
  const given = Buffer.from(match[2] ?? '');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
