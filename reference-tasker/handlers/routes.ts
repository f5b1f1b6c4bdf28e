import { addComment, listIssueComments } from './comments.js';
import { listIssueActivity } from './history.js';
import { getIssue, listIssues, searchIssues } from './issues-read.js';
import {
  changeIssueAssignees,
  changeIssueLabels,
  createIssue,
  moveIssue,
  setIssueAssignees,
  setIssueLabels,
  updateIssueFields,
} from './issues-write.js';
import { addIssueLink, listIssueLinks, removeIssueLink } from './links.js';
import { changeIssueModulesRoute, listProjectCycles, listProjectModules, setIssueCycleRoute } from './planning.js';
import { getProject, projectContext, resolveProject } from './projects.js';
import { addIssueRelation, listIssueRelations, removeIssueRelation } from './relations.js';
import type { Route } from './route.js';

/** Every endpoint of the contract, paths relative to the base path. */
export const ROUTES: readonly Route[] = [
  resolveProject,
  getProject,
  projectContext,
  listProjectCycles,
  listProjectModules,
  listIssues,
  searchIssues,
  getIssue,
  createIssue,
  updateIssueFields,
  moveIssue,
  listIssueComments,
  addComment,
  listIssueActivity,
  setIssueLabels,
  changeIssueLabels,
  setIssueAssignees,
  changeIssueAssignees,
  listIssueRelations,
  addIssueRelation,
  removeIssueRelation,
  listIssueLinks,
  addIssueLink,
  removeIssueLink,
  setIssueCycleRoute,
  changeIssueModulesRoute,
];
