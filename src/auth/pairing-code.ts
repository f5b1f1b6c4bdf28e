import { randomInt } from 'node:crypto';
import { sha256Hex } from '../tasker/signing.js';

/**
 * Pairing codes follow RFC 8628 §6.1's advice for user codes: 8 characters from an alphabet with
 * no vowels (no accidental words) and no digits (no 0/O, 1/I confusion), case-insensitive, with a
 * dash for reading that is ignored on input. 20^8 ≈ 2.6e10 codes, guarded by a 10-minute life,
 * a lockout after failed tries and a per-client rate limit.
 */
export const PAIRING_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const PAIRING_CODE_LENGTH = 8;
const SELECTOR_LENGTH = 4;

export interface GeneratedPairingCode {
  /** As shown to the user: XXXX-XXXX. */
  display: string;
  selector: string;
  hash: string;
}

export function generatePairingCode(): GeneratedPairingCode {
  let code = '';
  for (let i = 0; i < PAIRING_CODE_LENGTH; i += 1) code += PAIRING_ALPHABET[randomInt(PAIRING_ALPHABET.length)];
  return { display: `${code.slice(0, 4)}-${code.slice(4)}`, selector: code.slice(0, SELECTOR_LENGTH), hash: hashPairingCode(code) };
}

export type NormalizedPairingCode = { ok: true; code: string; selector: string } | { ok: false; reason: string };

export function normalizePairingCode(input: string): NormalizedPairingCode {
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  if (code.length !== PAIRING_CODE_LENGTH) {
    return { ok: false, reason: `a pairing code has ${PAIRING_CODE_LENGTH} letters, shown as XXXX-XXXX` };
  }
  if (![...code].every((char) => PAIRING_ALPHABET.includes(char))) {
    return { ok: false, reason: `a pairing code uses only the letters ${PAIRING_ALPHABET}` };
  }
  return { ok: true, code, selector: code.slice(0, SELECTOR_LENGTH) };
}

export function hashPairingCode(normalizedCode: string): string {
  return sha256Hex(`pairing:${normalizedCode}`);
}
