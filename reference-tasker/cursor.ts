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

/**
 * The search cursor: the sort order it was made for, and the sort value and id of the last
 * issue returned. A cursor from another order is refused rather than misread.
 */
export function encodeKeyset(orderBy: string, value: string, id: string): string {
  return Buffer.from(JSON.stringify({ o: orderBy, v: value, i: id }), 'utf8').toString('base64url');
}

export function decodeKeyset(cursor: string, orderBy: string): { value: string; id: string } {
  const invalid = () => validationFailed('cursor is not one this server issued for this order', { field: 'cursor' });
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const { o, v, i } = (parsed ?? {}) as { o?: unknown; v?: unknown; i?: unknown };
  if (o !== orderBy || typeof v !== 'string' || typeof i !== 'string') throw invalid();
  return { value: v, id: i };
}

/** A plain position cursor for oldest-first lists (comments, activity): the last row's number. */
export function encodePosition(seq: number): string {
  return Buffer.from(`pos:${seq}`, 'utf8').toString('base64url');
}

export function decodePosition(cursor: string): number {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^pos:([0-9]{1,10})$/.exec(text);
  const seq = match?.[1] === undefined ? NaN : Number(match[1]);
  if (!(seq <= MAX_SEQUENCE) || encodePosition(seq) !== cursor) {
    throw validationFailed('cursor is not one this server issued', { field: 'cursor' });
  }
  return seq;
}
