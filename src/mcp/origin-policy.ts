import { isIP } from 'node:net';

/**
 * Which browser origins may call /mcp (the DNS-rebinding defence; requests without an Origin
 * header, from non-browser clients, are not this policy's business). Accepted:
 *  - an origin listed in MCP_ALLOWED_ORIGINS;
 *  - the gateway's own origin, from PUBLIC_URL (a page the gateway serves itself);
 *  - when the gateway listens on loopback only, any loopback origin (localhost, 127.0.0.1, [::1],
 *    any port): only software on this machine can be there, and a rebinding attacker's page
 *    always carries its own foreign hostname.
 * Anything else, the opaque "null" origin included, is refused. The Host header is never trusted
 * for this: under DNS rebinding it carries the attacker's name too.
 */
export type OriginPolicy = (origin: string) => boolean;

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

function originOf(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

export function createOriginPolicy(options: { allowedOrigins: readonly string[]; publicUrl: string | undefined; listenHost: string }): OriginPolicy {
  const allowed = new Set(options.allowedOrigins.map((origin) => originOf(origin) ?? origin));
  const own = options.publicUrl ? originOf(options.publicUrl) : undefined;
  if (own) allowed.add(own);
  const loopbackOnly = isLoopbackHost(options.listenHost);
  return (origin) => {
    const parsed = originOf(origin);
    if (parsed === undefined) return false;
    if (allowed.has(parsed)) return true;
    return loopbackOnly && LOOPBACK_NAMES.has(new URL(parsed).hostname);
  };
}
