/**
 * The stable error vocabulary every surface (GraphQL, REST, MCP) speaks. A GatewayError is a
 * user-facing failure: its message is safe to show and its code is part of the public contract.
 * Anything that is not a GatewayError is unexpected and gets masked at the edge.
 */
export const ERROR_HTTP_STATUS = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  /** A replacement would destroy content Markdown cannot carry (mentions, images, …) and was not confirmed. */
  RICH_CONTENT_WOULD_BE_LOST: 409,
  SECRET_DETECTED: 422,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  TASKER_WRITE_NOT_APPLIED: 502,
  TASKER_BAD_RESPONSE: 502,
  TASKER_REJECTED: 502,
  TASKER_UNAVAILABLE: 503,
  TASKER_TIMEOUT: 504,
  /** A write reached Tasker (or may have) and no answer says whether it was applied; retry with the same idempotency key. */
  WRITE_OUTCOME_UNKNOWN: 504,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;

export interface GatewayErrorOptions {
  /** Machine-readable detail that is safe to show (field names, limits); never secrets. */
  details?: Record<string, unknown>;
  /** Seconds a client should wait, for RATE_LIMITED and SERVICE_UNAVAILABLE (sent as Retry-After). */
  retryAfterSeconds?: number;
  /** HTTP headers the answer carries on every surface (the RateLimit fields of a 429). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = options.headers ?? {};
  }

  get httpStatus(): number {
    return ERROR_HTTP_STATUS[this.code];
  }
}

export const unauthenticated = (message: string) => new GatewayError('UNAUTHENTICATED', message);
export const forbidden = (message: string, details?: Record<string, unknown>) =>
  new GatewayError('FORBIDDEN', message, details === undefined ? {} : { details });
export const notFound = (message: string) => new GatewayError('NOT_FOUND', message);
export const badInput = (message: string, details?: Record<string, unknown>) =>
  new GatewayError('BAD_USER_INPUT', message, details === undefined ? {} : { details });
export const conflict = (message: string) => new GatewayError('CONFLICT', message);
