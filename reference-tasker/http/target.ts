/**
 * Splits a request target (`/path?query`) without URL parsing, which would read a target
 * starting with `//` as a host name.
 */
export function splitTarget(target: string): { pathname: string; search: string } {
  const question = target.indexOf('?');
  return question === -1
    ? { pathname: target, search: '' }
    : { pathname: target.slice(0, question), search: target.slice(question + 1) };
}
