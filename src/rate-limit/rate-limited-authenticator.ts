import type { Authenticator } from '../auth/authenticate.js';
import { clientNetworkOf } from './client-network.js';
import { rateLimited, type RateLimits } from './rate-limits.js';

/**
 * Every request on every surface (REST, GraphQL, MCP) resolves its caller exactly once through
 * the authenticator, so the limits live here: the client network's allowance first, then — for a
 * request that carries credentials — whether its network has already spent its allowance of
 * refused credentials (checked before any credential is looked at, so guessing stays slow), then
 * the caller's own allowance: per agent token, per Launcher user. A refused credential counts
 * against its network.
 */
export function withRateLimits(inner: Authenticator, limits: RateLimits): Authenticator {
  return {
    async authenticate(authorization, meta, options) {
      const network = clientNetworkOf(meta.clientAddress);
      await limits.consume('network', network);
      if (authorization) {
        const spent = await limits.spent('authFailures', network);
        if (spent) throw rateLimited(spent);
      }
      const principal = await inner.authenticate(authorization, meta, options);
      if (principal.kind === 'anonymous' && principal.rejection !== undefined) {
        // The refusal itself is answered as usual; the next ones from this network may not be.
        await limits.consume('authFailures', network).catch(() => undefined);
      }
      if (principal.kind === 'agent') await limits.consume('agent', principal.tokenId);
      if (principal.kind === 'launcher') await limits.consume('launcher', principal.userId);
      return principal;
    },
  };
}
