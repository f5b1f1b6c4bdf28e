/**
 * Text from Tasker ends up in a model's context. Invisible and bidirectional control characters
 * (zero-width spaces, RTL overrides, Unicode tag characters) are a known prompt-injection channel:
 * a human reviewer cannot see them, a model reads them. Control and format characters are
 * removed; line breaks and tabs stay.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
const KEPT = new Set(['\n', '\t']);

export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, (char) => (KEPT.has(char) ? char : ''));
}

export function stripInvisibleOrNull(text: string | null): string | null {
  return text === null ? null : stripInvisible(text);
}
