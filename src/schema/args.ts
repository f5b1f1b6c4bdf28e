/** Argument pieces the agent domain files share. */
export const idempotencyKeyArg = {
  description: 'Reuse when retrying: the first answer comes back, nothing is written twice (24 h).',
};

export const dryRunArg = { description: 'true: show the change, make none.' };

/** GraphQL ID arguments arrive as string | number; Tasker ids are strings. */
export const idOrNull = (value: string | number | null | undefined) => (value == null ? null : String(value));

/** GraphQL ID lists, as strings; absent stays absent. */
export const idsOrNull = (values: readonly (string | number)[] | null | undefined) => (values == null ? null : values.map(String));

/** The optional write arguments, left out when absent or null. */
export const writeArgs = (args: { idempotencyKey?: string | null; dryRun?: boolean | null }) => ({
  ...(args.idempotencyKey != null ? { idempotencyKey: args.idempotencyKey } : {}),
  ...(args.dryRun != null ? { dryRun: args.dryRun } : {}),
});
