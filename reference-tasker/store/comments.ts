import type { Comment } from '../contract.js';
import type { SqlExecutor } from '../storage/sql.js';
import { utcTimestamp } from './format.js';

interface CommentRow {
  id: string;
  issue_id: string;
  body: string;
  agent_id: string;
  owner_user_id: string;
  created_at: string;
}

export interface NewComment {
  id: string;
  issueId: string;
  body: string;
  agentId: string;
  ownerUserId: string;
  at: Date;
}

export async function insertComment(db: SqlExecutor, comment: NewComment): Promise<Comment> {
  const rows = await db.query<CommentRow>(
    `INSERT INTO reference_tasker.comments (id, issue_id, body, agent_id, owner_user_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6::timestamptz)
     RETURNING id, issue_id, body, agent_id, owner_user_id, ${utcTimestamp('created_at')} AS created_at`,
    [comment.id, comment.issueId, comment.body, comment.agentId, comment.ownerUserId, comment.at.toISOString()],
  );
  const row = rows[0];
  if (row === undefined) throw new Error('INSERT ... RETURNING returned no row');
  return {
    id: row.id,
    issue_id: row.issue_id,
    body: row.body,
    actor: { agent_id: row.agent_id, owner_user_id: row.owner_user_id },
    created_at: row.created_at,
  };
}
