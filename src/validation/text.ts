import { z } from 'zod';

/**
 * Text hygiene, one implementation for every edge (GraphQL, REST, MCP, OAuth). Two rules:
 *
 *  - Input is well-formed text: no string anywhere in a request holds NUL (PostgreSQL cannot store
 *    it) or a lone UTF-16 surrogate (not a character: it cannot be encoded as UTF-8, so a driver
 *    either fails the insert or silently rewrites it). Such input is refused as BAD_USER_INPUT.
 *  - Text that people read later as one line (an agent's display name, a token's name, an OAuth
 *    client's name, an issue's or a link's title an agent writes) holds no control characters: no CR/LF (they forge extra lines in lists and logs), no
 *    ESC or BEL (terminal escapes when an operator reads a log), no other C0/C1 or DEL, and no
 *    bidirectional overrides or isolates (U+202A–202E, U+2066–2069), which make a name read
 *    differently from what it is ("Trojan Source"). Names are refused, so the person who chose
 *    one can fix it; the audit log, which must record whatever happened, neutralises instead.
 */

/** C0 controls, DEL, C1 controls, bidi embeddings/overrides and isolates. */
const UNSAFE_IN_NAMES = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;
const UNSAFE_IN_NAMES_ALL = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/gu;
/** With the u flag a surrogate pair is one code point, so only a lone surrogate matches. */
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATE_ALL = /\p{Cs}/gu;

const codePointName = (char: string) => `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

export interface TextProblem {
  /** Dotted path to the offending string ('' for the input itself). */
  path: string;
  message: string;
}

function problemIn(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  const lone = LONE_SURROGATE.exec(text);
  if (lone) return `must be well-formed Unicode (a lone surrogate ${codePointName(lone[0])} at position ${lone.index})`;
  return undefined;
}

const join = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));

/**
 * The first string (object keys included) in a parsed JSON value that holds NUL or a lone
 * surrogate. Iterative with an explicit stack, so a deeply nested body cannot overflow it.
 */
export function findIllFormedText(value: unknown, rootPath = ''): TextProblem | undefined {
  const stack: [unknown, string][] = [[value, rootPath]];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      const message = problemIn(current);
      if (message) return { path, message };
    } else if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index -= 1) stack.push([current[index], join(path, index)]);
    } else if (current !== null && typeof current === 'object') {
      for (const [key, item] of Object.entries(current)) {
        const message = problemIn(key);
        if (message) return { path: join(path, key), message: `property name ${message}` };
        stack.push([item, join(path, key)]);
      }
    }
  }
  return undefined;
}

/** "Invalid input: <path>: <message>", the sentence every BAD_USER_INPUT about a field uses. */
export function describeTextProblem(problem: TextProblem): string {
  return `Invalid input: ${problem.path || '(input)'}: ${problem.message}`;
}

/** Why a name a person will read is refused, or undefined when it is clean. */
export function nameProblem(text: string): string | undefined {
  const found = UNSAFE_IN_NAMES.exec(text);
  if (found) {
    return `must not contain control or bidirectional-formatting characters (${codePointName(found[0])} at position ${found.index}); use a single line of plain text`;
  }
  return problemIn(text);
}

/**
 * A single-line name a person reads later (display names, token names, client names, titles), trimmed
 * and bounded. `label` names the field in the message, so the refusal says what to fix even where
 * the schema is parsed on its own (no object path).
 */
export function cleanName(label: string, options: { max: number; emptyMessage?: string }) {
  return z
    .string()
    .trim()
    .min(1, { message: options.emptyMessage ?? `${label} must not be empty` })
    .max(options.max)
    .superRefine((value, ctx) => {
      const problem = nameProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: `${label} ${problem}` });
    });
}

/**
 * For records that must be written whatever they hold (the audit log): every character a name
 * may not hold, and every lone surrogate, becomes a visible escape (`\u001B`), so the record
 * shows what was sent without acting on a reader's terminal or screen.
 */
export function neutralizeText(text: string): string {
  if (!UNSAFE_IN_NAMES.test(text) && !LONE_SURROGATE.test(text)) return text;
  return text
    .replace(UNSAFE_IN_NAMES_ALL, (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`)
    .replace(LONE_SURROGATE_ALL, (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** neutralizeText applied to every string (keys included) of a JSON-like value. */
export function neutralizeTextIn(value: unknown): unknown {
  if (typeof value === 'string') return neutralizeText(value);
  if (Array.isArray(value)) return value.map(neutralizeTextIn);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [neutralizeText(key), neutralizeTextIn(item)]));
  }
  return value;
}
