import type { Plugin } from 'graphql-yoga';
import { recordRefusal } from '../../audit/refusals.js';
import type { Authenticator } from '../../auth/authenticate.js';
import type { Db } from '../../db/database.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Logger } from '../../logging/logger.js';
import { describeTextProblem, findIllFormedText } from '../../validation/text.js';
import { gatewayErrorToGraphQL } from '../errors.js';
import { type NodeServerContext, resolveCallContext } from '../request-context.js';

/**
 * A GraphQL request whose variables, extensions or operation name hold NUL or a lone surrogate
 * is refused with 400 BAD_USER_INPUT before it is parsed or executed (src/validation/text.ts): no
 * resolver, query or insert ever sees such text, whichever argument it sits in. The refusal of a
 * caller with credentials is audited like any other refused call.
 */
export function useWellFormedInput(options: { db: Db; logger: Logger; authenticator: Authenticator; trustProxy: boolean }): Plugin {
  return {
    async onParams({ params, request, context }) {
      const problem = findIllFormedText(params);
      if (!problem) return;
      const error = new GatewayError('BAD_USER_INPUT', describeTextProblem(problem), {
        details: { issues: [{ path: problem.path, message: problem.message }] },
      });
      const ctx = await resolveCallContext(request, context as NodeServerContext, options);
      await recordRefusal(options, ctx, 'graphql', error, params.variables);
      throw gatewayErrorToGraphQL(error);
    },
  };
}
