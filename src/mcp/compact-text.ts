/**
 * A tool result's text as a model reads it: the same data as structuredContent, written the short
 * way — one `key: value` per line, nested objects indented, lists of plain values as `[a, b]`,
 * lists of flat records as one `-` line each, multi-line text as an indented block, nulls and empty
 * lists left out. No JSON quoting or punctuation to pay for twice in the context.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isPlain = (value: Json): value is string | number | boolean =>
  value !== null && typeof value !== 'object' && !(typeof value === 'string' && value.includes('\n'));
const isEmpty = (value: Json) => value === null || (Array.isArray(value) && value.length === 0);
const plainList = (value: Json): value is (string | number | boolean)[] => Array.isArray(value) && value.every(isPlain);

/** A value that fits on one line, or undefined. */
function inline(value: Json): string | undefined {
  if (isPlain(value)) return String(value);
  if (plainList(value)) return `[${value.join(', ')}]`;
  return undefined;
}

/** A record whose every value fits on one line: `k: v, k: v`. */
function flatRecord(value: Json): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const parts: string[] = [];
  for (const [key, inner] of Object.entries(value)) {
    if (isEmpty(inner)) continue;
    const short = inline(inner);
    if (short === undefined) return undefined;
    parts.push(`${key}: ${short}`);
  }
  return parts.join(', ');
}

function lines(value: Json, indent: string): string[] {
  if (isEmpty(value)) return [];
  if (typeof value === 'string') return value.split('\n').map((line) => `${indent}${line}`);
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      const short = inline(item) ?? flatRecord(item);
      if (short !== undefined) return [`${indent}- ${short}`];
      const [first = '', ...rest] = lines(item, `${indent}  `);
      return [`${indent}- ${first.trimStart()}`, ...rest];
    });
  }
  if (typeof value !== 'object' || value === null) return [`${indent}${String(value)}`];
  return Object.entries(value).flatMap(([key, inner]) => {
    if (isEmpty(inner)) return [];
    const short = inline(inner);
    if (short !== undefined) return [`${indent}${key}: ${short}`];
    if (typeof inner === 'string') return [`${indent}${key}: |`, ...lines(inner, `${indent}  `)];
    const record = flatRecord(inner);
    if (record !== undefined) return [`${indent}${key}: {${record}}`];
    return [`${indent}${key}:`, ...lines(inner, `${indent}  `)];
  });
}

export function compactText(data: Record<string, unknown>): string {
  const text = lines(data as Json, '').join('\n');
  return text === '' ? 'done (nothing to show)' : text;
}
