import { defaultExtractPersistedOperationId, usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { recordAudit } from '../../audit/audit-log.js';
import { namedProjectOf } from '../../audit/named-project.js';
import type { Authenticator } from '../../auth/authenticate.js';
import { looksLikeAgentToken } from '../../auth/agent-token.js';
import type { Db } from '../../db/database.js';
import { type NodeServerContext, resolveCallContext } from '../request-context.js';

/**
 * Agents may run only the persisted operations (the MCP tools), never an arbitrary document —
 * introspection included. The Launcher and operators may run anything their principal allows.
 * Whether a request is an agent's is read from the token's fixed prefix, without a lookup: a
 * request that merely looks like an agent's is held to the stricter rule, which is safe.
 */
const agentBearer = (request: Request) => {
  const bearer = /^Bearer\s+(\S+)/i.exec(request.headers.get('authorization') ?? '')?.[1];
  return bearer !== undefined && looksLikeAgentToken(bearer);
};

export interface AgentPersistedOperationsOptions {
  persistedOperations: Readonly<Record<string, string>>;
  /** For the audit event of a refused document: who sent it. */
  db: Db;
  authenticator: Authenticator;
  trustProxy: boolean;
}

export function useAgentPersistedOperations(options: AgentPersistedOperationsOptions): Plugin {
  const gate = usePersistedOperations({
    getPersistedOperation: (id) => options.persistedOperations[id] ?? null,
    allowArbitraryOperations: (request) => !agentBearer(request),
    customErrors: {
      notFound: {
        message: 'no persisted operation has this id; the tool list may be out of date',
        extensions: { code: 'PERSISTED_OPERATION_NOT_FOUND', http: { status: 400 } },
      },
      persistedQueryOnly: {
        message: 'agent tokens may run only the gateway’s persisted operations (its MCP tools), see docs/MCP_TOOLS_CONTRACT.md',
        extensions: { code: 'PERSISTED_OPERATION_ONLY', http: { status: 403 } },
      },
      // A request with neither a document nor an id: for an agent it is a refusal of the rule
      // above; anyone else simply sent an unusable request (400, as GraphQL over HTTP says).
      keyNotFound: ({ request }) =>
        agentBearer(request)
          ? createGraphQLError('send a persisted operation id in extensions.persistedQuery.sha256Hash', {
              extensions: { code: 'PERSISTED_OPERATION_ONLY', http: { status: 403 } },
            })
          : createGraphQLError('a GraphQL request needs a document in `query`', { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } }),
    },
  });

  // The gate refuses before any principal exists, so the audit plugin never sees these calls;
  // a document an agent sends is recorded here, under the agent, before the gate refuses it.
  const auditRefusedDocument: Plugin = {
    async onParams({ params, request, context }) {
      if (!agentBearer(request)) return;
      const id = defaultExtractPersistedOperationId(params, request, context as Record<string, unknown>);
      if (id !== null && options.persistedOperations[id] !== undefined) return;
      const ctx = await resolveCallContext(request, context as NodeServerContext, { authenticator: options.authenticator, trustProxy: options.trustProxy });
      if (ctx.principal.kind !== 'agent') return;
      await recordAudit(options.db, ctx.principal, ctx.meta, {
        action: 'agent.graphql',
        outcome: 'denied',
        reason: id === null ? 'PERSISTED_OPERATION_ONLY: sent a document, not a persisted operation id' : 'PERSISTED_OPERATION_NOT_FOUND: unknown persisted operation id',
        ownerUserId: ctx.principal.ownerUserId,
        details: { ...namedProjectOf(params.variables) },
      });
    },
  };

  return {
    onPluginInit: ({ addPlugin }) => {
      addPlugin(auditRefusedDocument);
      addPlugin(gate);
    },
  };
}
