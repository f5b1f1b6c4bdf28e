/** The contract's error codes with the HTTP status each one is always sent with. */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  CYCLE_COMPLETED: 400,
  UNSIGNED_REQUEST: 401,
  STALE_REQUEST: 401,
  UNKNOWN_SIGNING_KEY: 401,
  BAD_SIGNATURE: 401,
  REPLAYED_REQUEST: 401,
  FORBIDDEN: 403,
  GUEST_READ_ONLY: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  IDEMPOTENCY_IN_PROGRESS: 409,
  AMBIGUOUS_PROJECT: 409,
  AMBIGUOUS_ISSUE_KEY: 409,
  DESCRIPTION_CHANGED: 409,
  RELATION_EXISTS: 409,
  LINK_EXISTS: 409,
  PAYLOAD_TOO_LARGE: 413,
  IDEMPOTENCY_KEY_REUSED: 422,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export type ErrorDetails = Record<string, unknown>;

export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; details?: ErrorDetails };
}

/** A failure the client is meant to see; anything else thrown becomes a 500 INTERNAL. */
export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }

  toEnvelope(): ErrorEnvelope {
    return {
      error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) },
    };
  }
}

export function validationFailed(message: string, details?: ErrorDetails): ApiError {
  return new ApiError('VALIDATION_FAILED', message, details);
}

export function notFound(message: string): ApiError {
  return new ApiError('NOT_FOUND', message);
}

export function forbidden(message: string): ApiError {
  return new ApiError('FORBIDDEN', message);
}
