import type { Comment } from '../contract.js';
import type { SqlExecutor } from '../storage/sql.js';
import { utcTimestamp } from './format.js';

interface CommentRow {
  seq: number;
  id: string;
  issue_id: string;
  body: string;
  agent_id: string | null;
  owner_user_id: string;
  display_name: string;
  created_at: string;
  edited_at: string | null;
}

export interface NewComment {
  id: string;
  issueId: string;
  /** HTML. */
  body: string;
  agentId: string;
  ownerUserId: string;
  at: Date;
}

const SELECT = `
  SELECT c.id, c.issue_id, c.body, c.agent_id, c.owner_user_id, u.display_name,
         ${utcTimestamp('c.created_at')} AS created_at,
         CASE WHEN c.edited_at IS NULL THEN NULL ELSE ${utcTimestamp('c.edited_at')} END AS edited_at,
         row_number() OVER (ORDER BY c.created_at, c.id)::integer AS seq
    FROM reference_tasker.comments c
    JOIN reference_tasker.users u ON u.id = c.owner_user_id`;

function toComment(row: CommentRow): Comment {
  return {
    id: row.id,
    issue_id: row.issue_id,
    comment_html: row.body,
    // A comment without an agent id was written by the person in Tasker's own UI.
    actor: { user_id: row.owner_user_id, display_name: row.display_name, agent_id: row.agent_id },
    created_at: row.created_at,
    edited_at: row.edited_at,
  };
}

export async function insertComment(db: SqlExecutor, comment: NewComment): Promise<Comment> {
  await db.query(
    `INSERT INTO reference_tasker.comments (id, issue_id, body, agent_id, owner_user_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6::timestamptz)`,
    [comment.id, comment.issueId, comment.body, comment.agentId, comment.ownerUserId, comment.at.toISOString()],
  );
  const rows = await db.query<CommentRow>(`${SELECT} WHERE c.id = $1`, [comment.id]);
  const row = rows[0];
  if (row === undefined) throw new Error('the comment just written is gone');
  return toComment(row);
}

/** One page of an issue's comments, oldest first, after position `after` (1-based). */
export async function listComments(db: SqlExecutor, issueId: string, after: number, limit: number): Promise<{ comment: Comment; seq: number }[]> {
  const rows = await db.query<CommentRow>(
    `SELECT * FROM (${SELECT} WHERE c.issue_id = $1) numbered WHERE seq > $2 ORDER BY seq LIMIT $3`,
    [issueId, after, limit],
  );
  return rows.map((row) => ({ comment: toComment(row), seq: row.seq }));
}
