import { ApiError, notFound } from '../errors.js';
import { ResolveProjectBody } from '../schemas.js';
import { listLabels, listMemberProjects, listMembers, listStates } from '../store/projects.js';
import { requireMemberProject } from './access.js';
import { parseWith } from './parse.js';
import { matchProjects } from './project-matching.js';
import { pathParam, type ReadRoute } from './route.js';

/** POST /projects/resolve: a read, although it is a POST (the query travels in the body). */
export const resolveProject: ReadRoute = {
  kind: 'read',
  method: 'POST',
  path: '/projects/resolve',
  takesBody: true,
  async handle(request, db) {
    const { query } = parseWith(ResolveProjectBody, request.body, 'request body');
    const match = matchProjects(await listMemberProjects(db, request.actor.ownerUserId), query);
    switch (match.kind) {
      case 'one':
        return { status: 200, body: { project: match.project } };
      case 'none':
        throw notFound('no project of the owner matches the query');
      case 'many':
        throw new ApiError('AMBIGUOUS_PROJECT', 'several projects match the query', { candidates: match.candidates });
    }
  },
};

/** One project as the owner sees it, with their role and the project's defaults for new issues. */
export const getProject: ReadRoute = {
  kind: 'read',
  method: 'GET',
  path: '/projects/:projectId',
  takesBody: false,
  async handle(request, db) {
    const project = await requireMemberProject(db, pathParam(request, 'projectId'), request.actor.ownerUserId);
    return { status: 200, body: { project } };
  },
};

export const projectContext: ReadRoute = {
  kind: 'read',
  method: 'GET',
  path: '/projects/:projectId/context',
  takesBody: false,
  async handle(request, db) {
    const project = await requireMemberProject(db, pathParam(request, 'projectId'), request.actor.ownerUserId);
    const states = await listStates(db, project.id);
    const labels = await listLabels(db, project.id);
    const members = await listMembers(db, project.id);
    return { status: 200, body: { project, states, labels, members } };
  },
};
