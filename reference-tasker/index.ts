import type { AddressInfo } from 'node:net';
import { ensureProject, ensureWorkspace, setMembership, type EnsuredProject, type LabelSpec, type StateSpec } from './admin.js';
import { BASE_PATH, type MemberRole } from './contract.js';
import { ROUTES } from './handlers/routes.js';
import { derivedKeyId, type SigningKeys } from './auth/signature.js';
import { Router } from './http/router.js';
import { createHttpServer } from './http/server.js';
import { startJanitor } from './janitor.js';
import { DEMO_WORKSPACE, seedDemoWorkspace } from './seed.js';
import { openStorage } from './storage/open.js';
import type { Sql } from './storage/sql.js';
import { listActivity, type ActivityRow } from './store/activity.js';
import { upsertUser, type User } from './store/users.js';

export { BASE_PATH } from './contract.js';
export type {
  ActivityAction,
  Comment,
  Issue,
  IssuePriority,
  Label,
  Member,
  MemberRole,
  Project,
  State,
  StateGroup,
} from './contract.js';
export type { ErrorCode, ErrorEnvelope } from './errors.js';
export { DEMO_IDS, DEMO_USERS, DEMO_WORKSPACE, seedDemoWorkspace } from './seed.js';
export { DEFAULT_LABELS, DEFAULT_STATES } from './admin.js';
export type { EnsuredProject, LabelSpec, StateSpec } from './admin.js';
export type { Sql, SqlExecutor, SqlParam } from './storage/sql.js';
export type { ActivityRow } from './store/activity.js';
export type { User } from './store/users.js';

export const MIN_SECRET_LENGTH = 32;

export interface ReferenceTaskerOptions {
  /** 0 picks a free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The shared HMAC secret; at least 32 characters. */
  signingSecret: string;
  /** Its key id (X-NodeDC-Key-Id); default: derived from the secret, as the contract says. */
  signingKeyId?: string | undefined;
  /** The secret being rotated out, accepted beside the current one until it is removed. */
  previousSigningKey?: { id?: string | undefined; secret: string } | undefined;
  /** Real Postgres; without it PGlite is used. */
  databaseUrl?: string;
  /** PGlite data directory; without it PGlite keeps everything in memory. */
  dataDir?: string;
  /**
   * In-memory PGlite: start from this dump of a data directory (PGlite's `dumpDataDir`) instead of
   * running initdb; the schema and the seed are still applied as usual. Tests use it to start faster.
   */
  loadDataDir?: Blob;
  /** Seed the demo workspace (idempotent). Default true. */
  seed?: boolean;
  /** The server clock in unix milliseconds; tests move it to exercise staleness and expiry. */
  now?: () => number;
  /** Receives one line per request and any internal error. Never given secrets or signatures. */
  log?: (line: string) => void;
}

export interface NewProject {
  identifier: string;
  name: string;
  description?: string | null;
  members: readonly { userId: string; role: MemberRole }[];
  /** Default: the demo workspace. */
  workspaceId?: string;
  states?: readonly StateSpec[];
  labels?: readonly LabelSpec[];
}

export interface ReferenceTasker {
  /** The origin, e.g. http://127.0.0.1:4200 (the API lives under BASE_PATH). */
  url: string;
  /** `url` + BASE_PATH. */
  apiUrl: string;
  sql: Sql;
  /** The activity log, oldest first. */
  activity(): Promise<ActivityRow[]>;
  addUser(user: User): Promise<void>;
  /** Creates a project (with the default states and labels unless given) or returns the existing one. */
  addProject(project: NewProject): Promise<EnsuredProject>;
  /** Adds, changes (role) or, with null, removes a membership. */
  setMember(projectId: string, userId: string, role: MemberRole | null): Promise<void>;
  close(): Promise<void>;
}

function originOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

function signingKeys(options: ReferenceTaskerOptions): SigningKeys {
  const configured = [
    { id: options.signingKeyId, secret: options.signingSecret },
    ...(options.previousSigningKey ? [options.previousSigningKey] : []),
  ];
  const keys = new Map<string, string>();
  for (const { id = undefined, secret } of configured) {
    if (secret.length < MIN_SECRET_LENGTH) throw new Error(`the signing secret must be at least ${MIN_SECRET_LENGTH} characters`);
    const keyId = id ?? derivedKeyId(secret);
    if (!KEY_ID.test(keyId)) throw new Error('a signing key id must be 1 to 64 letters, digits, ".", "_" or "-"');
    if (keys.has(keyId)) throw new Error(`two signing secrets share the key id "${keyId}"`);
    keys.set(keyId, secret);
  }
  return keys;
}

export async function startReferenceTasker(options: ReferenceTaskerOptions): Promise<ReferenceTasker> {
  const keys = signingKeys(options);
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const sql = await openStorage({ databaseUrl: options.databaseUrl, dataDir: options.dataDir, loadDataDir: options.loadDataDir });

  let url: string;
  const server = createHttpServer({ sql, keys, router: new Router(ROUTES), now, log });
  try {
    if (options.seed ?? true) await seedDemoWorkspace(sql);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the server is not listening on TCP');
    url = originOf(address);
  } catch (error) {
    server.close();
    await sql.close();
    throw error;
  }
  const stopJanitor = startJanitor(sql, now, log);

  let closing: Promise<void> | undefined;
  return {
    url,
    apiUrl: `${url}${BASE_PATH}`,
    sql,
    activity: () => listActivity(sql),
    addUser: (user) => upsertUser(sql, user),
    addProject: (project) =>
      sql.transaction(async (tx) => {
        const workspaceId = project.workspaceId ?? (await ensureWorkspace(tx, DEMO_WORKSPACE));
        return ensureProject(tx, { ...project, workspaceId });
      }),
    setMember: (projectId, userId, role) => setMembership(sql, projectId, userId, role),
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await stopJanitor();
        await sql.close();
      })();
      return closing;
    },
  };
}
