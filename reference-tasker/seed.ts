import { DEFAULT_STATES, ensureProject, ensureWorkspace, type EnsuredProject } from './admin.js';
import type { IssuePriority } from './contract.js';
import { catalogIds } from './ids.js';
import type { Sql, SqlExecutor } from './storage/sql.js';
import { ensureCycle, ensureModule } from './store/planning.js';
import { upsertUser, type User } from './store/users.js';

export const DEMO_WORKSPACE = { slug: 'nodedc-demo', name: 'NODE.DC Demo' } as const;

export const DEMO_USERS = {
  local: { id: 'local-user', email: 'local@example.test', displayName: 'Local User' },
  teammate: { id: 'teammate-user', email: 'teammate@example.test', displayName: 'Teammate' },
  outsider: { id: 'outsider-user', email: 'outsider@example.test', displayName: 'Outsider' },
} as const satisfies Record<string, User>;

const workspaceId = catalogIds.workspace(DEMO_WORKSPACE.slug);

function projectIds(identifier: string) {
  const id = catalogIds.project(workspaceId, identifier);
  return {
    id,
    states: {
      backlog: catalogIds.state(id, 'Backlog'),
      todo: catalogIds.state(id, 'Todo'),
      inProgress: catalogIds.state(id, 'In Progress'),
      done: catalogIds.state(id, 'Done'),
      cancelled: catalogIds.state(id, 'Cancelled'),
    },
    labels: {
      bug: catalogIds.label(id, 'bug'),
      feature: catalogIds.label(id, 'feature'),
      docs: catalogIds.label(id, 'docs'),
    },
  } as const;
}

const demoProject = projectIds('DEMO');
const opsBase = projectIds('OPS');
/** Only OPS has a Triage state (Plane adds one when intake is on). */
const opsProject = { ...opsBase, states: { ...opsBase.states, triage: catalogIds.state(opsBase.id, 'Triage') } } as const;

/** DEMO's cycles (one finished, one running, one ahead) and modules, with Plane's names and dates. */
const DEMO_PLANNING = {
  cycles: {
    past: { id: catalogIds.cycle(demoProject.id, 'Sprint 1'), name: 'Sprint 1', startDate: '2025-01-06', endDate: '2025-01-19' },
    current: { id: catalogIds.cycle(demoProject.id, 'Sprint 2'), name: 'Sprint 2', startDate: '2025-01-20', endDate: '2099-12-31' },
    next: { id: catalogIds.cycle(demoProject.id, 'Sprint 3'), name: 'Sprint 3', startDate: '2100-01-01', endDate: '2100-01-14' },
  },
  modules: {
    gateway: { id: catalogIds.module(demoProject.id, 'Gateway'), name: 'Gateway', status: 'in-progress' as const },
    docs: { id: catalogIds.module(demoProject.id, 'Docs'), name: 'Docs', status: 'planned' as const },
  },
} as const;

/**
 * DEMO-3's description holds what Markdown cannot carry (a mention, a table with merged cells, an
 * uploaded image), as Plane's editor writes them, so tools show how they protect it.
 */
export const RICH_DESCRIPTION_HTML =
  '<p>Draft for <mention-component entity_identifier="teammate-user" entity_name="user_mention" label="Teammate"></mention-component>:</p>' +
  '<table><tbody><tr><th colspan="2">Scope</th></tr><tr><td>read</td><td>write</td></tr></tbody></table>' +
  '<image-component src="3f6c2a1e-asset" width="640" height="360"></image-component>' +
  '<p>Keep it <strong>short</strong>.</p>';

/** Every seeded id; stable across starts and databases (see ids.ts). */
export const DEMO_IDS = {
  workspace: workspaceId,
  users: { local: DEMO_USERS.local.id, teammate: DEMO_USERS.teammate.id, outsider: DEMO_USERS.outsider.id },
  projects: { DEMO: demoProject, OPS: opsProject, PRIV: projectIds('PRIV') },
  issues: {
    'DEMO-1': catalogIds.seededIssue(demoProject.id, 1),
    'DEMO-2': catalogIds.seededIssue(demoProject.id, 2),
    'DEMO-3': catalogIds.seededIssue(demoProject.id, 3),
    /** In OPS's Triage state: intake, left out of lists unless asked for. */
    'OPS-1': catalogIds.seededIssue(opsProject.id, 1),
  },
  cycles: { past: DEMO_PLANNING.cycles.past.id, current: DEMO_PLANNING.cycles.current.id, next: DEMO_PLANNING.cycles.next.id },
  modules: { gateway: DEMO_PLANNING.modules.gateway.id, docs: DEMO_PLANNING.modules.docs.id },
  /** A comment teammate-user wrote in Tasker itself (no agent), on DEMO-2. */
  personComment: catalogIds.seededComment(catalogIds.seededIssue(demoProject.id, 2), 1),
} as const;

interface SeedIssue {
  sequenceId: number;
  title: string;
  description: string | null;
  priority: IssuePriority;
  state: string;
  labels: readonly string[];
  assignees: readonly string[];
  startDate: string | null;
  targetDate: string | null;
}

const DEMO_ISSUES: readonly SeedIssue[] = [
  {
    sequenceId: 1,
    title: 'Set up the NODE.DC agent gateway',
    description: '<p>Run the gateway locally against the reference Tasker and connect one agent.</p>',
    priority: 'high',
    state: 'Todo',
    labels: ['feature'],
    assignees: [DEMO_USERS.local.id],
    startDate: '2025-01-06',
    targetDate: '2025-01-17',
  },
  {
    sequenceId: 2,
    title: 'Login redirect loops after session expiry',
    description: '<p>After the session expires the login page redirects to itself.</p>',
    priority: 'urgent',
    state: 'In Progress',
    labels: ['bug'],
    assignees: [DEMO_USERS.teammate.id],
    startDate: null,
    targetDate: null,
  },
  {
    sequenceId: 3,
    title: 'Document the agent permissions model',
    description: RICH_DESCRIPTION_HTML,
    priority: 'low',
    state: 'Backlog',
    labels: ['docs'],
    assignees: [],
    startDate: null,
    targetDate: null,
  },
];

/** Seeded issues carry fixed times, so that a re-seed or a second database shows the same data. */
const SEED_TIME = Date.parse('2025-01-06T09:00:00.000Z');

function pick(ids: Readonly<Record<string, string>>, name: string): string {
  const id = ids[name];
  if (id === undefined) throw new Error(`seed refers to unknown catalog entry ${name}`);
  return id;
}

async function ensureSeedIssue(db: SqlExecutor, project: EnsuredProject, issue: SeedIssue): Promise<void> {
  const id = catalogIds.seededIssue(project.id, issue.sequenceId);
  const at = new Date(SEED_TIME + issue.sequenceId * 60_000).toISOString();
  const inserted = await db.query(
    `INSERT INTO reference_tasker.issues
       (id, project_id, sequence_id, title, description, priority, state_id, start_date, target_date,
        created_by_agent_id, created_by_user_id, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::date, $9::date, NULL, $10, $11::timestamptz, $11::timestamptz)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [id, project.id, issue.sequenceId, issue.title, issue.description, issue.priority, pick(project.states, issue.state),
      issue.startDate, issue.targetDate, DEMO_USERS.local.id, at],
  );
  // Only a fresh issue gets its seed labels and assignees; later edits are the user's to keep.
  if (inserted.length === 0) return;
  for (const label of issue.labels) {
    await db.query('INSERT INTO reference_tasker.issue_labels (issue_id, label_id) VALUES ($1, $2)', [
      id,
      pick(project.labels, label),
    ]);
  }
  for (const userId of issue.assignees) {
    await db.query('INSERT INTO reference_tasker.issue_assignees (issue_id, user_id) VALUES ($1, $2)', [id, userId]);
  }
  await db.query('UPDATE reference_tasker.projects SET issue_sequence = GREATEST(issue_sequence, $2) WHERE id = $1', [
    project.id,
    issue.sequenceId,
  ]);
}

/**
 * The demo workspace the gateway's local setup and end-to-end tests expect. Safe to run on
 * every start: existing rows are left as they are.
 */
export async function seedDemoWorkspace(sql: Sql): Promise<void> {
  await sql.transaction(async (tx) => {
    for (const user of Object.values(DEMO_USERS)) await upsertUser(tx, user);
    const workspace = await ensureWorkspace(tx, DEMO_WORKSPACE);
    const { local, teammate, outsider } = DEMO_USERS;
    const demo = await ensureProject(tx, {
      workspaceId: workspace,
      identifier: 'DEMO',
      name: 'Demo Project',
      description: 'Where the local agent works by default.',
      members: [
        { userId: local.id, role: 'admin' },
        { userId: teammate.id, role: 'member' },
        // Plane's guests read but never write, and are never assignees.
        { userId: outsider.id, role: 'guest' },
      ],
    });
    const ops = await ensureProject(tx, {
      workspaceId: workspace,
      identifier: 'OPS',
      name: 'Operations',
      description: null,
      members: [
        { userId: local.id, role: 'member' },
        { userId: teammate.id, role: 'member' },
      ],
      states: [...DEFAULT_STATES, { name: 'Triage', group: 'triage', color: '#4e5355' }],
      defaultAssigneeId: teammate.id,
    });
    await ensureProject(tx, {
      workspaceId: workspace,
      identifier: 'PRIV',
      name: 'Private Roadmap',
      description: 'Only the outsider is a member; nobody else may see it.',
      members: [{ userId: outsider.id, role: 'admin' }],
    });
    for (const issue of DEMO_ISSUES) await ensureSeedIssue(tx, demo, issue);
    await ensureSeedIssue(tx, ops, {
      sequenceId: 1,
      title: 'Customer report: export fails on large projects',
      description: '<p>Reported by email; not yet accepted.</p>',
      priority: 'none',
      state: 'Triage',
      labels: [],
      assignees: [],
      startDate: null,
      targetDate: null,
    });
    for (const cycle of Object.values(DEMO_PLANNING.cycles)) await ensureCycle(tx, { ...cycle, projectId: demo.id });
    for (const module of Object.values(DEMO_PLANNING.modules)) await ensureModule(tx, { ...module, projectId: demo.id });
    await tx.query(
      `INSERT INTO reference_tasker.comments (id, issue_id, body, agent_id, owner_user_id, created_at)
       VALUES ($1, $2, $3, NULL, $4, $5::timestamptz) ON CONFLICT (id) DO NOTHING`,
      [DEMO_IDS.personComment, DEMO_IDS.issues['DEMO-2'], '<p>I can reproduce this on <code>staging</code>.</p>', teammate.id,
        new Date(SEED_TIME + 10 * 60_000).toISOString()],
    );
  });
}
