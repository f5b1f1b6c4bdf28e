/**
 * The idempotency key a write ran under, kept beside the request's GraphQL context until the
 * answer is built (src/http/plugins/use-idempotency-key-extension.ts puts it in `extensions`).
 * The agent learns the key even when the gateway made it, so a retry can never write twice.
 */
const keys = new WeakMap<object, string>();

export function noteAnswerIdempotencyKey(context: object, key: string): void {
  keys.set(context, key);
}

export function answerIdempotencyKey(context: object): string | undefined {
  return keys.get(context);
}
