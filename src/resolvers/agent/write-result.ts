import type { CommentView, IssueView, LinkView, RelationView } from './views.js';

/**
 * What every write answers, real or dry run: the fields it changed with their values before and
 * after (for a dry run: would change), and what the write produced. A dry run changes nothing,
 * spends no idempotency key and produces nothing, so its `issue`, `comment`, `relations` and
 * `links` are null; its `changes` say exactly what a real run would do.
 */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface WriteResult {
  dryRun: boolean;
  changes: FieldChange[];
  issue: IssueView | null;
  comment: CommentView | null;
  relations: RelationView[] | null;
  links: LinkView[] | null;
}

const COMPARED = [
  'title',
  'description',
  'priority',
  'stateId',
  'parentId',
  'labelIds',
  'assigneeIds',
  'cycleId',
  'moduleIds',
  'startDate',
  'targetDate',
] as const satisfies readonly (keyof IssueView)[];

const sameValue = (a: unknown, b: unknown) =>
  Array.isArray(a) && Array.isArray(b) ? a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000') : a === b;

/** The agent-visible fields that differ between two versions of an issue (before null: a new issue). */
export function issueChanges(before: IssueView | null, after: IssueView): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of COMPARED) {
    const was = before === null ? null : before[field];
    const now = after[field];
    if (before === null ? now !== null && !(Array.isArray(now) && now.length === 0) && now !== '' : !sameValue(was, now)) {
      changes.push({ field, before: was, after: now });
    }
  }
  return changes;
}

export const written = (changes: FieldChange[], produced: Partial<Omit<WriteResult, 'dryRun' | 'changes'>>): WriteResult => ({
  dryRun: false,
  changes,
  issue: null,
  comment: null,
  relations: null,
  links: null,
  ...produced,
});

export const dryRun = (changes: FieldChange[]): WriteResult => ({
  dryRun: true,
  changes,
  issue: null,
  comment: null,
  relations: null,
  links: null,
});
