/**
 * Errors whose audit event is already written (by the agent call frame). The GraphQL refusal
 * audit skips them, so every call gets exactly one event, whichever layer refused it.
 */
const audited = new WeakSet<object>();

export function markAudited(error: unknown): void {
  if (typeof error === 'object' && error !== null) audited.add(error);
}

export function wasAudited(error: unknown): boolean {
  return typeof error === 'object' && error !== null && audited.has(error);
}
