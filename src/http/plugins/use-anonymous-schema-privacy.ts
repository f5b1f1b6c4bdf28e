import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Authenticator } from '../../auth/authenticate.js';
import { type NodeServerContext, resolveCallContext } from '../request-context.js';

/**
 * Callers without credentials get neither introspection nor "did you mean …" hints (both map the
 * schema for a stranger), unless the operator opts in; outside production they do, so GraphiQL
 * works out of the box. Launcher and agent callers are unaffected (agents may send no document at
 * all, see use-agent-persisted-operations.ts).
 */
export function useAnonymousSchemaPrivacy(options: { enabled: boolean; authenticator: Authenticator; trustProxy: boolean }): Plugin {
  if (!options.enabled) return {};
  const anonymous = new WeakSet<Request>();
  const hideSuggestions = blockFieldSuggestionsPlugin({ mask: '' });
  return {
    async onParams({ request, context }) {
      const ctx = await resolveCallContext(request, context as NodeServerContext, options);
      if (ctx.principal.kind === 'anonymous') anonymous.add(request);
    },
    onValidate(payload) {
      const request = (payload.context as { request?: Request }).request;
      if (!request || !anonymous.has(request)) return undefined;
      payload.addValidationRule(NoSchemaIntrospectionCustomRule);
      return hideSuggestions.onValidate?.(payload as never) ?? undefined;
    },
  };
}
