import { type Scope, sortScopes } from '../auth/scopes.js';
import type { ToolManifest } from '../mcp/tool-manifest.js';
import { runPersistedOperation } from './gateway-client.js';

export interface SessionView {
  agent: { id: string; displayName: string };
  owner: { userId: string; email: string };
  scopes: Scope[];
  grants: { projectId: string; scopes: Scope[] }[];
}

/** GraphQL enum names (ISSUES_READ) back to scopes (issues:read). */
export const toScopes = (names: string[]): Scope[] => sortScopes(names.map((name) => name.toLowerCase().replace('_', ':')));

export type SessionResult = { ok: true; session: SessionView } | { ok: false; code: string; message: string };

/** The agent's own view of itself, through the same persisted operation as the get_agent_session tool. */
export async function fetchSession(gateway: string, token: string, manifest: ToolManifest): Promise<SessionResult> {
  const tool = manifest.tools.find((candidate) => candidate.operationName === 'GetAgentSession');
  if (!tool) throw new Error('the tool manifest has no GetAgentSession operation');
  const answer = await runPersistedOperation(gateway, token, tool, {});
  const error = answer.errors?.[0];
  if (error || !answer.data) return { ok: false, code: error?.extensions?.code ?? 'ERROR', message: error?.message ?? 'no answer' };
  const raw = answer.data.agentSession as Omit<SessionView, 'scopes' | 'grants'> & {
    scopes: string[];
    grants: { projectId: string; scopes: string[] }[];
  };
  return {
    ok: true,
    session: {
      agent: raw.agent,
      owner: raw.owner,
      scopes: toScopes(raw.scopes),
      grants: raw.grants.map((grant) => ({ projectId: grant.projectId, scopes: toScopes(grant.scopes) })),
    },
  };
}
