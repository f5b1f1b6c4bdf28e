import * as projects from '../resolvers/agent/projects.js';
import type { LabelView, MemberView, ProjectContextView, ProjectView, StateView } from '../resolvers/agent/views.js';
import type { Page } from '../resolvers/pagination.js';
import { builder } from './builder.js';
import { MemberRoleEnum, StateGroupEnum } from './issues.js';
import { PageInfo, ScopeEnum, withoutNulls } from './scalars.js';

const Workspace = builder.objectRef<ProjectView['workspace']>('Workspace').implement({
  fields: (t) => ({ id: t.exposeID('id'), slug: t.exposeString('slug'), name: t.exposeString('name') }),
});

export const Project = builder.objectRef<ProjectView>('Project').implement({
  description: 'A Tasker project.',
  fields: (t) => ({
    id: t.exposeID('id'),
    identifier: t.exposeString('identifier', { description: 'Short key used in issue keys, e.g. DEMO in DEMO-12.' }),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    workspace: t.field({ type: Workspace, resolve: (project) => project.workspace }),
    ownerRole: t.field({ type: MemberRoleEnum, description: 'The owner’s role; a guest’s agent can read, not write.', resolve: (project) => project.ownerRole }),
  }),
});


const State = builder.objectRef<StateView>('State').implement({
  description: 'A workflow state of a project; moveIssue takes its id.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    group: t.field({ type: StateGroupEnum, resolve: (state) => state.group }),
    color: t.exposeString('color'),
    sequence: t.exposeFloat('sequence'),
    isDefault: t.exposeBoolean('isDefault', { description: 'New issues land here when no state is named.' }),
  }),
});

const Label = builder.objectRef<LabelView>('Label').implement({
  fields: (t) => ({ id: t.exposeID('id'), name: t.exposeString('name'), color: t.exposeString('color') }),
});

const Member = builder.objectRef<MemberView>('Member').implement({
  description: 'A project member; setIssueAssignees takes their userId.',
  fields: (t) => ({
    userId: t.exposeID('userId'),
    email: t.exposeString('email'),
    displayName: t.exposeString('displayName'),
    role: t.field({ type: MemberRoleEnum, resolve: (member) => member.role }),
  }),
});

const ProjectContext = builder.objectRef<ProjectContextView>('ProjectContext').implement({
  fields: (t) => ({
    project: t.field({ type: Project, resolve: (context) => context.project }),
    states: t.field({ type: [State], resolve: (context) => context.states }),
    labels: t.field({ type: [Label], resolve: (context) => context.labels }),
    members: t.field({ type: [Member], resolve: (context) => context.members }),
  }),
});

const GrantedProject = builder.objectRef<projects.GrantedProjectView>('GrantedProject').implement({
  fields: (t) => ({
    project: t.field({ type: Project, resolve: (granted) => granted.project }),
    scopes: t.field({ type: [ScopeEnum], description: 'What this agent may do in the project.', resolve: (granted) => granted.scopes }),
  }),
});

const GrantedProjectConnection = builder.objectRef<Page<projects.GrantedProjectView>>('GrantedProjectConnection').implement({
  fields: (t) => ({
    nodes: t.field({ type: [GrantedProject], resolve: (page) => page.nodes }),
    pageInfo: t.field({ type: PageInfo, resolve: (page) => page.pageInfo }),
  }),
});

builder.queryFields((t) => ({
  projects: t.field({
    type: GrantedProjectConnection,
    description: 'Agent: the Tasker projects this agent is granted (projects:read), with its scopes in each.',
    authScopes: { agentScope: 'projects:read' },
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: (_root, args, ctx) => projects.listProjects(ctx.deps, ctx, withoutNulls(args)),
  }),
  resolveProject: t.field({
    type: Project,
    description: 'Agent: finds a granted project by id, identifier (e.g. DEMO) or name.',
    authScopes: { agentScope: 'projects:read' },
    args: { query: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => projects.resolveProject(ctx.deps, ctx, args.query),
  }),
  projectContext: t.field({
    type: ProjectContext,
    description: 'Agent: a project with its states, labels and members.',
    authScopes: { agentScope: 'projects:read' },
    args: { projectId: t.arg.id({ required: true, description: 'Project id or identifier (e.g. DEMO).' }) },
    resolve: (_root, args, ctx) => projects.projectContext(ctx.deps, ctx, String(args.projectId)),
  }),
}));
