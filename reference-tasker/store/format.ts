/**
 * Dates and timestamps are formatted by Postgres itself so that `pg` and PGlite, which parse
 * `date`/`timestamptz` into JS Dates differently (local vs UTC midnight), return the same strings.
 */
export function utcTimestamp(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

export function isoDate(column: string): string {
  return `to_char(${column}, 'YYYY-MM-DD')`;
}
