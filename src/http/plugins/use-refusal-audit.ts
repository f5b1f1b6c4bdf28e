import { getOperationAST, GraphQLError, Kind, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { requestWasAudited } from '../../audit/audit-log.js';
import { recordRefusal } from '../../audit/refusals.js';
import type { Authenticator } from '../../auth/authenticate.js';
import type { Db } from '../../db/database.js';
import type { Logger } from '../../logging/logger.js';
import type { GraphQLContext } from '../../schema/builder.js';
import { type NodeServerContext, resolveCallContext } from '../request-context.js';

/**
 * Calls refused before a resolver runs never reach the services that audit; this plugin records
 * them, so every call of a caller with credentials leaves exactly one event whichever layer
 * refused it:
 * - a root field refused by graphql-shield, Pothos scope-auth or argument validation: one event
 *   per refused root field, once execution is done;
 * - a request refused before any field ran (validation, the document limits, variables that do not
 *   fit their types): one event for the request, unless a layer before recorded it already (the
 *   persisted-operations gate, the well-formed-input check). Its action names the operation's root
 *   field when the document got that far (`agent.createIssue`), else `graphql`.
 * Both wait for the write before the answer is sent. An agent's event names the project its
 * variables name, since no resolver ran to record it (src/audit/named-project.ts).
 */
export function useRefusalAudit(options: { db: Db; logger: Logger; authenticator: Authenticator; trustProxy: boolean }): Plugin<GraphQLContext> {
  /** The root field a request's document asks for, once it is parsed: the action of its event. */
  const rootFields = new WeakMap<Request, string>();
  return {
    onValidate({ params, context }) {
      const { request, params: requestParams } = context as { request?: Request; params?: { operationName?: string } };
      const field = request ? soleRootField(params.documentAST, requestParams?.operationName) : undefined;
      if (request && field) rootFields.set(request, field);
    },
    onExecute({ args }) {
      const ctx = args.contextValue as GraphQLContext;
      if (ctx.principal.kind === 'anonymous') return undefined;
      return {
        onExecuteDone: async ({ result }) => {
          if (!('errors' in result) || !result.errors) return;
          for (const error of result.errors) {
            const field = error.path?.[0];
            if (typeof field === 'string') await recordRefusal(options, ctx, field, error.originalError ?? error, args.variableValues);
          }
        },
      };
    },
    async onExecutionResult({ result, request, context }) {
      if (result === undefined || Symbol.asyncIterator in result) return;
      const first = result.errors?.[0];
      if (first === undefined) return;
      const ctx = await resolveCallContext(request, context as NodeServerContext, options);
      if (ctx.principal.kind === 'anonymous' || requestWasAudited(ctx.meta)) return;
      const error = first instanceof GraphQLError ? (first.originalError ?? first) : first;
      await recordRefusal(options, ctx, rootFields.get(request) ?? 'graphql', error, (context as { params?: { variables?: unknown } }).params?.variables);
    },
  };
}

function soleRootField(document: DocumentNode, operationName: string | undefined): string | undefined {
  const operation = getOperationAST(document, operationName);
  const fields = operation?.selectionSet.selections.filter((selection) => selection.kind === Kind.FIELD) ?? [];
  return fields.length === 1 && fields[0]!.kind === Kind.FIELD ? fields[0]!.name.value : undefined;
}
