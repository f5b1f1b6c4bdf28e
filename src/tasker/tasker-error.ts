import { type ErrorCode, GatewayError } from '../errors/gateway-error.js';

/** A failed Tasker call: the gateway error the agent sees, plus what the audit log records. */
export class TaskerCallError extends GatewayError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly taskerStatus: number | null,
    readonly latencyMs: number,
    details?: Record<string, unknown>,
  ) {
    super(code, message, details === undefined ? {} : { details });
    this.name = 'TaskerCallError';
  }
}
