import { z } from 'zod';
import { badInput } from '../errors/gateway-error.js';

/** Every list is bounded: a page holds at most MAX_PAGE_SIZE items. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 50;

export const PageSizeSchema = z
  .number()
  .int()
  .min(1, { message: 'first must be at least 1' })
  .max(MAX_PAGE_SIZE, { message: `first must be at most ${MAX_PAGE_SIZE}` });

/** Lists nested in another record (an agent's tokens or grants) are bounded too, without cursors. */
export const MAX_NESTED_LIST_SIZE = 100;
export const DEFAULT_NESTED_LIST_SIZE = 20;

export const NestedListSizeSchema = z
  .number()
  .int()
  .min(1, { message: 'first must be at least 1' })
  .max(MAX_NESTED_LIST_SIZE, { message: `first must be at most ${MAX_NESTED_LIST_SIZE}` });

export interface Page<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const KeysetCursorSchema = z.object({ t: z.iso.datetime(), id: z.uuid() });

export function encodeKeysetCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify({ t: at.toISOString(), id })).toString('base64url');
}

export function decodeKeysetCursor(cursor: string): { at: Date; id: string } {
  try {
    const parsed = KeysetCursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { at: new Date(parsed.t), id: parsed.id };
  } catch {
    throw badInput('the cursor is not one this API returned', { field: 'after' });
  }
}

/** Fetch one row more than the page to learn whether another page exists. */
export function toPage<Row, View>(
  rows: Row[],
  size: number,
  toView: (row: Row) => View,
  cursorOf: (row: Row) => string,
): Page<View> {
  const pageRows = rows.slice(0, size);
  const last = pageRows.at(-1);
  return {
    nodes: pageRows.map(toView),
    pageInfo: { hasNextPage: rows.length > size, endCursor: last === undefined ? null : cursorOf(last) },
  };
}
