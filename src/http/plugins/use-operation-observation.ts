import { defaultExtractPersistedOperationId } from '@graphql-yoga/plugin-persisted-operations';
import { getOperationAST, Kind } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Logger } from '../../logging/logger.js';
import { noteOperation } from '../../observability/request-observation.js';
import { requestIdOf } from '../request-context.js';

export interface OperationObservationOptions {
  /** Persisted operation id → its name (the MCP manifest). */
  operationNames: Readonly<Record<string, string>>;
  logger: Logger;
}

/**
 * Names the GraphQL operation of a request for its access log line and metrics, from a bounded
 * set only: a persisted operation's own name (never the name a caller typed), `unknown_persisted`
 * for an id the gateway does not hold, and for a document a Launcher or operator sends, its type
 * and first root field (`query me`), which exist in the schema once the document has validated.
 * A document that never reaches execution stays unnamed.
 *
 * At debug it also logs what a caller was told when its operation failed, so an operator can see
 * why an agent's calls fail; the messages quote the caller's input, so they travel in
 * `graphqlError`, which LOG_REDACT_AGENT_TEXT covers.
 */
export function useOperationObservation(options: OperationObservationOptions): Plugin {
  return {
    onParams({ params, request, context }) {
      const id = defaultExtractPersistedOperationId(params, request, context as Record<string, unknown>);
      if (id !== null) noteOperation(requestIdOf(request), options.operationNames[id] ?? 'unknown_persisted');
    },
    onExecute({ args }) {
      const requestId = (args.contextValue as { meta?: { requestId?: string } }).meta?.requestId;
      if (requestId === undefined) return;
      const operation = getOperationAST(args.document, args.operationName);
      const first = operation?.selectionSet.selections[0];
      if (!operation || first?.kind !== Kind.FIELD) return noteOperation(requestId, 'other');
      const more = operation.selectionSet.selections.length > 1 ? ' +' : '';
      noteOperation(requestId, `${operation.operation} ${first.name.value}${more}`);
      return {
        onExecuteDone({ result }) {
          if (isAsyncIterable(result) || !result.errors?.length) return;
          options.logger.debug('GraphQL operation answered with errors', {
            requestId,
            codes: result.errors.map((error) => error.extensions['code'] ?? null),
            graphqlError: result.errors.map((error) => error.message),
          });
        },
      };
    },
  };
}
