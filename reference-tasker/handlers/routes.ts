import { addComment } from './comments.js';
import { getIssue, listIssues } from './issues-read.js';
import { createIssue, moveIssue, setIssueAssignees, setIssueLabels, updateIssueFields } from './issues-write.js';
import { projectContext, resolveProject } from './projects.js';
import type { Route } from './route.js';

/** Every endpoint of the contract, paths relative to the base path. */
export const ROUTES: readonly Route[] = [
  resolveProject,
  projectContext,
  listIssues,
  getIssue,
  createIssue,
  updateIssueFields,
  moveIssue,
  addComment,
  setIssueLabels,
  setIssueAssignees,
];
