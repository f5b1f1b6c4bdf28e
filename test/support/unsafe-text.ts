/**
 * Characters no single-line text people read later may hold (names, issue and link titles: one rule,
 * src/validation/text.ts), each labelled with what it could do in a list, a log or a terminal.
 * The tests of every field under that rule walk this one table.
 */
export const UNSAFE_SINGLE_LINE: [label: string, text: string][] = [
  ['LF', '\n'],
  ['CR', '\r'],
  ['TAB', '\t'],
  ['ESC (ANSI colour)', '\u001b[31m'],
  ['BEL', '\u0007'],
  ['DEL', '\u007f'],
  ['C1 NEL', '\u0085'],
  ['C1 CSI', '\u009b'],
  ['RLO bidi override', '\u202e'],
  ['LRE bidi embedding', '\u202a'],
  ['LRI bidi isolate', '\u2066'],
  ['FSI bidi isolate', '\u2068'],
  ['PDI bidi isolate', '\u2069'],
];
