import { type ErrorCode, GatewayError } from '../errors/gateway-error.js';

/** A failed Tasker call: the gateway error the agent sees, plus what the audit log records. */
export class TaskerCallError extends GatewayError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly taskerStatus: number | null,
    readonly latencyMs: number,
    details?: Record<string, unknown>,
    /**
     * A write that may have been applied: a request reached Tasker (or may have) and no answer
     * says what became of it (a timeout, a connection broken after sending, a 5xx, an unreadable
     * success). Never set for reads, nor for an answer that refuses the write.
     */
    readonly outcomeUnknown = false,
  ) {
    super(code, message, details === undefined ? {} : { details });
    this.name = 'TaskerCallError';
  }
}
