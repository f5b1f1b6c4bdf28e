import type { RequestMeta } from '../audit/audit-log.js';
import type { RepeatedRefusals } from '../audit/repeated-refusals.js';
import type { Authenticator } from '../auth/authenticate.js';
import type { AgentPrincipal, LauncherPrincipal } from '../auth/principal.js';
import { clientNetworkOf } from './client-network.js';
import { rateLimited, type RateLimits, rateLimitStateOf, type RateLimitTier } from './rate-limits.js';

/**
 * Every request on every surface (REST, GraphQL, MCP) resolves its caller exactly once through
 * the authenticator, so the limits live here: the client network's allowance first, then — for a
 * request that carries credentials — whether its network has already spent its allowance of
 * refused credentials (checked before any credential is looked at, so guessing stays slow), then
 * the caller's own allowance: per agent token, per Launcher user. A refused credential counts
 * against its network.
 *
 * A caller refused by its own allowance is known, so its 429 is audited (outcome `rate_limited`,
 * one event per caller and window, src/audit/repeated-refusals.ts). The network tiers refuse
 * before anyone is known and stay cheap: they are counted by the rate-limit metric, not audited.
 */
export function withRateLimits(inner: Authenticator, limits: RateLimits, refusals: Pick<RepeatedRefusals, 'rateLimited'>): Authenticator {
  const consumeOwn = async (tier: RateLimitTier, key: string, principal: AgentPrincipal | LauncherPrincipal, meta: RequestMeta) => {
    try {
      await limits.consume(tier, key);
    } catch (error) {
      const spent = rateLimitStateOf(error);
      if (spent) await refusals.rateLimited(principal, { tier: spent.tier, limit: spent.limit, windowSeconds: spent.windowSeconds }, meta);
      throw error;
    }
  };
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
      if (principal.kind === 'agent') await consumeOwn('agent', principal.tokenId, principal, meta);
      if (principal.kind === 'launcher') await consumeOwn('launcher', principal.userId, principal, meta);
      return principal;
    },
  };
}
