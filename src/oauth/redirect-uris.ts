/**
 * Redirect URI matching: exact string comparison (OAuth 2.1), with the one exception RFC 8252 §7.3
 * requires for native apps: a registered loopback IP redirect (http://127.0.0.1/… or http://[::1]/…)
 * matches on any port, since a native client listens on whatever port it gets.
 */
const LOOPBACK_IPS = new Set(['127.0.0.1', '[::1]']);

function withoutPort(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    if (url.protocol !== 'http:' || !LOOPBACK_IPS.has(url.hostname)) return undefined;
    url.port = '';
    return url.href;
  } catch {
    return undefined;
  }
}

export function redirectUriAllowed(registered: readonly string[], given: string): boolean {
  if (registered.includes(given)) return true;
  const loose = withoutPort(given);
  return loose !== undefined && registered.some((candidate) => withoutPort(candidate) === loose);
}

/** Where a redirect URI sends the browser, for the consent screen ("you will return to …"). */
export function redirectHost(uri: string): string {
  try {
    return new URL(uri).host;
  } catch {
    return uri;
  }
}
