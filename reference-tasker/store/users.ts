import type { SqlExecutor } from '../storage/sql.js';

export interface User {
  id: string;
  email: string;
  displayName: string;
}

export async function userExists(db: SqlExecutor, userId: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM reference_tasker.users WHERE id = $1', [userId]);
  return rows.length > 0;
}

export async function upsertUser(db: SqlExecutor, user: User): Promise<void> {
  await db.query(
    `INSERT INTO reference_tasker.users (id, email, display_name) VALUES ($1, $2, $3)
     ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, display_name = EXCLUDED.display_name`,
    [user.id, user.email, user.displayName],
  );
}
