import { isIPv4, isIPv6 } from 'node:net';

/**
 * The network a client address belongs to, as rate limits count it: an IPv4 /24 or an IPv6 /64
 * (the smallest block one household or one cloud host is routinely given). Counting exact
 * addresses lets a caller walk past any limit with a handful of neighbouring ones.
 */
export function clientNetworkOf(address: string | null): string {
  if (address === null) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const v4 = mapped ?? address;
  if (isIPv4(v4)) return `${v4.split('.').slice(0, 3).join('.')}.0/24`;
  if (isIPv6(address)) return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
  return 'unknown';
}

function expandIPv6(address: string): string[] {
  const withoutZone = address.split('%')[0]!;
  const [head = '', tail] = withoutZone.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  return [...left, ...Array.from({ length: tail === undefined ? 0 : missing }, () => '0'), ...right].map((group) =>
    group.includes('.') ? group : (parseInt(group, 16) || 0).toString(16),
  );
}
