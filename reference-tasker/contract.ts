/**
 * Constants fixed by the Tasker internal adapter contract (v1, docs/TASKER_API_AUDIT.md).
 * Kept in one place so that the server and its documentation cannot drift apart silently.
 */
export const BASE_PATH = '/api/internal/nodedc/agent';

export const HEADERS = {
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

export const STATE_GROUPS = ['backlog', 'unstarted', 'started', 'completed', 'cancelled'] as const;
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
}

export interface State {
  id: string;
  name: string;
  group: StateGroup;
  color: string;
  sequence: number;
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

export interface Issue {
  id: string;
  project_id: string;
  sequence_id: number;
  key: string;
  title: string;
  description: string | null;
  priority: IssuePriority;
  state_id: string;
  label_ids: string[];
  assignee_ids: string[];
  start_date: string | null;
  target_date: string | null;
  created_at: string;
  updated_at: string;
}

export interface Comment {
  id: string;
  issue_id: string;
  body: string;
  actor: { agent_id: string; owner_user_id: string };
  created_at: string;
}

export const ACTIVITY_ACTIONS = [
  'issue.created',
  'issue.updated',
  'issue.moved',
  'issue.commented',
  'issue.labels_set',
  'issue.assignees_set',
] as const;
export type ActivityAction = (typeof ACTIVITY_ACTIONS)[number];
