import { redactSecrets } from '../secrets/scan.js';

/**
 * One JSON object per line on stderr. Callers pass facts, never secrets: tokens, codes and
 * Authorization headers are not logged anywhere in the gateway.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const log = (at: Exclude<LogLevel, 'silent'>) => (message: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[at] < ORDER[level]) return;
    // Every level passes through the same redaction step: a credential that reached a message or a
    // field (a caller's input quoted in an error) is written as [REDACTED kind].
    write(`${redactSecrets(JSON.stringify({ time: new Date().toISOString(), level: at, message, ...fields }))}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/**
 * What an operator needs about an unexpected error: its kind, message and stack (the log is for
 * operators; answers never carry any of it).
 */
export function describeUnexpected(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { errorName: error.name, errorMessage: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { errorMessage: String(error) };
}
