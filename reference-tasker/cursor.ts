import { validationFailed } from './errors.js';

/**
 * The list cursor is opaque to clients; here it carries the sequence_id of the last issue
 * returned, since the list is ordered by sequence_id descending.
 */
const PREFIX = 'seq:';
const MAX_SEQUENCE = 2_147_483_647;

export function encodeCursor(lastSequenceId: number): string {
  return Buffer.from(`${PREFIX}${lastSequenceId}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const invalid = () => validationFailed('cursor is not one this server issued', { field: 'cursor' });
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^seq:([1-9][0-9]{0,9})$/.exec(text);
  const sequenceId = match?.[1] === undefined ? NaN : Number(match[1]);
  // Re-encoding must give the input back, so that no two strings denote the same position.
  if (!(sequenceId <= MAX_SEQUENCE) || encodeCursor(sequenceId) !== cursor) throw invalid();
  return sequenceId;
}
