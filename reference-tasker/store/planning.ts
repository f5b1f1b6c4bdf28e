import type { Cycle, CycleStatus, Module, ModuleStatus } from '../contract.js';
import type { SqlExecutor } from '../storage/sql.js';
import { isoDate } from './format.js';

/**
 * Plane's cycle status is computed, never stored: current while today lies within its dates,
 * upcoming before, completed after, draft without dates.
 */
export function cycleStatus(startDate: string | null, endDate: string | null, today: string): CycleStatus {
  if (startDate === null && endDate === null) return 'draft';
  if (startDate !== null && startDate > today) return 'upcoming';
  if (endDate !== null && endDate < today) return 'completed';
  if (startDate !== null && endDate !== null) return 'current';
  return 'draft';
}

interface CycleRow {
  id: string;
  name: string;
  description: string;
  start_date: string | null;
  end_date: string | null;
}

export async function listCycles(db: SqlExecutor, projectId: string, today: string): Promise<Cycle[]> {
  const rows = await db.query<CycleRow>(
    `SELECT id, name, description, ${isoDate('start_date')} AS start_date, ${isoDate('end_date')} AS end_date
       FROM reference_tasker.cycles WHERE project_id = $1
      ORDER BY start_date NULLS LAST, name COLLATE "C", id`,
    [projectId],
  );
  return rows.map((row) => ({ ...row, status: cycleStatus(row.start_date, row.end_date, today) }));
}

export async function findCycle(db: SqlExecutor, projectId: string, cycleId: string, today: string): Promise<Cycle | null> {
  const all = await listCycles(db, projectId, today);
  return all.find((cycle) => cycle.id === cycleId) ?? null;
}

export async function listModules(db: SqlExecutor, projectId: string): Promise<Module[]> {
  return db.query<Module & { status: ModuleStatus }>(
    `SELECT id, name, description, status, ${isoDate('start_date')} AS start_date, ${isoDate('target_date')} AS target_date, lead_id
       FROM reference_tasker.modules WHERE project_id = $1
      ORDER BY name COLLATE "C", id`,
    [projectId],
  );
}

export async function ensureCycle(
  db: SqlExecutor,
  cycle: { id: string; projectId: string; name: string; startDate: string | null; endDate: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO reference_tasker.cycles (id, project_id, name, start_date, end_date) VALUES ($1, $2, $3, $4::date, $5::date)
     ON CONFLICT (id) DO NOTHING`,
    [cycle.id, cycle.projectId, cycle.name, cycle.startDate, cycle.endDate],
  );
}

export async function ensureModule(
  db: SqlExecutor,
  module: { id: string; projectId: string; name: string; status: ModuleStatus },
): Promise<void> {
  await db.query(
    `INSERT INTO reference_tasker.modules (id, project_id, name, status) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
    [module.id, module.projectId, module.name, module.status],
  );
}
