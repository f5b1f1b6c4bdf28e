import { isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ROOT_RULES } from '../../src/auth/shield.js';
import { pothosSchema } from '../../src/schema/index.js';

/**
 * Every root field must be guarded twice: Pothos scope-auth on the field, and an explicit rule in
 * the graphql-shield map (whose fallback denies). Adding a field without both fails here.
 */
describe('authorization layers', () => {
  for (const rootName of ['Query', 'Mutation'] as const) {
    const root = pothosSchema.getType(rootName);
    if (!isObjectType(root)) throw new Error(`${rootName} missing`);
    for (const field of Object.values(root.getFields())) {
      it(`${rootName}.${field.name} has Pothos authScopes and a shield rule`, () => {
        const pothosOptions = field.extensions?.pothosOptions as { authScopes?: unknown } | undefined;
        expect(pothosOptions?.authScopes, 'Pothos authScopes').toBeDefined();
        expect((ROOT_RULES[rootName] as Record<string, unknown>)[field.name], 'graphql-shield rule').toBeDefined();
      });
    }
  }

  it('has no shield rule for a field the schema does not have (stale rules hide mistakes)', () => {
    for (const rootName of ['Query', 'Mutation'] as const) {
      const root = pothosSchema.getType(rootName);
      if (!isObjectType(root)) throw new Error(`${rootName} missing`);
      expect(Object.keys(ROOT_RULES[rootName]).sort()).toEqual(Object.keys(root.getFields()).sort());
    }
  });
});

describe('the shield layer on its own', () => {
  it('denies a root field it has no rule for, as FORBIDDEN rather than an internal error', async () => {
    const { buildSchema, graphql: run } = await import('graphql');
    const { withShield } = await import('../../src/auth/shield.js');
    const { findGatewayError } = await import('../../src/http/errors.js');
    // Shield insists every field it has a rule for exists, so the test schema carries the real roots' fields.
    const fields = (root: Record<string, unknown>) => Object.keys(root).map((name) => `${name}: String`).join(' ');
    const schema = withShield(
      buildSchema(`type Query { ${fields(ROOT_RULES.Query)} secretField: String } type Mutation { ${fields(ROOT_RULES.Mutation)} }`),
    );
    const result = await run({
      schema,
      source: '{ secretField }',
      rootValue: { secretField: 'leaked' },
      contextValue: { principal: { kind: 'launcher', userId: 'u', email: 'u@example.test', role: 'admin' } },
    });
    expect(result.data?.secretField ?? null).toBeNull();
    expect(findGatewayError(result.errors?.[0])?.code).toBe('FORBIDDEN');
  });

  it('denies every field of a root type it has no rules for (a Subscription added later)', async () => {
    const { buildSchema, execute, parse } = await import('graphql');
    const { withShield } = await import('../../src/auth/shield.js');
    const { findGatewayError } = await import('../../src/http/errors.js');
    const fields = (root: Record<string, unknown>) => Object.keys(root).map((name) => `${name}: String`).join(' ');
    const schema = withShield(
      buildSchema(`type Query { ${fields(ROOT_RULES.Query)} } type Mutation { ${fields(ROOT_RULES.Mutation)} } type Subscription { ticks: String }`),
    );
    const ticks = schema.getSubscriptionType()?.getFields().ticks;
    expect(ticks?.subscribe ?? ticks?.resolve, 'the subscription field is wrapped').toBeDefined();
    const contextValue = { principal: { kind: 'launcher', userId: 'u', email: 'u@example.test', role: 'admin' } };
    const result = await execute({ schema, document: parse('subscription { ticks }'), rootValue: { ticks: 'leaked' }, contextValue });
    expect(result.data?.ticks ?? null).toBeNull();
    expect(findGatewayError(result.errors?.[0])?.code).toBe('FORBIDDEN');
  });

  it('wraps the root fields only: the fields below them keep the resolvers Pothos built', async () => {
    const { isObjectType: isObject } = await import('graphql');
    const { withShield } = await import('../../src/auth/shield.js');
    const shielded = withShield(pothosSchema);
    let compared = 0;
    for (const type of Object.values(pothosSchema.getTypeMap())) {
      if (!isObject(type) || type.name.startsWith('__') || type.name in ROOT_RULES) continue;
      const after = shielded.getType(type.name);
      if (!isObject(after)) throw new Error(`${type.name} missing after the shield`);
      for (const [name, field] of Object.entries(type.getFields())) {
        expect(after.getFields()[name]?.resolve, `${type.name}.${name}`).toBe(field.resolve);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(50);
    for (const rootName of Object.keys(ROOT_RULES) as (keyof typeof ROOT_RULES)[]) {
      const before = pothosSchema.getType(rootName);
      const after = shielded.getType(rootName);
      if (!isObject(before) || !isObject(after)) throw new Error(`${rootName} missing`);
      for (const [name, field] of Object.entries(before.getFields())) expect(after.getFields()[name]?.resolve, `${rootName}.${name}`).not.toBe(field.resolve);
    }
  });
});

/**
 * REST routes have no Pothos or shield layer: each declares its principal and scope, which the
 * router enforces before the handler runs. The table below is the contract; a new route, or a
 * route whose declaration changes, fails here until the table says so.
 */
describe('REST routes', () => {
  const EXPECTED: Record<string, { principal: string; scope: string | null }> = {
    'GET /healthz': { principal: 'anyone', scope: null },
    'GET /readyz': { principal: 'anyone', scope: null },
    'GET /api/v1/meta/capabilities': { principal: 'anyone', scope: null },
    'POST /api/v1/agents': { principal: 'launcher', scope: null },
    'POST /api/v1/agents/:id/tokens': { principal: 'launcher', scope: null },
    'GET /api/v1/agent-session': { principal: 'agent', scope: null },
  };

  it('declare exactly the principals and scopes of the table', async () => {
    const { REST_ROUTES } = await import('../../src/http/routes/rest.js');
    const declared = Object.fromEntries(
      REST_ROUTES.map((route) => [
        `${route.method} ${route.pattern.source.replace(/^\^|\$$/g, '').replace(/\\\//g, '/').replace('([^/]+)', ':id')}`,
        { principal: route.principal, scope: route.scope },
      ]),
    );
    expect(declared).toEqual(EXPECTED);
  });
});
