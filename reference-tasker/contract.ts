/**
 * Constants fixed by the Tasker internal adapter contract (v2, docs/TASKER_API_AUDIT.md).
 * Kept in one place so that the server and its documentation cannot drift apart silently.
 */
export const BASE_PATH = '/api/internal/nodedc/agent';

export const HEADERS = {
  keyId: 'x-nodedc-key-id',
  timestamp: 'x-nodedc-timestamp',
  nonce: 'x-nodedc-nonce',
  agentId: 'x-nodedc-agent-id',
  ownerUserId: 'x-nodedc-owner-user-id',
  signature: 'x-nodedc-signature',
  requestId: 'x-request-id',
  idempotencyKey: 'idempotency-key',
  idempotentReplayed: 'idempotent-replayed',
} as const;

/** Largest allowed distance between the signed timestamp and the server clock. */
export const MAX_CLOCK_SKEW_SECONDS = 300;
/** Accepted nonces are remembered this long; it must exceed twice the skew window. */
export const NONCE_RETENTION_SECONDS = 600;
/** A completed write's answer is replayed for this long. */
export const IDEMPOTENCY_RETENTION_SECONDS = 24 * 60 * 60;
/**
 * An in-progress claim expires after this long, so that a crash between claiming a key and
 * completing it does not lock the key for a whole day. Writes finish in milliseconds.
 */
export const IDEMPOTENCY_LEASE_SECONDS = 5 * 60;

export const MAX_BODY_BYTES = 1024 * 1024;

export const ISSUE_PRIORITIES = ['urgent', 'high', 'medium', 'low', 'none'] as const;
export type IssuePriority = (typeof ISSUE_PRIORITIES)[number];

/** Plane's state groups; `triage` holds intake issues, which lists leave out unless asked. */
export const STATE_GROUPS = ['backlog', 'unstarted', 'started', 'completed', 'cancelled', 'triage'] as const;
export type StateGroup = (typeof STATE_GROUPS)[number];

export const MEMBER_ROLES = ['admin', 'member', 'guest'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** Response shapes, exactly as the contract names them. */
export interface Workspace {
  id: string;
  slug: string;
  name: string;
}

export interface Project {
  id: string;
  identifier: string;
  name: string;
  description: string | null;
  workspace: Workspace;
  /** The calling owner's role in this project. */
  owner_role: MemberRole;
  /** Plane's `State.default`: the state a new issue gets when none is named. */
  default_state_id: string | null;
  /** Plane's `Project.default_assignee`: assigned to a new issue when none is named (if not a guest). */
  default_assignee_id: string | null;
}

export interface State {
  id: string;
  name: string;
  group: StateGroup;
  color: string;
  sequence: number;
  is_default: boolean;
}

export interface Label {
  id: string;
  name: string;
  color: string;
}

export interface Member {
  user_id: string;
  email: string;
  display_name: string;
  role: MemberRole;
}

/** Who did something: a person, or an agent acting on behalf of that person (agent_id set). */
export interface Actor {
  user_id: string;
  display_name: string;
  agent_id: string | null;
}

export interface Issue {
  id: string;
  project_id: string;
  sequence_id: number;
  key: string;
  title: string;
  /** Plane's `description_html`: sanitized HTML, `<p></p>` when empty. */
  description_html: string;
  priority: IssuePriority;
  /** Null for an issue without a state (Plane allows it). */
  state_id: string | null;
  state_group: StateGroup | null;
  parent_id: string | null;
  label_ids: string[];
  assignee_ids: string[];
  cycle_id: string | null;
  module_ids: string[];
  start_date: string | null;
  target_date: string | null;
  archived_at: string | null;
  is_draft: boolean;
  created_by: Actor;
  created_at: string;
  updated_at: string;
}

export interface Comment {
  id: string;
  issue_id: string;
  /** Plane's `comment_html`. */
  comment_html: string;
  actor: Actor;
  created_at: string;
  edited_at: string | null;
}

/** Plane's IssueActivity: one changed field (or a creation), oldest first. */
export interface ActivityEntry {
  id: string;
  issue_id: string;
  verb: 'created' | 'updated' | 'added' | 'removed';
  field: string | null;
  old_value: string | null;
  new_value: string | null;
  actor: Actor;
  created_at: string;
}

export const RELATION_TYPES = ['blocks', 'blocked_by', 'relates_to', 'duplicate_of'] as const;
export type RelationType = (typeof RELATION_TYPES)[number];

export interface IssueRef {
  id: string;
  key: string;
  project_id: string;
  title: string;
  state_group: StateGroup | null;
}

export interface Relation {
  relation_type: RelationType;
  issue: IssueRef;
}

export interface Link {
  id: string;
  url: string;
  title: string | null;
  actor: Actor;
  created_at: string;
}

export const CYCLE_STATUSES = ['current', 'upcoming', 'completed', 'draft'] as const;
export type CycleStatus = (typeof CYCLE_STATUSES)[number];

export interface Cycle {
  id: string;
  name: string;
  description: string;
  start_date: string | null;
  end_date: string | null;
  status: CycleStatus;
}

export const MODULE_STATUSES = ['backlog', 'planned', 'in-progress', 'paused', 'completed', 'cancelled'] as const;
export type ModuleStatus = (typeof MODULE_STATUSES)[number];

export interface Module {
  id: string;
  name: string;
  description: string;
  status: ModuleStatus;
  start_date: string | null;
  target_date: string | null;
  lead_id: string | null;
}

export const ACTIVITY_ACTIONS = [
  'issue.created',
  'issue.updated',
  'issue.moved',
  'issue.commented',
  'issue.labels_set',
  'issue.assignees_set',
  'issue.labels_changed',
  'issue.assignees_changed',
  'issue.relation_added',
  'issue.relation_removed',
  'issue.link_added',
  'issue.link_removed',
  'issue.cycle_set',
  'issue.modules_changed',
] as const;
export type ActivityAction = (typeof ACTIVITY_ACTIONS)[number];
