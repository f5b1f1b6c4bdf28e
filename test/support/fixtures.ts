import { expect } from 'vitest';
import { graphql, runOperation, type GraphQLResult, type TestGateway } from './gateway.js';

/** Small GraphQL steps the suites share; each asserts it succeeded so a broken step fails loudly. */
export async function createAgent(gateway: Pick<TestGateway, 'url'>, token: string, displayName = 'Local Codex'): Promise<string> {
  const result = await graphql<{ createAgent: { id: string } }>(
    gateway,
    'mutation($input: CreateAgentInput!) { createAgent(input: $input) { id } }',
    { token, variables: { input: { displayName } } },
  );
  expect(result.errors).toBeUndefined();
  return result.data!.createAgent.id;
}

export async function setGrant(
  gateway: Pick<TestGateway, 'url'>,
  token: string,
  agentId: string,
  projectId: string,
  scopes: string[],
): Promise<void> {
  const result = await graphql(
    gateway,
    'mutation($input: SetGrantInput!) { setGrant(input: $input) { projectId scopes } }',
    { token, variables: { input: { agentId, projectId, scopes } } },
  );
  expect(result.errors).toBeUndefined();
}

export async function createToken(
  gateway: Pick<TestGateway, 'url'>,
  token: string,
  agentId: string,
  options: { name?: string; scopes?: string[]; expiresInDays?: number } = {},
): Promise<{ secret: string; id: string }> {
  const result = await graphql<{ createToken: { secret: string; token: { id: string } } }>(
    gateway,
    'mutation($input: CreateTokenInput!) { createToken(input: $input) { secret token { id } } }',
    { token, variables: { input: { agentId, name: options.name ?? 'test token', ...options } } },
  );
  expect(result.errors).toBeUndefined();
  return { secret: result.data!.createToken.secret, id: result.data!.createToken.token.id };
}

export interface AgentSessionData {
  agentSession: {
    agent: { id: string; displayName: string };
    owner: { userId: string; email: string };
    scopes: string[];
    grants: { projectId: string; scopes: string[] }[];
  };
}

/** The agent's view of itself, through its persisted operation. */
export const agentSession = (gateway: { url: string }, token: string): Promise<GraphQLResult<AgentSessionData>> =>
  runOperation<AgentSessionData>(gateway, 'GetAgentSession', { token });

/** The newest audit event of an agent for an action, as the gateway stored it. */
export function latestAuditEvent(gateway: Pick<TestGateway, 'db'>, agentId: string, action: string) {
  return gateway.db
    .selectFrom('audit_events')
    .selectAll()
    .where('agent_id', '=', agentId)
    .where('action', '=', action)
    .orderBy('occurred_at', 'desc')
    .executeTakeFirstOrThrow();
}

/**
 * Moves the gateway's clock a second into a fresh audit repeat window (AUDIT_REPEAT_WINDOW_SECONDS),
 * so the repeats a test makes never straddle two windows. Forward only: a Launcher JWT minted now
 * stays valid (its `iat` is not in the gateway's future).
 */
export function enterFreshRepeatWindow(gateway: Pick<TestGateway, 'clock'>, windowSeconds: number): void {
  const windowMs = windowSeconds * 1000;
  gateway.clock.offsetMs = windowMs - (Date.now() % windowMs) + 1000;
}
