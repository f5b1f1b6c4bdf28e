import type { WriteResult } from '../resolvers/agent/write-result.js';
import { builder } from './builder.js';
import { Comment } from './comments.js';
import { Issue } from './issues.js';
import { Link, Relation } from './relations.js';

const FieldChange = builder.objectRef<WriteResult['changes'][number]>('FieldChange').implement({
  fields: (t) => ({
    field: t.exposeString('field'),
    before: t.field({ type: 'JSON', nullable: true, resolve: (change) => change.before }),
    after: t.field({ type: 'JSON', nullable: true, resolve: (change) => change.after }),
  }),
});

export const WriteResultRef = builder.objectRef<WriteResult>('WriteResult').implement({
  description: 'What a write changed (dry run: would change), and what it produced (null for a dry run).',
  fields: (t) => ({
    dryRun: t.exposeBoolean('dryRun'),
    changes: t.field({ type: [FieldChange], resolve: (result) => result.changes }),
    issue: t.field({ type: Issue, nullable: true, resolve: (result) => result.issue }),
    comment: t.field({ type: Comment, nullable: true, resolve: (result) => result.comment }),
    relations: t.field({ type: [Relation], nullable: true, resolve: (result) => result.relations }),
    links: t.field({ type: [Link], nullable: true, resolve: (result) => result.links }),
  }),
});
