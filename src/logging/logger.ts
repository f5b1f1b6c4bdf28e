import { pino, stdTimeFunctions } from 'pino';
import { redactSecrets } from '../secrets/scan.js';

/**
 * One JSON object per line (pino), on stderr unless a test gives its own destination. Callers
 * pass facts, never secrets; three layers make sure a mistake does not leak one anyway:
 * pino's redaction of the fields that hold credentials by name (CREDENTIAL_FIELDS), of the fields
 * that hold agent-written text when the operator asks (AGENT_TEXT_FIELDS, LOG_REDACT_AGENT_TEXT),
 * and the credential scanner (src/secrets) over every finished line, which catches a token quoted
 * inside a message.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  /** Replace AGENT_TEXT_FIELDS with a marker (LOG_REDACT_AGENT_TEXT, on by default). */
  redactAgentText?: boolean;
}

/** Field names that hold a credential wherever they appear, top level or one object down. */
export const CREDENTIAL_FIELDS = [
  'authorization',
  'cookie',
  'set-cookie',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  'clientSecret',
  'signingSecret',
  'password',
  'pairingCode',
  'authorizationCode',
] as const;

/**
 * Field names under which the gateway logs text an agent (or a Launcher user) wrote: a GraphQL
 * error quoting the document or its variables, input a protocol layer refused, output of the
 * reference Tasker that may echo a write. Anything logged that quotes a caller belongs here.
 */
export const AGENT_TEXT_FIELDS = ['graphqlError', 'input', 'variables', 'query', 'output'] as const;

const everywhere = (fields: readonly string[]) => fields.flatMap((field) => [quotedPath(field), `*.${quotedPath(field)}`]);
const quotedPath = (field: string) => (/^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`);

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(line),
  options: LoggerOptions = {},
): Logger {
  const redactAgentText = options.redactAgentText ?? true;
  const paths = everywhere(CREDENTIAL_FIELDS);
  const agentTextPaths = redactAgentText ? everywhere(AGENT_TEXT_FIELDS) : [];
  const log = pino(
    {
      level,
      // The gateway's lines have always been {level, time, message, ...fields}; shippers key on them.
      base: null,
      messageKey: 'message',
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: [...paths, ...agentTextPaths],
        censor: (_value, path) => (agentTextPaths.length > 0 && AGENT_TEXT_FIELDS.includes(path.at(-1) as never) ? '[REDACTED agent text]' : '[REDACTED]'),
      },
    },
    // Synchronous, like the stderr writes before it: a line logged just before exit is not lost.
    { write: (line: string) => write(redactSecrets(line)) },
  );
  // The message goes in as the first field rather than as pino's message argument, which pino writes
  // last: lines keep their long-standing order (level, time, message, fields) that people and
  // scripts read, e.g. a supervisor waiting for "gateway listening" followed by its url.
  return {
    debug: (message, fields) => log.debug({ message, ...fields }),
    info: (message, fields) => log.info({ message, ...fields }),
    warn: (message, fields) => log.warn({ message, ...fields }),
    error: (message, fields) => log.error({ message, ...fields }),
  };
}

/**
 * What an operator needs about an unexpected error: its kind, message and stack (the log is for
 * operators; answers never carry any of it).
 */
export function describeUnexpected(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { errorName: error.name, errorMessage: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { errorMessage: String(error) };
}
