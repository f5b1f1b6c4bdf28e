import { GatewayError } from '../errors/gateway-error.js';
import type { TaskerClient } from './client.js';

/** Stands in when no TASKER_URL is set (lifecycle-only deployments): every tool call says so. */
export function unconfiguredTasker(): TaskerClient {
  const refuse = async (): Promise<never> => {
    throw new GatewayError('TASKER_UNAVAILABLE', 'this gateway has no Tasker configured (TASKER_URL is not set)');
  };
  return {
    resolveProject: refuse,
    projectContext: refuse,
    listIssues: refuse,
    getIssue: refuse,
    createIssue: refuse,
    updateIssue: refuse,
    moveIssue: refuse,
    addComment: refuse,
    setLabels: refuse,
    setAssignees: refuse,
    close: async () => {},
  };
}
