import type { Project } from '../contract.js';
import { ApiError, forbidden, notFound } from '../errors.js';
import type { SqlExecutor } from '../storage/sql.js';
import { issueProjectId, lockIssueProjectId } from '../store/issues.js';
import { findProject } from '../store/projects.js';

/** The membership rule: the owner may act in a project only while they are a member of it. */
export async function requireMemberProject(db: SqlExecutor, projectId: string, ownerUserId: string): Promise<Project> {
  const { project, exists } = await findProject(db, projectId, ownerUserId);
  if (!exists) throw notFound('project not found');
  if (project === null) throw forbidden('the owner user is not a member of this project');
  return project;
}

/** Plane's guests read but do not write: every write on a guest owner's behalf is refused. */
export function requireWriter(project: Project): Project {
  if (project.owner_role === 'guest') {
    throw new ApiError('GUEST_READ_ONLY', 'the owner user is a guest in this project; guests cannot write');
  }
  return project;
}

/** The project of an issue addressed by id alone, after checking that the owner may see it. */
export async function requireReadableIssue(db: SqlExecutor, issueId: string, ownerUserId: string): Promise<Project> {
  const projectId = await issueProjectId(db, issueId);
  if (projectId === null) throw notFound('issue not found');
  return requireMemberProject(db, projectId, ownerUserId);
}

/**
 * Guards an issue-addressed write. `projectId` is the project the gateway authorized; if the
 * issue is elsewhere (or was moved since) the write must not happen, and a 404 says so without
 * revealing where the issue is. The issue row stays locked until the transaction ends.
 */
export async function requireWritableIssue(
  db: SqlExecutor,
  issueId: string,
  projectId: string,
  ownerUserId: string,
): Promise<Project> {
  const project = requireWriter(await requireMemberProject(db, projectId, ownerUserId));
  if ((await lockIssueProjectId(db, issueId)) !== projectId) throw notFound('issue not found in this project');
  return project;
}
