import { randomUUID } from 'node:crypto';
import { signedHeaders } from '../../src/tasker/signing.js';

/**
 * Signed reads straight from a Tasker, as a given agent for a given owner: how a test checks what
 * Tasker really holds, without trusting the gateway's own read path.
 */
export interface TaskerCaller {
  agentId: string;
  ownerUserId: string;
}

export type TaskerRead = <T = Record<string, unknown>>(pathWithQuery: string, caller?: TaskerCaller) => Promise<T>;

/** The seeded owner, reading as a test-only agent id (Tasker records agents, it does not know them). */
export const TEST_READER: TaskerCaller = { agentId: 'test-reader', ownerUserId: 'local-user' };

export function taskerReader(origin: string, signingSecret: string): TaskerRead {
  return async <T>(pathWithQuery: string, caller: TaskerCaller = TEST_READER): Promise<T> => {
    const headers = signedHeaders(signingSecret, { method: 'GET', pathWithQuery, ...caller, body: '', requestId: randomUUID() });
    const response = await fetch(new URL(pathWithQuery, origin), { headers: { ...headers, accept: 'application/json' } });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`Tasker answered GET ${pathWithQuery} with ${response.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };
}
