import { describe, expect, it } from 'vitest';
import { SCOPES, type Scope } from '../../src/auth/scopes.js';
import { pothosSchema } from '../../src/schema/index.js';
import {
  agentPrincipal,
  anonymousPrincipal,
  documentFor,
  execute,
  expectedAccess,
  type FieldExpectation,
  launcherPrincipal,
  pothosAlone,
  shieldAlone,
} from '../support/schema-layers.js';

/**
 * Each declarative authorization layer on its own, for every root field of the schema: the other
 * layer is left out of a test-only composition and the resolvers are replaced by a sentinel, so a
 * refusal here can only come from the layer under test. Who may call a field comes from the tool
 * manifest (agent fields and their scopes) and the short public list, not from the layers
 * themselves; a field added to the schema is covered without editing this file.
 *
 * graphql-shield decides by principal kind; Pothos scope-auth by principal kind and scope. The
 * grant on the very project is the resolvers' check (test/e2e/resolver-layer.test.ts).
 */
const PROJECT = '11111111-1111-4111-8111-111111111111';
const expectations = expectedAccess(pothosSchema);
const everyScope = agentPrincipal({ [PROJECT]: SCOPES });

const wrongPrincipals = (expectation: FieldExpectation) =>
  expectation.principal === 'agent'
    ? [
        { name: 'a Launcher user', principal: launcherPrincipal('admin'), code: 'FORBIDDEN' },
        { name: 'an anonymous caller', principal: anonymousPrincipal(), code: 'UNAUTHENTICATED' },
      ]
    : expectation.principal === 'launcher'
      ? [
          { name: 'an agent with every scope', principal: everyScope, code: 'FORBIDDEN' },
          { name: 'an anonymous caller', principal: anonymousPrincipal(), code: 'UNAUTHENTICATED' },
        ]
      : [];

const rightPrincipal = (expectation: FieldExpectation) =>
  expectation.principal === 'agent' ? everyScope : expectation.principal === 'launcher' ? launcherPrincipal('admin') : anonymousPrincipal();

const layers = [
  { name: 'graphql-shield alone (Pothos scope-auth disabled)', schema: shieldAlone(), checksScopes: false },
  { name: 'Pothos scope-auth alone (no shield)', schema: pothosAlone(), checksScopes: true },
];

it('knows who may call every root field (agent fields come from the tool manifest)', () => {
  const agentFields = expectations.filter((e) => e.principal === 'agent').map((e) => e.field);
  expect(agentFields.length).toBeGreaterThanOrEqual(12);
  expect(agentFields).toContain('createIssue');
  expect(expectations.filter((e) => e.principal === 'public').map((e) => e.field)).toEqual(['exchangePairingCode']);
});

describe.each(layers)('$name', (layer) => {
  describe.each(expectations)('$root field $field ($principal)', (expectation) => {
    const document = documentFor(layer.schema, expectation);

    it('lets the right principal through to the resolver', async () => {
      const outcome = await execute(layer.schema, rightPrincipal(expectation), document);
      expect(outcome.reachedResolver, JSON.stringify(outcome.errors)).toBe(true);
    });

    it.each(wrongPrincipals(expectation))('refuses $name before the resolver', async ({ principal, code }) => {
      const outcome = await execute(layer.schema, principal, document);
      expect(outcome.reachedResolver).toBe(false);
      expect(outcome.code).toBe(code);
      expect(outcome.errors).toHaveLength(1);
    });

    it.runIf(layer.checksScopes && expectation.scopes.length > 0).each(expectation.scopes)(
      'refuses an agent whose token lacks %s, before the resolver',
      async (missing) => {
        const outcome = await execute(layer.schema, agentPrincipal({ [PROJECT]: SCOPES.filter((s) => s !== (missing as Scope)) }), document);
        expect(outcome.reachedResolver).toBe(false);
        expect(outcome.code).toBe('FORBIDDEN');
      },
    );

    it.runIf(layer.checksScopes && expectation.principal === 'agent')('refuses an agent with no grant at all', async () => {
      const outcome = await execute(layer.schema, agentPrincipal({}), document);
      const needsNothing = expectation.scopes.length === 0;
      expect(outcome.reachedResolver).toBe(needsNothing);
      if (!needsNothing) expect(outcome.code).toBe('FORBIDDEN');
    });
  });
});
