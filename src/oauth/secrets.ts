import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../tasker/signing.js';

/**
 * The OAuth secrets the gateway hands out besides access tokens (which are agent tokens): the
 * consent handle, authorization codes and refresh tokens. Each is 256 random bits with a prefix a
 * secret scanner can find, and is stored as its SHA-256 hash only.
 */
export type OAuthSecretKind = 'handle' | 'code' | 'refresh';
const PREFIX: Record<OAuthSecretKind, string> = { handle: 'ndcoa', code: 'ndcac', refresh: 'ndcrt' };

export function newOAuthSecret(kind: OAuthSecretKind): { secret: string; hash: string } {
  const secret = `${PREFIX[kind]}_${randomBytes(32).toString('base64url')}`;
  return { secret, hash: sha256Hex(secret) };
}

export const hashOAuthSecret = (secret: string) => sha256Hex(secret);
