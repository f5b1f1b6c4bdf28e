/** Argument pieces the agent domain files share. */
export const idempotencyKeyArg = {
  description: 'Optional. Retrying with the same key and input returns the first answer instead of writing twice (24 h).',
};

/** GraphQL ID arguments arrive as string | number; Tasker ids are strings. */
export const idOrNull = (value: string | number | null | undefined) => (value == null ? null : String(value));

/** An optional idempotency key argument, left out when absent or null. */
export const keyArg = (idempotencyKey: string | null | undefined) => (idempotencyKey != null ? { idempotencyKey } : {});
