import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, createToken, setGrant } from '../support/fixtures.js';
import { errorCode, graphql, startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
let alice: string;

beforeAll(async () => {
  gateway = await startTestGateway({ GRAPHQL_ANONYMOUS_INTROSPECTION: 'false' });
  alice = await gateway.launcherToken({ sub: 'alice' });
});
afterAll(() => gateway.close());

const agentsNamed = async (owner: string) =>
  (await gateway.db.selectFrom('agents').select('display_name').where('owner_user_id', '=', owner).execute()).map((row) => row.display_name);

describe('limits every document meets before any resolver runs', () => {
  it('refuses the 200-alias Launcher document with QUERY_TOO_COMPLEX (400)', async () => {
    const aliases = Array.from({ length: 200 }, (_, i) => `a${i}: agents(first: 100) { nodes { tokens { id } grants { projectId } } }`);
    const result = await graphql(gateway, `{ ${aliases.join(' ')} }`, { token: alice });
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('QUERY_TOO_COMPLEX');
    expect(result.data).toBeUndefined();
  });

  it('counts aliases', async () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: agents(first: 1) { nodes { id } }`);
    const result = await graphql(gateway, `{ ${aliases.join(' ')} }`, { token: alice });
    expect(errorCode(result)).toBe('QUERY_TOO_COMPLEX');
    expect(result.errors![0]!.extensions.details).toMatchObject({ limit: 'aliases', max: 15, found: 40 });
  });

  it('runs no resolver of a refused document: 16 aliased createAgent mutations create nothing', async () => {
    const mutations = Array.from({ length: 16 }, (_, i) => `m${i}: createAgent(input: { displayName: "alias ${i}" }) { id }`);
    const result = await graphql(gateway, `mutation { ${mutations.join(' ')} }`, { token: alice });
    expect(errorCode(result)).toBe('QUERY_TOO_COMPLEX');
    expect((await agentsNamed('alice')).filter((name) => name.startsWith('alias '))).toEqual([]);
  });

  it('stops an anonymous document of 50,000 __typename aliases at the token limit', async () => {
    const aliases = Array.from({ length: 50_000 }, (_, i) => `t${i}: __typename`).join(' ');
    const result = await graphql(gateway, `{ ${aliases} }`);
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('QUERY_TOO_COMPLEX');
    expect(result.errors![0]!.extensions.details).toMatchObject({ limit: 'tokens', max: 2000 });
  });

  it('counts __typename aliases too', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `t${i}: __typename`).join(' ');
    expect(errorCode(await graphql(gateway, `{ ${aliases} }`, { token: alice }))).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses a document deeper than the depth limit, introspection included', async () => {
    const deep = `{ __type(name: "Agent") { ${'ofType { '.repeat(30)}name${' }'.repeat(30)} } }`;
    const result = await graphql(gateway, deep, { token: alice });
    expect(errorCode(result)).toBe('QUERY_TOO_COMPLEX');
    expect(result.errors![0]!.extensions.details).toMatchObject({ limit: 'depth', max: 25 });
  });

  it('refuses more directives than the limit', async () => {
    // One directive on each of 21 selections: valid GraphQL, so the limit is the only error.
    const result = await graphql(gateway, `{ me { ${'userId @skip(if: false) '.repeat(21)}} }`, { token: alice });
    expect(errorCode(result)).toBe('QUERY_TOO_COMPLEX');
    expect(result.errors![0]!.extensions.details).toMatchObject({ limit: 'directives', max: 20 });
  });

  it('prices lists by their page size, from the variables of each request', async () => {
    const query =
      'query($n: Int) { agents(first: $n) { nodes { tokens(first: $n) { id name displayPrefix lastCharacters status createdAt } } } }';
    const small = await graphql(gateway, query, { token: alice, variables: { n: 5 } });
    expect(small.errors).toBeUndefined();
    // The same text again, now asking for 100 × 100 tokens: the budget is measured anew.
    const large = await graphql(gateway, query, { token: alice, variables: { n: 100 } });
    expect(large.status).toBe(400);
    expect(errorCode(large)).toBe('QUERY_TOO_COMPLEX');
    expect(large.errors![0]!.extensions.details).toMatchObject({ limit: 'cost', max: 10_000, found: 60_201 });
  });

  it('lets the GraphiQL introspection query through for a Launcher user', async () => {
    const result = await graphql(gateway, getIntrospectionQuery(), { token: alice });
    expect(result.errors).toBeUndefined();
    expect(result.data).toHaveProperty('__schema');
  });
});

describe('nested lists are bounded and batched', () => {
  it('returns each agent’s newest tokens, at most `first`, and its grants', async () => {
    const bob = await gateway.launcherToken({ sub: 'bob' });
    const agents: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const agentId = await createAgent(gateway, bob, `bob ${i}`);
      await setGrant(gateway, bob, agentId, `project-${i}`, ['ISSUES_READ']);
      for (let t = 0; t < 3; t += 1) await createToken(gateway, bob, agentId, { name: `token ${i}.${t}` });
      agents.push(agentId);
    }
    const result = await graphql<{ agents: { nodes: { id: string; tokens: { name: string }[]; grants: { projectId: string }[] }[] } }>(
      gateway,
      '{ agents { nodes { id tokens(first: 2) { name } grants { projectId } } } }',
      { token: bob },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.agents.nodes.map((agent) => [agent.tokens.map((t) => t.name), agent.grants.map((g) => g.projectId)])).toEqual([
      [['token 0.2', 'token 0.1'], ['project-0']],
      [['token 1.2', 'token 1.1'], ['project-1']],
      [['token 2.2', 'token 2.1'], ['project-2']],
    ]);
    const tooMany = await graphql(gateway, '{ agents { nodes { tokens(first: 101) { id } } } }', { token: bob });
    expect(errorCode(tooMany)).toBe('BAD_USER_INPUT');
  });
});

describe('what strangers learn of the schema, when anonymous introspection is off', () => {
  it('refuses introspection to anonymous callers and allows it with credentials', async () => {
    const anonymous = await graphql(gateway, '{ __schema { queryType { name } } }');
    expect(anonymous.status).toBe(400);
    expect(anonymous.errors![0]!.message).toContain('introspection');
    const launcher = await graphql(gateway, '{ __schema { queryType { name } } }', { token: alice });
    expect(launcher.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('gives anonymous callers no "did you mean" hints', async () => {
    const anonymous = await graphql(gateway, '{ agentz { nodes { id } } }');
    expect(anonymous.errors![0]!.message).not.toContain('Did you mean');
    const launcher = await graphql(gateway, '{ agentz { nodes { id } } }', { token: alice });
    expect(launcher.errors![0]!.message).toContain('Did you mean');
  });
});
