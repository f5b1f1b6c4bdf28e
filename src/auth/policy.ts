import type { AgentRow } from '../db/tables.js';
import type { LauncherPrincipal } from './principal.js';

/**
 * Who may touch an agent. The single rule behind both the Pothos scope (`agentAccess`) and the
 * services used by REST: owners manage their own agents; admins may read everyone's but manage
 * only their own.
 */
export type AgentAccess = 'read' | 'manage';

export type AccessDecision = { allowed: true } | { allowed: false; reason: string };

export function decideAgentAccess(principal: LauncherPrincipal, agent: Pick<AgentRow, 'owner_user_id'>, access: AgentAccess): AccessDecision {
  if (agent.owner_user_id === principal.userId) return { allowed: true };
  if (access === 'read' && principal.role === 'admin') return { allowed: true };
  return {
    allowed: false,
    reason:
      access === 'read'
        ? 'this agent belongs to another user'
        : 'only the owner of this agent can change it',
  };
}
