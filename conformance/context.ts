import { randomBytes } from 'node:crypto';
import { signingKey } from '../src/tasker/signing.js';
import { AdapterClient } from './client.js';
import { ensure, expectOk } from './expect.js';
import {
  ContextResponse,
  IssueResponse,
  ResolveResponse,
  type Issue,
  type Project,
  type ProjectContext,
  type State,
} from './schemas.js';

export interface ConformanceOptions {
  /** Where the adapter is served; the base path is appended to it. */
  taskerUrl: string;
  secret: string;
  /** The id Tasker knows `secret` by; default: derived from the secret, as the contract says. */
  keyId?: string | undefined;
  /** A second key Tasker accepts (a rotation in progress); the rotation check runs only with it. */
  previousKey?: { id?: string | undefined; secret: string } | undefined;
  /** The owner the checks act for; must be a member of `project` (and of `secondProject`). */
  ownerUserId: string;
  agentId: string;
  /** Identifier, name or id of a project the owner is a member of; checks create issues in it. */
  project: string;
  /** A project the owner is NOT a member of. */
  outsiderProject: string;
  /** A member of `outsiderProject`, used only to find its id and to create one issue in it. */
  outsiderMemberUserId: string;
  /** Optional second project of the owner, to prove that writes naming the wrong project are refused. */
  secondProject?: string | undefined;
  /** A user who is a guest (Plane role 5) in `project`: guests write nothing and are never assignees. */
  guestUserId: string;
}

/** A project as the owner sees it, with the pieces checks build on. */
export interface ProjectFixture extends ProjectContext {
  /** Where a new issue lands without a state_id: the project's default state. */
  defaultState: State;
  /** A state other than the default, to move issues into. */
  otherState: State;
}

export interface ConformanceContext {
  options: ConformanceOptions;
  client: AdapterClient;
  /** Unique per run, so that every title a run creates can be found by search and nothing else. */
  runId: string;
  /** A fresh token for titles that a check searches for. */
  token(label: string): string;
  project(): Promise<ProjectFixture>;
  outsiderProject(): Promise<ProjectContext>;
  /** An issue in the outsider project, created as its member. */
  outsiderIssue(): Promise<Issue>;
  /** The second project as the owner sees it, or null when none was named. */
  secondProject(): Promise<ProjectContext | null>;
  /** Creates an issue in the main project (201 asserted) with the given extra fields. */
  createIssue(fields?: Record<string, unknown>): Promise<Issue>;
}

function memo<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load().catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}

export function createConformanceContext(options: ConformanceOptions): ConformanceContext {
  const client = new AdapterClient(options.taskerUrl, signingKey(options.secret, options.keyId), {
    agentId: options.agentId,
    ownerUserId: options.ownerUserId,
  });
  const runId = randomBytes(4).toString('hex');
  let tokens = 0;

  async function resolve(query: string, ownerUserId: string, what: string): Promise<Project> {
    const response = await client.call('POST', '/projects/resolve', { body: { query }, as: { ownerUserId } });
    return expectOk(response, 200, ResolveResponse, `${what}: resolving "${query}" as ${ownerUserId}`).project;
  }

  async function contextOf(projectId: string, ownerUserId: string, what: string): Promise<ProjectContext> {
    const response = await client.call('GET', `/projects/${encodeURIComponent(projectId)}/context`, { as: { ownerUserId } });
    return expectOk(response, 200, ContextResponse, `${what}: project context`);
  }

  const project = memo(async (): Promise<ProjectFixture> => {
    const found = await resolve(options.project, options.ownerUserId, 'main project');
    const context = await contextOf(found.id, options.ownerUserId, 'main project');
    const defaultState = context.states.find((state) => state.id === context.project.default_state_id);
    const otherState = context.states.find((state) => state !== defaultState && state.group !== 'triage');
    ensure(
      defaultState !== undefined && otherState !== undefined,
      `project ${options.project} needs at least two states for the checks`,
    );
    ensure(context.labels.length >= 2, `project ${options.project} needs at least two labels for the checks`);
    ensure(
      context.members.some((member) => member.user_id === options.ownerUserId),
      `project ${options.project}: the owner ${options.ownerUserId} is not among its members`,
    );
    return { ...context, defaultState, otherState };
  });

  const outsiderProject = memo(async () => {
    const found = await resolve(options.outsiderProject, options.outsiderMemberUserId, 'outsider project');
    return contextOf(found.id, options.outsiderMemberUserId, 'outsider project');
  });

  const outsiderIssue = memo(async () => {
    const outsider = await outsiderProject();
    const response = await client.call('POST', '/issues', {
      body: { project_id: outsider.project.id, title: `[conformance ${runId}] outsider-only issue` },
      as: { ownerUserId: options.outsiderMemberUserId },
    });
    return expectOk(response, 201, IssueResponse, 'creating an issue in the outsider project as its member').issue;
  });

  const secondProject = memo(async () => {
    if (options.secondProject === undefined) return null;
    const found = await resolve(options.secondProject, options.ownerUserId, 'second project');
    return contextOf(found.id, options.ownerUserId, 'second project');
  });

  return {
    options,
    client,
    runId,
    token(label) {
      tokens += 1;
      return `cf${runId}x${tokens}${label.replace(/[^a-z0-9]/gi, '').toLowerCase()}`;
    },
    project,
    outsiderProject,
    outsiderIssue,
    secondProject,
    async createIssue(fields = {}) {
      const { project: main } = await project();
      const body = { project_id: main.id, title: `[conformance ${runId}] issue`, ...fields };
      return expectOk(await client.call('POST', '/issues', { body }), 201, IssueResponse, 'creating an issue').issue;
    },
  };
}
