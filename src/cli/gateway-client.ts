import { request } from 'undici';
import type { GraphQLAnswer } from '../mcp/tool-results.js';
import type { ToolDefinition } from '../mcp/tool-manifest.js';

/**
 * The CLI's only way to the gateway: GraphQL over HTTP. Agent calls are persisted operations by
 * id, exactly as the gateway's own MCP endpoint runs them.
 */
export class GatewayUnreachable extends Error {}

const TIMEOUT_MS = 30_000;

/** Keeps a path prefix in the gateway address (a gateway behind a proxy at /tasker-agent/, say). */
export const gatewayEndpoint = (gateway: string, path: string) => new URL(path, gateway.endsWith('/') ? gateway : `${gateway}/`);

async function postGraphQL(gateway: string, body: unknown, token?: string): Promise<{ status: number; answer: GraphQLAnswer }> {
  try {
    const response = await request(gatewayEndpoint(gateway, 'graphql'), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
    return { status: response.statusCode, answer: (await response.body.json()) as GraphQLAnswer };
  } catch (error) {
    throw new GatewayUnreachable(`the gateway at ${gateway} could not be reached (${(error as Error).message})`);
  }
}

export async function runPersistedOperation(
  gateway: string,
  token: string,
  tool: Pick<ToolDefinition, 'operationName' | 'operationId'>,
  variables: Record<string, unknown>,
): Promise<GraphQLAnswer> {
  const { answer } = await postGraphQL(
    gateway,
    { operationName: tool.operationName, variables, extensions: { persistedQuery: { version: 1, sha256Hash: tool.operationId } } },
    token,
  );
  return answer;
}

const EXCHANGE = `mutation Pair($input: ExchangePairingCodeInput!) {
  exchangePairingCode(input: $input) {
    secret
    agent { id displayName }
    owner { userId email }
    grants { projectId scopes }
    token { expiresAt scopes }
  }
}`;

export interface PairingAnswer {
  secret: string;
  agent: { id: string; displayName: string };
  owner: { userId: string; email: string };
  grants: { projectId: string; scopes: string[] }[];
  token: { expiresAt: string; scopes: string[] };
}

export async function exchangePairingCode(gateway: string, code: string, tokenName: string): Promise<PairingAnswer> {
  const { answer } = await postGraphQL(gateway, { query: EXCHANGE, variables: { input: { code, tokenName } } });
  const error = answer.errors?.[0];
  if (error || !answer.data) throw new Error(`${error?.extensions?.code ?? 'ERROR'}: ${error?.message ?? 'no answer'}`);
  return answer.data.exchangePairingCode as PairingAnswer;
}

/** What /readyz says of Tasker, as the gateway's own calls found it. */
export interface TaskerReport {
  status: string;
  lastSuccessAt: string | null;
  lastError: { code: string; status: number | null; at: string } | null;
}

export async function checkHealth(gateway: string): Promise<{ healthy: boolean; ready: boolean; tasker: TaskerReport | undefined }> {
  const probe = async (path: string) => {
    try {
      const response = await request(gatewayEndpoint(gateway, path), { headersTimeout: 5_000, bodyTimeout: 5_000 });
      const body = (await response.body.json().catch(() => undefined)) as { checks?: { tasker?: TaskerReport } } | undefined;
      return { ok: response.statusCode === 200, body };
    } catch {
      return { ok: false, body: undefined };
    }
  };
  const [health, ready] = [await probe('healthz'), await probe('readyz')];
  return { healthy: health.ok, ready: ready.ok, tasker: ready.body?.checks?.tasker };
}
