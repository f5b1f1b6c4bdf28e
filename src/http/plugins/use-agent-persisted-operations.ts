import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { Plugin } from 'graphql-yoga';
import { looksLikeAgentToken } from '../../auth/agent-token.js';

/**
 * Agents may run only the persisted operations (the MCP tools), never an arbitrary document —
 * introspection included. The Launcher and operators may run anything their principal allows.
 * Whether a request is an agent's is read from the token's fixed prefix, without a lookup: a
 * request that merely looks like an agent's is held to the stricter rule, which is safe.
 */
export function useAgentPersistedOperations(persistedOperations: Readonly<Record<string, string>>): Plugin {
  return usePersistedOperations({
    getPersistedOperation: (id) => persistedOperations[id] ?? null,
    allowArbitraryOperations: (request) => {
      const bearer = /^Bearer\s+(\S+)/i.exec(request.headers.get('authorization') ?? '')?.[1];
      return bearer === undefined || !looksLikeAgentToken(bearer);
    },
    customErrors: {
      notFound: {
        message: 'no persisted operation has this id; the tool list may be out of date',
        extensions: { code: 'PERSISTED_OPERATION_NOT_FOUND', http: { status: 400 } },
      },
      persistedQueryOnly: {
        message: 'agent tokens may run only the gateway’s persisted operations (its MCP tools), see docs/MCP_TOOLS_CONTRACT.md',
        extensions: { code: 'PERSISTED_OPERATION_ONLY', http: { status: 403 } },
      },
      keyNotFound: {
        message: 'send a persisted operation id in extensions.persistedQuery.sha256Hash',
        extensions: { code: 'PERSISTED_OPERATION_ONLY', http: { status: 403 } },
      },
    },
  });
}
