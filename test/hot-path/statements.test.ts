import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgPoolOf } from '../../src/db/database.js';
import { runOperation } from '../support/gateway.js';
import { connectMcp, type McpTestClient } from '../support/mcp-client.js';
import { DEMO, startTestStack, type TestStack } from '../support/stack.js';

/**
 * What an agent call costs the database, counted on PostgreSQL at the pool: every statement any
 * pool client sends (Kysely's, the shared rate limits'), begin and commit included. Once the
 * caller is known (its principal cached, its rate-limit leases taken), an authorized read sends one
 * statement, its audit event, whether it comes through GraphQL or MCP; a write adds what its
 * idempotency key needs.
 */
describe.runIf(process.env.TEST_DATABASE === 'postgres')('database statements per agent call', () => {
  let stack: TestStack;
  let token: string;
  let mcp: McpTestClient;
  let sent: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack();
    const counted = new WeakSet<object>();
    pgPoolOf(stack.gateway.db)!.on('acquire', (client) => {
      if (counted.has(client)) return;
      counted.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: unknown }).query = (...args: unknown[]) => {
        const [first] = args;
        sent.push(typeof first === 'string' ? first : String((first as { text?: unknown }).text ?? first));
        return query(...args);
      };
    });
    ({ token } = await stack.agentWith({ [DEMO.id]: ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE'] }));
    mcp = await connectMcp(stack.gateway.url, token);
    // The first calls fill the principal cache and take the rate-limit leases; the use of the
    // token is written once. What follows is the steady state of a busy agent.
    for (let call = 0; call < 2; call += 1) {
      expect((await runOperation(stack.gateway, 'ListIssues', { token, variables: { projectId: DEMO.id, first: 5 } })).errors).toBeUndefined();
      expect((await mcp.callTool({ name: 'list_issues', arguments: { projectId: DEMO.id, first: 5 } })).isError).toBeFalsy();
    }
    await stack.gateway.app.tokenUsage.flush();
  });
  afterAll(async () => {
    await mcp.close();
    await stack.close();
  });

  const statementsOf = async (call: () => Promise<void>): Promise<string[]> => {
    sent = [];
    await call();
    return sent.map((text) => text.replace(/\s+/g, ' ').trim().split(' ').slice(0, 3).join(' '));
  };

  it('sends one statement for a GraphQL read: its audit event', async () => {
    const statements = await statementsOf(async () => {
      for (let call = 0; call < 5; call += 1) {
        expect((await runOperation(stack.gateway, 'ListIssues', { token, variables: { projectId: DEMO.id, first: 5 } })).errors).toBeUndefined();
      }
    });
    expect(statements).toEqual(Array(5).fill('insert into "audit_events"'));
  });

  it('sends one statement for an MCP tools/call read: its audit event', async () => {
    const statements = await statementsOf(async () => {
      for (let call = 0; call < 5; call += 1) {
        expect((await mcp.callTool({ name: 'list_issues', arguments: { projectId: DEMO.id, first: 5 } })).isError).toBeFalsy();
      }
    });
    expect(statements).toEqual(Array(5).fill('insert into "audit_events"'));
  });

  it('adds for a write only what its idempotency key needs', async () => {
    const statements = await statementsOf(async () => {
      const created = await mcp.callTool({ name: 'create_issue', arguments: { input: { projectId: DEMO.id, title: 'Counted write', idempotencyKey: 'counted-write-1' } } });
      expect(created.isError, JSON.stringify(created)).toBeFalsy();
    });
    // Claim the key, store the answer under it, record the call: nothing else.
    expect(statements).toEqual(['insert into "idempotency_keys"', 'update "idempotency_keys" set', 'insert into "audit_events"']);
  });
});
