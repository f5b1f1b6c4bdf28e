import SchemaBuilder, { BasePlugin, type SchemaTypes } from '@pothos/core';
import {
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  graphql,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isAbstractType,
  parse,
  type OperationDefinitionNode,
  type FieldNode,
} from 'graphql';
import type { AgentPrincipal, Principal } from '../../src/auth/principal.js';
import type { Scope } from '../../src/auth/scopes.js';
import { withShield } from '../../src/auth/shield.js';
import { findGatewayError } from '../../src/http/errors.js';
import { loadToolManifest } from '../../src/mcp/manifest.js';
import type { GatewayDeps } from '../../src/resolvers/context.js';
import { builder } from '../../src/schema/builder.js';
import '../../src/schema/index.js';

/**
 * Test-only compositions of the gateway's schema, each with one authorization layer and not the
 * other, so a test can show that layer refusing on its own. Nothing here is reachable at run time:
 * the production schema is `withShield(pothosSchema)` in src/app.ts, built once.
 *
 * - `shieldAlone`: Pothos scope-auth disabled (its own `disableScopeAuth` build option), resolvers
 *   replaced by a sentinel, graphql-shield applied on top.
 * - `pothosAlone`: Pothos scope-auth as in production, resolvers replaced by the sentinel, no shield.
 * - `resolversAlone`: neither declarative layer, the real resolvers (their own grant checks).
 *
 * The sentinel sits just inside scope-auth (where the real resolver and its zod validation would
 * run), so reaching it means the layer under test let the call through.
 */
export const RESOLVER_REACHED = 'RESOLVER_REACHED';

const SENTINEL_PLUGIN = 'testResolverSentinel';

class ResolverSentinelPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(resolver: Parameters<BasePlugin<Types>['wrapResolve']>[0], fieldConfig: Parameters<BasePlugin<Types>['wrapResolve']>[1]) {
    if (fieldConfig.parentType !== 'Query' && fieldConfig.parentType !== 'Mutation') return resolver;
    return () => {
      throw new Error(RESOLVER_REACHED);
    };
  }
}
declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      testResolverSentinel: ResolverSentinelPlugin<Types>;
    }
  }
}
SchemaBuilder.registerPlugin(SENTINEL_PLUGIN, ResolverSentinelPlugin);

type BuildOptions = Parameters<typeof builder.toSchema>[0];

/** Builds the registered schema once more, with the sentinel plugin placed right after scope-auth. */
function buildWith(options: BuildOptions, sentinel: boolean): GraphQLSchema {
  const holder = builder as unknown as { options: { plugins?: string[] } };
  const original = holder.options;
  const plugins = [...(original.plugins ?? [])];
  if (sentinel) plugins.splice(plugins.indexOf('scopeAuth') + 1, 0, SENTINEL_PLUGIN);
  holder.options = { ...original, plugins };
  try {
    return builder.toSchema({ sortSchema: true, ...options });
  } finally {
    holder.options = original;
  }
}

export const shieldAlone = (): GraphQLSchema => withShield(buildWith({ disableScopeAuth: true }, true));
export const pothosAlone = (): GraphQLSchema => buildWith({}, true);
export const resolversAlone = (): GraphQLSchema => buildWith({ disableScopeAuth: true }, false);

/** Who may call each root field, as the tool manifest (agents) and the Launcher API (the rest) say. */
export interface FieldExpectation {
  root: 'Query' | 'Mutation';
  field: string;
  principal: 'agent' | 'launcher' | 'public';
  /** For agent fields: the scopes the field's tool declares. */
  scopes: Scope[];
}

/** Public by design: the pairing code is the credential. Anything else must name a principal. */
export const PUBLIC_FIELDS = new Set(['exchangePairingCode']);

export function expectedAccess(schema: GraphQLSchema): FieldExpectation[] {
  const agentScopes = new Map<string, Scope[]>();
  const manifest = loadToolManifest();
  for (const tool of manifest.tools) {
    const source = manifest.persistedOperations[tool.operationId];
    if (!source) throw new Error(`the manifest has no document for ${tool.operationName}`);
    const operation = parse(source).definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
    for (const selection of operation?.selectionSet.selections ?? []) {
      if (selection.kind === 'Field') agentScopes.set((selection as FieldNode).name.value, tool.scopes as Scope[]);
    }
  }
  const expectations: FieldExpectation[] = [];
  for (const root of ['Query', 'Mutation'] as const) {
    const type = root === 'Query' ? schema.getQueryType() : schema.getMutationType();
    for (const field of Object.values(type?.getFields() ?? {})) {
      const scopes = agentScopes.get(field.name);
      const principal = scopes ? 'agent' : PUBLIC_FIELDS.has(field.name) ? 'public' : 'launcher';
      expectations.push({ root, field: field.name, principal, scopes: scopes ?? [] });
    }
  }
  return expectations;
}

/** A placeholder value of an input type: required input fields filled, optional ones left out. */
function placeholder(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return placeholder(type.ofType);
  if (isListType(type)) return [placeholder(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const inner of Object.values(type.getFields())) if (isNonNullType(inner.type)) value[inner.name] = placeholder(inner.type);
    return value;
  }
  switch (type.name) {
    case 'Int':
      return 1;
    case 'Float':
      return 1;
    case 'Boolean':
      return true;
    default:
      return 'placeholder';
  }
}

/** A document calling one root field with placeholder arguments (the sentinel never reads them). */
export function documentFor(schema: GraphQLSchema, expectation: FieldExpectation): { source: string; variables: Record<string, unknown> } {
  const type = expectation.root === 'Query' ? schema.getQueryType() : schema.getMutationType();
  const field = type!.getFields()[expectation.field] as GraphQLField<unknown, unknown>;
  const variables: Record<string, unknown> = {};
  const declarations: string[] = [];
  const passes: string[] = [];
  for (const arg of field.args) {
    if (!isNonNullType(arg.type)) continue;
    variables[arg.name] = placeholder(arg.type);
    declarations.push(`$${arg.name}: ${arg.type.toString()}`);
    passes.push(`${arg.name}: $${arg.name}`);
  }
  const named = getNamedType(field.type);
  const selection = isObjectType(named) || isAbstractType(named) ? ' { __typename }' : '';
  const keyword = expectation.root === 'Query' ? 'query' : 'mutation';
  const head = declarations.length ? `(${declarations.join(', ')})` : '';
  const args = passes.length ? `(${passes.join(', ')})` : '';
  return { source: `${keyword} Probe${head} { ${expectation.field}${args}${selection} }`, variables };
}

export function agentPrincipal(grants: Record<string, readonly Scope[]>, ids: { agentId?: string; tokenId?: string } = {}): AgentPrincipal {
  return {
    kind: 'agent',
    agentId: ids.agentId ?? '00000000-0000-4000-8000-000000000001',
    agentName: 'layer probe',
    ownerUserId: 'local-user',
    ownerEmail: 'local@example.test',
    tokenId: ids.tokenId ?? '00000000-0000-4000-8000-000000000002',
    tokenExpiresAt: new Date(Date.now() + 86_400_000),
    tokenResource: null,
    grants: new Map(Object.entries(grants).map(([project, scopes]) => [project, new Set(scopes)])),
  };
}

export const launcherPrincipal = (role: 'user' | 'admin' = 'user'): Principal => ({
  kind: 'launcher',
  userId: 'local-user',
  email: 'local@example.test',
  role,
});

export const anonymousPrincipal = (): Principal => ({ kind: 'anonymous' });

/** Deps for a composition whose resolvers are sentinels: any use says which layer looked where. */
const noDeps = new Proxy({} as GatewayDeps, {
  get(_target, property) {
    throw new Error(`a declarative layer read deps.${String(property)}; the layer tests give it none`);
  },
});

export interface LayerOutcome {
  reachedResolver: boolean;
  /** The gateway error code of the refusal, when the call was refused. */
  code: string | undefined;
  errors: readonly { message: string }[];
  data: Record<string, unknown> | null | undefined;
}

export async function execute(
  schema: GraphQLSchema,
  principal: Principal,
  document: { source: string; variables: Record<string, unknown> },
  deps: GatewayDeps = noDeps,
): Promise<LayerOutcome> {
  const result = await graphql({
    schema,
    source: document.source,
    variableValues: document.variables,
    contextValue: { principal, deps, meta: { requestId: 'layer-test', clientAddress: '127.0.0.1' } },
  });
  const errors = result.errors ?? [];
  const reachedResolver = errors.some((error) => error.message === RESOLVER_REACHED);
  const codes = errors.map((error) => findGatewayError(error)?.code).filter((code) => code !== undefined);
  return { reachedResolver, code: codes[0], errors, data: result.data as Record<string, unknown> | null | undefined };
}
