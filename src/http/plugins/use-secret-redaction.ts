import type { Plugin } from 'graphql-yoga';
import type { Authenticator } from '../../auth/authenticate.js';
import type { SecretKind } from '../../secrets/rules.js';
import { type FieldFinding, findSecretsIn, redactSecretsIn } from '../../secrets/scan.js';
import { type NodeServerContext, resolveCallContext } from '../request-context.js';

/**
 * An operator may choose, per kind, to redact a credential in agent-written text instead of
 * refusing the call (SECRET_SCAN_REDACT_KINDS, e.g. `github_token,jwt`). Every word an agent sends
 * arrives as the variables of a persisted operation (over /graphql or through an MCP tool), so
 * this is the one place it is done: before anything reads them, each credential of those kinds is
 * replaced by `[REDACTED <kind>]`, and the findings (kind, field, position; never the value) ride
 * on the call's context into its audit event. Credentials of other kinds are still refused by the
 * write frame (src/resolvers/agent/write-frame.ts) with SECRET_DETECTED.
 */
export interface SecretRedactionOptions {
  kinds: readonly SecretKind[];
  authenticator: Authenticator;
  trustProxy: boolean;
}

export function useSecretRedaction(options: SecretRedactionOptions): Plugin<{ redactedSecrets?: FieldFinding[] }> {
  if (options.kinds.length === 0) return {};
  const kinds = new Set(options.kinds);
  const redacted = new WeakMap<Request, FieldFinding[]>();
  return {
    async onParams({ params, request, setParams, context }) {
      if (params.variables === undefined) return;
      const findings = findSecretsIn(params.variables).filter((finding) => kinds.has(finding.kind));
      if (findings.length === 0) return;
      // Agents only (by token or OAuth access token alike): the principal is resolved once per request anyway.
      const ctx = await resolveCallContext(request, context as NodeServerContext, options);
      if (ctx.principal.kind !== 'agent') return;
      redacted.set(request, findings);
      setParams({ ...params, variables: redactSecretsIn(params.variables, kinds) });
    },
    onContextBuilding({ context, extendContext }) {
      const findings = redacted.get(context.request);
      if (findings) extendContext({ redactedSecrets: findings });
    },
  };
}
