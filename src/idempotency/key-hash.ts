import { sha256Hex } from '../tasker/signing.js';

/**
 * What the gateway stores and records in place of an idempotency key: SHA-256 over a domain
 * label, the agent's id and the key. The key is agent-written text (it could hold anything an
 * agent pastes), so it never rests in the database or the audit log as written; scoping the hash
 * to the agent keeps one agent's key from matching another's. Migration 0008 computes the same
 * value in SQL for the rows it converts, so the two must change together (they never should).
 */
export function idempotencyKeyHash(agentId: string, key: string): string {
  return sha256Hex(`idempotency-key\n${agentId}\n${key}`);
}
