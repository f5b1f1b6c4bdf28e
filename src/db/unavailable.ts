/**
 * Whether an error means "the database is not answering" (down, unreachable, out of connections,
 * too slow) rather than "this request is wrong". Those become 503 SERVICE_UNAVAILABLE with
 * Retry-After, never a 500: the caller did nothing wrong and may simply try again.
 */
const UNAVAILABLE_SQLSTATES = new Set([
  '53300', // too_many_connections
  '57014', // query_canceled: statement_timeout
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '25P03', // idle_in_transaction_session_timeout
]);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const UNAVAILABLE_MESSAGES = [
  /timeout exceeded when trying to connect/i, // pg-pool: no free connection within the acquire timeout
  /connection terminated/i,
  /query read timeout/i, // pg: the client-side backstop of the statement timeout
  /not queryable/i,
  /after calling end on the pool/i,
  /driver has already been destroyed/i, // kysely
  /pglite is closed/i,
];

export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08') || UNAVAILABLE_NODE_CODES.has(code))) return true;
    if (UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(current instanceof Error ? current.message : ''))) return true;
    current = (current as { cause?: unknown; originalError?: unknown }).originalError ?? current.cause;
  }
  return false;
}
