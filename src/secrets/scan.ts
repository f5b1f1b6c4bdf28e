import { SECRET_RULES, type SecretKind } from './rules.js';

/**
 * Finds credentials in text. A finding says which kind of credential and where (character
 * offsets), never the value, so it can be reported or logged without repeating the secret.
 */
export interface SecretFinding {
  kind: SecretKind;
  /** Offset of the first character, in UTF-16 code units, as JavaScript counts. */
  start: number;
  end: number;
}

export function findSecrets(text: string): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const rule of SECRET_RULES) {
    rule.pattern.lastIndex = 0;
    for (const match of text.matchAll(rule.pattern)) {
      const start = match.index ?? 0;
      findings.push({ kind: rule.kind, start, end: start + match[0].length });
    }
  }
  // One finding per stretch of text: the earliest, then the longest.
  findings.sort((a, b) => a.start - b.start || b.end - a.end);
  return findings.filter((finding, index) => index === 0 || finding.start >= findings[index - 1]!.end);
}

/** Replaces every credential (or, given `kinds`, every credential of those kinds) with a marker naming its kind. */
export function redactSecrets(text: string, kinds?: ReadonlySet<SecretKind>): string {
  const all = findSecrets(text);
  const findings = kinds ? all.filter((finding) => kinds.has(finding.kind)) : all;
  if (findings.length === 0) return text;
  let out = '';
  let at = 0;
  for (const finding of findings) {
    out += `${text.slice(at, finding.start)}[REDACTED ${finding.kind}]`;
    at = finding.end;
  }
  return out + text.slice(at);
}

export interface FieldFinding extends SecretFinding {
  /** Where in the input: "description", "labels.2". */
  field: string;
}

/** Every credential in every string of a value, with the field it was found in. */
export function findSecretsIn(value: unknown, field = ''): FieldFinding[] {
  if (typeof value === 'string') return findSecrets(value).map((finding) => ({ ...finding, field: field || '(input)' }));
  if (Array.isArray(value)) return value.flatMap((item, index) => findSecretsIn(item, field ? `${field}.${index}` : String(index)));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => findSecretsIn(item, field ? `${field}.${key}` : key));
  }
  return [];
}

/** The same value with every credential in every string redacted. */
export function redactSecretsIn<T>(value: T, kinds?: ReadonlySet<SecretKind>): T {
  if (typeof value === 'string') return redactSecrets(value, kinds) as T;
  if (Array.isArray(value)) return value.map((item) => redactSecretsIn(item, kinds)) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactSecretsIn(item, kinds)])) as T;
  }
  return value;
}
