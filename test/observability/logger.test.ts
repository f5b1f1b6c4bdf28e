import { expect, it } from 'vitest';
import { createLogger, type LogLevel } from '../../src/logging/logger.js';

/** The logger's own promises, layer by layer: levels, names that hold credentials, the scanner, agent text. */
const capture = (level: LogLevel = 'debug', redactAgentText?: boolean) => {
  const lines: string[] = [];
  const logger = createLogger(level, (line) => lines.push(line), redactAgentText === undefined ? {} : { redactAgentText });
  return { logger, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
};

const gatewayToken = `ndcag_${'x'.repeat(43)}_${'y'.repeat(6)}`;

it('writes one JSON object per line with level, ISO time and message, and keeps to its level', () => {
  const { logger, lines, parsed } = capture('warn');
  logger.debug('no');
  logger.info('no');
  logger.warn('yes', { n: 1 });
  logger.error('also');
  expect(lines.every((line) => line.endsWith('\n'))).toBe(true);
  expect(parsed()).toEqual([
    { level: 'warn', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), message: 'yes', n: 1 },
    { level: 'error', time: expect.any(String), message: 'also' },
  ]);
  // The order people and scripts read: level, time, message, then the fields.
  expect(lines[0]).toMatch(/^\{"level":"warn","time":"[^"]+","message":"yes","n":1\}\n$/);
  const silent = capture('silent');
  silent.logger.error('nothing');
  expect(silent.lines).toEqual([]);
});

it('replaces fields named for credentials, at the top and one object down', () => {
  const { logger, parsed } = capture();
  logger.info('x', {
    authorization: 'Bearer abc',
    headers: { authorization: 'Bearer def', cookie: 'sid=1', 'set-cookie': 'sid=2', accept: 'json' },
    secret: 's',
    signingSecret: 't',
    password: 'p',
  });
  expect(parsed()[0]).toMatchObject({
    authorization: '[REDACTED]',
    headers: { authorization: '[REDACTED]', cookie: '[REDACTED]', 'set-cookie': '[REDACTED]', accept: 'json' },
    secret: '[REDACTED]',
    signingSecret: '[REDACTED]',
    password: '[REDACTED]',
  });
});

it('finds a credential quoted inside any text and names its kind', () => {
  const { logger, lines } = capture();
  logger.error(`refused ${gatewayToken}`, { errorMessage: `while reading postgres://app:hunter2hunter2@db/x with ${gatewayToken}` });
  expect(lines.join('')).not.toContain(gatewayToken);
  expect(lines.join('')).not.toContain('hunter2hunter2');
  expect(lines.join('')).toContain('[REDACTED gateway_token]');
});

it('replaces agent-written text by default and keeps it when asked', () => {
  const on = capture();
  on.logger.debug('x', { graphqlError: ['quoted agent text'], output: 'echo', requestId: 'r' });
  expect(on.parsed()[0]).toMatchObject({ graphqlError: '[REDACTED agent text]', output: '[REDACTED agent text]', requestId: 'r' });
  const off = capture('debug', false);
  off.logger.debug('x', { graphqlError: ['quoted agent text'], token: gatewayToken });
  expect(off.parsed()[0]).toMatchObject({ graphqlError: ['quoted agent text'], token: '[REDACTED]' });
});
