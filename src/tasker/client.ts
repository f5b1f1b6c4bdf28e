import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import type { z } from 'zod';
import type { ErrorCode } from '../errors/gateway-error.js';
import type { TaskerAttemptSpan } from '../observability/tracing.js';
import {
  ActivityListResponse,
  CommentListResponse,
  CommentResponse,
  CycleListResponse,
  ErrorEnvelopeSchema,
  type IssueChanges,
  type IssueFilter,
  IssueListResponse,
  IssueResponse,
  type IssueSearch,
  LinkListResponse,
  ModuleListResponse,
  type NewIssue,
  ProjectContextResponse,
  ProjectResponse,
  type RelationType,
  RelationListResponse,
  type SetDelta,
  TASKER_BASE_PATH,
  type TaskerActivityList,
  type TaskerComment,
  type TaskerCommentList,
  type TaskerCycle,
  type TaskerIssue,
  type TaskerIssueList,
  type TaskerLink,
  type TaskerModule,
  type TaskerProject,
  type TaskerProjectContext,
  type TaskerRelation,
} from './contract.js';
import { signedHeaders, signingKey } from './signing.js';
import { TaskerCallError } from './tasker-error.js';
import { stripInvisible } from './text-safety.js';

/**
 * The gateway's only way out to Tasker: the contract's endpoints (docs/TASKER_API_AUDIT.md), signed,
 * with bounded time and bounded retries. Reads and writes that carry an Idempotency-Key are
 * retried on connection failures, timeouts and 5xx; nothing else is. Every answer is validated.
 */
export interface TaskerCaller {
  agentId: string;
  ownerUserId: string;
  requestId: string;
}

export interface TaskerResult<T> {
  data: T;
  status: number;
  latencyMs: number;
}

export interface TaskerClientOptions {
  baseUrl: string;
  signingSecret: string;
  /** The id Tasker knows the secret by (X-NodeDC-Key-Id); default: derived from the secret. */
  signingKeyId?: string | undefined;
  connectTimeoutMs: number;
  /** Per attempt: headers and body must arrive within this time. */
  timeoutMs: number;
  maxRetries: number;
  /** Base of the exponential backoff between retries. */
  retryBaseDelayMs?: number;
  /**
   * The trace of one attempt at a call made for this request (src/observability/tracing.ts): its W3C
   * headers (a new child span id each time), then its end, with Tasker's status and the outcome.
   */
  traceAttempt?: (requestId: string, operation: string, attempt: number) => TaskerAttemptSpan | undefined;
  /** Told of every retry and every finished call (src/observability: logs, metrics, Tasker's reachability). */
  observer?: TaskerObserver;
}

/** One finished call to Tasker, as operators see it; `operation` is bounded (`GET /issues/:id`). */
export interface TaskerCallObservation {
  operation: string;
  requestId: string;
  /** `ok`, or the gateway error code the call ended with. */
  outcome: 'ok' | ErrorCode;
  /** Tasker's last HTTP status; null when it never answered. */
  status: number | null;
  attempts: number;
  latencyMs: number;
  /** The gateway's own reachability probe (TaskerClient.probe), not a call made for an agent. */
  probe?: boolean;
}

export interface TaskerObserver {
  retrying(call: { operation: string; requestId: string; attempt: number; code: ErrorCode; status: number | null }): void;
  finished(call: TaskerCallObservation): void;
}

/** An issue-addressed write: the key, the issue and the project the gateway authorized. */
export interface IssueWrite {
  idempotencyKey: string;
  issueId: string;
  projectId: string;
}

export interface Page {
  cursor?: string;
  limit: number;
}

export interface TaskerClient {
  resolveProject(caller: TaskerCaller, query: string): Promise<TaskerResult<TaskerProject>>;
  getProject(caller: TaskerCaller, projectId: string): Promise<TaskerResult<TaskerProject>>;
  projectContext(caller: TaskerCaller, projectId: string): Promise<TaskerResult<TaskerProjectContext>>;
  listCycles(caller: TaskerCaller, projectId: string): Promise<TaskerResult<TaskerCycle[]>>;
  listModules(caller: TaskerCaller, projectId: string): Promise<TaskerResult<TaskerModule[]>>;
  listIssues(caller: TaskerCaller, filter: IssueFilter): Promise<TaskerResult<TaskerIssueList>>;
  searchIssues(caller: TaskerCaller, search: IssueSearch): Promise<TaskerResult<TaskerIssueList>>;
  /** By id or key (`DEMO-12`). */
  getIssue(caller: TaskerCaller, issueRef: string): Promise<TaskerResult<TaskerIssue>>;
  listComments(caller: TaskerCaller, issueId: string, page: Page): Promise<TaskerResult<TaskerCommentList>>;
  listActivity(caller: TaskerCaller, issueId: string, page: Page & { since?: string }): Promise<TaskerResult<TaskerActivityList>>;
  listRelations(caller: TaskerCaller, issueId: string): Promise<TaskerResult<TaskerRelation[]>>;
  listLinks(caller: TaskerCaller, issueId: string): Promise<TaskerResult<TaskerLink[]>>;
  createIssue(caller: TaskerCaller, idempotencyKey: string, issue: NewIssue): Promise<TaskerResult<TaskerIssue>>;
  updateIssue(caller: TaskerCaller, idempotencyKey: string, issueId: string, projectId: string, changes: IssueChanges): Promise<TaskerResult<TaskerIssue>>;
  moveIssue(caller: TaskerCaller, idempotencyKey: string, issueId: string, projectId: string, stateId: string): Promise<TaskerResult<TaskerIssue>>;
  addComment(caller: TaskerCaller, idempotencyKey: string, issueId: string, projectId: string, html: string): Promise<TaskerResult<{ issue: TaskerIssue; comment: TaskerComment }>>;
  setLabels(caller: TaskerCaller, idempotencyKey: string, issueId: string, projectId: string, labelIds: string[]): Promise<TaskerResult<TaskerIssue>>;
  setAssignees(caller: TaskerCaller, idempotencyKey: string, issueId: string, projectId: string, assigneeIds: string[]): Promise<TaskerResult<TaskerIssue>>;
  changeLabels(caller: TaskerCaller, write: IssueWrite, delta: SetDelta): Promise<TaskerResult<TaskerIssue>>;
  changeAssignees(caller: TaskerCaller, write: IssueWrite, delta: SetDelta): Promise<TaskerResult<TaskerIssue>>;
  addRelation(caller: TaskerCaller, write: IssueWrite, type: RelationType, relatedIssueId: string): Promise<TaskerResult<TaskerRelation[]>>;
  removeRelation(caller: TaskerCaller, write: IssueWrite, type: RelationType, relatedIssueId: string): Promise<TaskerResult<TaskerRelation[]>>;
  addLink(caller: TaskerCaller, write: IssueWrite, url: string, title: string | null): Promise<TaskerResult<TaskerLink[]>>;
  removeLink(caller: TaskerCaller, write: IssueWrite, linkId: string): Promise<TaskerResult<TaskerLink[]>>;
  setCycle(caller: TaskerCaller, write: IssueWrite, cycleId: string | null): Promise<TaskerResult<TaskerIssue>>;
  changeModules(caller: TaskerCaller, write: IssueWrite, delta: SetDelta): Promise<TaskerResult<TaskerIssue>>;
  /**
   * One signed, cheap read in no agent's name, made only to learn whether Tasker answers and accepts
   * the gateway's signature (src/observability/tasker-probe.ts). One attempt, no retry; it never
   * throws, and it tells no observer: its caller reports the outcome (unless it was stopped).
   */
  probe(signal?: AbortSignal): Promise<TaskerCallObservation>;
  close(): Promise<void>;
}

/**
 * Who the probe is signed for: an agent and owner Tasker does not know, so Tasker answers 403
 * FORBIDDEN (the contract's "owner unknown to Tasker") after checking the signature, and reads nothing.
 * The project id is the nil UUID, which names no project.
 */
export const PROBE_IDENTITY = 'nodedc-gateway-probe';
const PROBE_PATH = '/projects/00000000-0000-0000-0000-000000000000';

const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

/** Reads that carry their query in a POST body; safe to retry like a GET. */
const READS_BY_POST = new Set(['/projects/resolve', '/issues/search']);

interface CallSpec<T> {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  idempotencyKey?: string;
  schema: z.ZodType<T>;
}

class RetryableFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number | null,
    /** False only when the request surely never reached Tasker (the connection was never made). */
    readonly mayHaveReachedTasker = true,
  ) {
    super(message);
  }
}

export function createTaskerClient(options: TaskerClientOptions): TaskerClient {
  const base = new URL(options.baseUrl);
  const prefix = `${base.pathname.replace(/\/+$/, '')}${TASKER_BASE_PATH}`;
  const pool = new Pool(base.origin, {
    connections: 16,
    connect: { timeout: options.connectTimeoutMs },
    keepAliveTimeout: 10_000,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  const retryBaseDelayMs = options.retryBaseDelayMs ?? 100;
  const key = signingKey(options.signingSecret, options.signingKeyId);

  /** One attempt, traced when the request it is made for is (the span ends with the attempt's outcome). */
  async function attempt<T>(spec: CallSpec<T>, caller: TaskerCaller, pathWithQuery: string, body: string, attemptNo: number, abort?: AbortSignal): Promise<TaskerResult<T>> {
    const span = options.traceAttempt?.(caller.requestId, operationOf(spec), attemptNo);
    try {
      const result = await exchange(spec, caller, pathWithQuery, body, span?.headers, abort);
      span?.end({ status: result.status, outcome: 'ok' });
      return result;
    } catch (error) {
      if (error instanceof TaskerCallError) span?.end({ status: error.taskerStatus, outcome: error.code });
      else if (error instanceof RetryableFailure) span?.end({ status: error.status, outcome: error.code });
      else span?.end({ status: null, outcome: 'INTERNAL_SERVER_ERROR' });
      throw error;
    }
  }

  async function exchange<T>(
    spec: CallSpec<T>,
    caller: TaskerCaller,
    pathWithQuery: string,
    body: string,
    traceHeaders: Record<string, string> | undefined,
    abort: AbortSignal | undefined,
  ): Promise<TaskerResult<T>> {
    const started = performance.now();
    const headers = {
      ...signedHeaders(key, {
        method: spec.method,
        pathWithQuery,
        agentId: caller.agentId,
        ownerUserId: caller.ownerUserId,
        idempotencyKey: spec.idempotencyKey,
        body,
        requestId: caller.requestId,
      }),
      accept: 'application/json',
      ...traceHeaders,
      ...(body ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    };
    let status: number;
    let text: string | null;
    try {
      const response = await pool.request({
        method: spec.method,
        path: pathWithQuery,
        headers,
        body: body || null,
        signal: abort ? AbortSignal.any([AbortSignal.timeout(options.timeoutMs), abort]) : AbortSignal.timeout(options.timeoutMs),
      });
      status = response.statusCode;
      text = await readBounded(response.body);
    } catch (error) {
      throw networkFailure(error);
    }
    const latencyMs = performance.now() - started;
    // An oversize answer is Tasker's mistake, not a passing fault: asking again would not help.
    if (text === null) throw new TaskerCallError('TASKER_BAD_RESPONSE', 'Tasker answered with more than 5 MiB', status, latencyMs);

    if (status >= 500) throw new RetryableFailure('TASKER_UNAVAILABLE', `Tasker answered ${status}`, status);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new TaskerCallError('TASKER_BAD_RESPONSE', `Tasker answered ${status} with a body that is not JSON`, status, latencyMs);
    }
    if (status >= 200 && status < 300) {
      const parsed = spec.schema.safeParse(json);
      if (!parsed.success) {
        throw new TaskerCallError('TASKER_BAD_RESPONSE', 'Tasker answered with a body that does not match the contract', status, latencyMs, {
          issues: parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.')}: ${issue.message}`),
        });
      }
      return { data: parsed.data, status, latencyMs };
    }
    const envelope = ErrorEnvelopeSchema.safeParse(json);
    if (!envelope.success) {
      throw new TaskerCallError('TASKER_BAD_RESPONSE', `Tasker answered ${status} without the contract's error envelope`, status, latencyMs);
    }
    if (status === 409 && envelope.data.error.code === 'IDEMPOTENCY_IN_PROGRESS') {
      throw new RetryableFailure('IDEMPOTENCY_IN_PROGRESS', 'Tasker is still applying an earlier attempt of this write', status);
    }
    throw mapTaskerError(status, envelope.data.error, latencyMs);
  }

  const observer = options.observer;

  async function call<T>(spec: CallSpec<T>, caller: TaskerCaller): Promise<TaskerResult<T>> {
    if (!observer) return callWithRetries(spec, caller, undefined);
    const operation = operationOf(spec);
    const started = performance.now();
    const finished = (outcome: TaskerCallObservation['outcome'], status: number | null, attempts: number) =>
      observer.finished({ operation, requestId: caller.requestId, outcome, status, attempts, latencyMs: performance.now() - started });
    const tries = { count: 0 };
    try {
      const result = await callWithRetries(spec, caller, { operation, tries });
      finished('ok', result.status, tries.count);
      return result;
    } catch (error) {
      if (error instanceof TaskerCallError) finished(error.code, error.taskerStatus, tries.count);
      else finished('INTERNAL_SERVER_ERROR', null, tries.count);
      throw error;
    }
  }

  async function callWithRetries<T>(
    spec: CallSpec<T>,
    caller: TaskerCaller,
    observed: { operation: string; tries: { count: number } } | undefined,
  ): Promise<TaskerResult<T>> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(spec.query ?? {})) if (value !== undefined) search.set(key, value);
    const pathWithQuery = `${prefix}${spec.path}${search.size > 0 ? `?${search}` : ''}`;
    const body = spec.body === undefined ? '' : JSON.stringify(spec.body);
    // Writes are retried only because they carry an Idempotency-Key Tasker deduplicates on.
    const isWrite = spec.idempotencyKey !== undefined;
    const retrySafe = spec.method === 'GET' || isWrite || READS_BY_POST.has(spec.path);
    const started = performance.now();
    // Whether any attempt of a write may have been applied without an answer saying so.
    let maybeApplied = false;
    for (let attemptNo = 0; ; attemptNo += 1) {
      if (observed) observed.tries.count = attemptNo + 1;
      try {
        return await attempt(spec, caller, pathWithQuery, body, attemptNo + 1);
      } catch (error) {
        if (error instanceof TaskerCallError && isWrite && error.code === 'TASKER_BAD_RESPONSE' && isSuccess(error.taskerStatus)) {
          // Tasker said the write succeeded in words the gateway cannot read: applied, but unconfirmed.
          throw new TaskerCallError(error.code, error.message, error.taskerStatus, error.latencyMs, error.details, true);
        }
        if (!(error instanceof RetryableFailure)) throw error;
        maybeApplied ||= isWrite && error.mayHaveReachedTasker;
        if (!retrySafe || attemptNo >= options.maxRetries) {
          const latencyMs = performance.now() - started;
          const tries = attemptNo + 1;
          const message = `${error.message}${tries > 1 ? ` (after ${tries} attempts)` : ''}`;
          throw new TaskerCallError(error.code, message, error.status, latencyMs, undefined, maybeApplied);
        }
        if (observed) observer?.retrying({ operation: observed.operation, requestId: caller.requestId, attempt: attemptNo + 1, code: error.code, status: error.status });
        const delay = retryBaseDelayMs * 2 ** attemptNo;
        await sleep(delay / 2 + Math.random() * (delay / 2));
      }
    }
  }

  const issuePath = (issueId: string, suffix = '') => `/issues/${encodeURIComponent(issueId)}${suffix}`;
  const projectPath = (projectId: string, suffix = '') => `/projects/${encodeURIComponent(projectId)}${suffix}`;
  const issueOnly = IssueResponse.transform((response) => response.issue);
  const relationsOnly = RelationListResponse.transform((response) => response.relations);
  const linksOnly = LinkListResponse.transform((response) => response.links);
  const page = (p: Page) => ({ cursor: p.cursor, limit: String(p.limit) });
  /** An issue-addressed write: its body always names the project the gateway authorized. */
  const issueWrite = <T>(method: 'POST' | 'PATCH' | 'PUT', write: IssueWrite, suffix: string, body: object, schema: z.ZodType<T>) =>
    ({ method, path: issuePath(write.issueId, suffix), body: { project_id: write.projectId, ...body }, idempotencyKey: write.idempotencyKey, schema }) as CallSpec<T>;

  return {
    resolveProject: (caller, query) =>
      call({ method: 'POST', path: '/projects/resolve', body: { query }, schema: ProjectResponse.transform((r) => r.project) }, caller),
    getProject: (caller, projectId) =>
      call({ method: 'GET', path: projectPath(projectId), schema: ProjectResponse.transform((r) => r.project) }, caller),
    projectContext: (caller, projectId) => call({ method: 'GET', path: projectPath(projectId, '/context'), schema: ProjectContextResponse }, caller),
    listCycles: (caller, projectId) =>
      call({ method: 'GET', path: projectPath(projectId, '/cycles'), schema: CycleListResponse.transform((r) => r.cycles) }, caller),
    listModules: (caller, projectId) =>
      call({ method: 'GET', path: projectPath(projectId, '/modules'), schema: ModuleListResponse.transform((r) => r.modules) }, caller),
    listIssues: (caller, filter) =>
      call(
        {
          method: 'GET',
          path: '/issues',
          query: {
            project_id: filter.projectId,
            state_id: filter.stateId,
            label_id: filter.labelId,
            assignee_id: filter.assigneeId,
            parent_id: filter.parentId,
            search: filter.search,
            include_archived: filter.includeArchived ? 'true' : undefined,
            include_drafts: filter.includeDrafts ? 'true' : undefined,
            cursor: filter.cursor,
            limit: String(filter.limit),
          },
          schema: IssueListResponse,
        },
        caller,
      ),
    searchIssues: (caller, search) => call({ method: 'POST', path: '/issues/search', body: search, schema: IssueListResponse }, caller),
    getIssue: (caller, issueRef) => call({ method: 'GET', path: issuePath(issueRef), schema: issueOnly }, caller),
    listComments: (caller, issueId, p) =>
      call({ method: 'GET', path: issuePath(issueId, '/comments'), query: page(p), schema: CommentListResponse }, caller),
    listActivity: (caller, issueId, p) =>
      call({ method: 'GET', path: issuePath(issueId, '/activity'), query: { ...page(p), since: p.since }, schema: ActivityListResponse }, caller),
    listRelations: (caller, issueId) => call({ method: 'GET', path: issuePath(issueId, '/relations'), schema: relationsOnly }, caller),
    listLinks: (caller, issueId) => call({ method: 'GET', path: issuePath(issueId, '/links'), schema: linksOnly }, caller),
    createIssue: (caller, idempotencyKey, issue) =>
      call({ method: 'POST', path: '/issues', body: issue, idempotencyKey, schema: issueOnly }, caller),
    updateIssue: (caller, idempotencyKey, issueId, projectId, changes) =>
      call(issueWrite('PATCH', { idempotencyKey, issueId, projectId }, '', changes, issueOnly), caller),
    moveIssue: (caller, idempotencyKey, issueId, projectId, stateId) =>
      call(issueWrite('POST', { idempotencyKey, issueId, projectId }, '/move', { state_id: stateId }, issueOnly), caller),
    addComment: (caller, idempotencyKey, issueId, projectId, html) =>
      call(issueWrite('POST', { idempotencyKey, issueId, projectId }, '/comments', { comment_html: html }, CommentResponse), caller),
    setLabels: (caller, idempotencyKey, issueId, projectId, labelIds) =>
      call(issueWrite('PUT', { idempotencyKey, issueId, projectId }, '/labels', { label_ids: labelIds }, issueOnly), caller),
    setAssignees: (caller, idempotencyKey, issueId, projectId, assigneeIds) =>
      call(issueWrite('PUT', { idempotencyKey, issueId, projectId }, '/assignees', { assignee_ids: assigneeIds }, issueOnly), caller),
    changeLabels: (caller, write, delta) =>
      call(issueWrite('PATCH', write, '/labels', { add_label_ids: delta.add, remove_label_ids: delta.remove }, issueOnly), caller),
    changeAssignees: (caller, write, delta) =>
      call(issueWrite('PATCH', write, '/assignees', { add_assignee_ids: delta.add, remove_assignee_ids: delta.remove }, issueOnly), caller),
    addRelation: (caller, write, type, relatedIssueId) =>
      call(issueWrite('POST', write, '/relations', { relation_type: type, related_issue_id: relatedIssueId }, relationsOnly), caller),
    removeRelation: (caller, write, type, relatedIssueId) =>
      call(issueWrite('POST', write, '/relations/remove', { relation_type: type, related_issue_id: relatedIssueId }, relationsOnly), caller),
    addLink: (caller, write, url, title) => call(issueWrite('POST', write, '/links', { url, title }, linksOnly), caller),
    removeLink: (caller, write, linkId) => call(issueWrite('POST', write, '/links/remove', { link_id: linkId }, linksOnly), caller),
    setCycle: (caller, write, cycleId) => call(issueWrite('PUT', write, '/cycle', { cycle_id: cycleId }, issueOnly), caller),
    changeModules: (caller, write, delta) =>
      call(issueWrite('PATCH', write, '/modules', { add_module_ids: delta.add, remove_module_ids: delta.remove }, issueOnly), caller),
    probe: async (signal) => {
      const requestId = `probe-${randomUUID()}`;
      const started = performance.now();
      const observed = (outcome: TaskerCallObservation['outcome'], status: number | null): TaskerCallObservation => ({
        operation: 'probe',
        requestId,
        outcome,
        status,
        attempts: 1,
        latencyMs: performance.now() - started,
        probe: true,
      });
      try {
        const caller = { agentId: PROBE_IDENTITY, ownerUserId: PROBE_IDENTITY, requestId };
        const result = await attempt({ method: 'GET', path: PROBE_PATH, schema: ProjectResponse }, caller, `${prefix}${PROBE_PATH}`, '', 1, signal);
        return observed('ok', result.status);
      } catch (error) {
        if (error instanceof TaskerCallError) return observed(error.code, error.taskerStatus);
        if (error instanceof RetryableFailure) return observed(error.code, error.status);
        return observed('INTERNAL_SERVER_ERROR', null);
      }
    },
    close: () => pool.close(),
  };
}

/**
 * The call as a bounded label: its method and path with the ids replaced (`PATCH /issues/:id/labels`),
 * so that logs and metrics group calls without carrying an id.
 */
function operationOf(spec: { method: string; path: string }): string {
  const template = READS_BY_POST.has(spec.path) ? spec.path : spec.path.replace(/^\/(issues|projects)\/[^/]+/, '/$1/:id');
  return `${spec.method} ${template}`;
}

/** The body as text, or null once it passes MAX_RESPONSE_BYTES (leaving the loop drops the rest). */
async function readBounded(body: AsyncIterable<Uint8Array>): Promise<string | null> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > MAX_RESPONSE_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const isSuccess = (status: number | null) => status !== null && status >= 200 && status < 300;

/** Failures that happen before a connection exists: the request never left, so nothing was applied. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function networkFailure(error: unknown): RetryableFailure {
  // undici names its own timeouts by code (UND_ERR_HEADERS_TIMEOUT, ...); the abort signal's is a
  // DOMException named TimeoutError whose numeric code means nothing here.
  const { code, name } = error as { code?: unknown; name?: unknown };
  const sent = !(typeof code === 'string' && NEVER_SENT.has(code));
  const timedOut = (typeof code === 'string' && code.includes('TIMEOUT')) || name === 'TimeoutError';
  if (timedOut) return new RetryableFailure('TASKER_TIMEOUT', 'Tasker did not answer in time', null, sent);
  return new RetryableFailure('TASKER_UNAVAILABLE', 'Tasker could not be reached (connection failed or was reset)', null, sent);
}

function mapTaskerError(status: number, error: { code: string; message: string; details?: Record<string, unknown> | undefined }, latencyMs: number): TaskerCallError {
  // Tasker's words reach a model, so they are cleaned like any Tasker text. Its details are
  // passed on only where they name the caller's own input (400); elsewhere they could name
  // things the agent may not see (the candidates of an ambiguous project search, say).
  const said = stripInvisible(error.message);
  const forward = (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
    new TaskerCallError(code, message, status, latencyMs, details);
  switch (status) {
    case 400:
      return forward('BAD_USER_INPUT', `Tasker refused the input: ${said}`, error.details);
    case 401:
      // The agent did nothing wrong: the gateway and Tasker disagree on signing. Operators must look.
      return forward('TASKER_REJECTED', 'Tasker refused the gateway’s signature; an operator must check TASKER_SIGNING_SECRET, TASKER_SIGNING_KEY_ID and clocks');
    case 403:
      return error.code === 'GUEST_READ_ONLY'
        ? forward('FORBIDDEN', 'in Tasker, the agent’s owner is a guest in this project; guests can read but not write', { reason: 'GUEST_OWNER' })
        : forward('FORBIDDEN', 'in Tasker, the agent’s owner is not a member of this project');
    case 404:
      return forward('NOT_FOUND', `Tasker: ${said}`);
    case 409:
      if (error.code === 'AMBIGUOUS_PROJECT') return forward('CONFLICT', 'several projects match; call list_projects and use the project id or identifier');
      if (error.code === 'DESCRIPTION_CHANGED') return forward('CONFLICT', 'the description changed since it was read; read the issue again, then write', { reason: 'DESCRIPTION_CHANGED' });
      return forward('CONFLICT', `Tasker: ${said}`);
    case 422:
      return forward('IDEMPOTENCY_KEY_REUSED', 'Tasker saw this idempotency key with a different request');
    default:
      return forward('TASKER_BAD_RESPONSE', `Tasker answered ${status} (${error.code})`);
  }
}
