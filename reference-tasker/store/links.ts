import type { Link } from '../contract.js';
import type { SqlExecutor } from '../storage/sql.js';
import { utcTimestamp } from './format.js';

/** Plane's IssueLink: a URL with an optional title; one URL once per issue. */
export async function listLinks(db: SqlExecutor, issueId: string): Promise<Link[]> {
  const rows = await db.query<{
    id: string;
    url: string;
    title: string | null;
    agent_id: string | null;
    user_id: string;
    display_name: string;
    created_at: string;
  }>(
    `SELECT l.id, l.url, l.title, l.agent_id, l.user_id, u.display_name, ${utcTimestamp('l.created_at')} AS created_at
       FROM reference_tasker.issue_links l
       JOIN reference_tasker.users u ON u.id = l.user_id
      WHERE l.issue_id = $1
      ORDER BY l.created_at, l.id`,
    [issueId],
  );
  return rows.map((row) => ({
    id: row.id,
    url: row.url,
    title: row.title,
    actor: { user_id: row.user_id, display_name: row.display_name, agent_id: row.agent_id },
    created_at: row.created_at,
  }));
}

export async function insertLink(
  db: SqlExecutor,
  link: { id: string; issueId: string; url: string; title: string | null; agentId: string; userId: string; at: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO reference_tasker.issue_links (id, issue_id, url, title, agent_id, user_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz)`,
    [link.id, link.issueId, link.url, link.title, link.agentId, link.userId, link.at.toISOString()],
  );
}

export async function deleteLink(db: SqlExecutor, issueId: string, linkId: string): Promise<{ url: string } | null> {
  const rows = await db.query<{ url: string }>(
    'DELETE FROM reference_tasker.issue_links WHERE issue_id = $1 AND id = $2 RETURNING url',
    [issueId, linkId],
  );
  return rows[0] ?? null;
}
