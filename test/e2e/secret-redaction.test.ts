import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import type { TaskerIssue } from '../../src/tasker/contract.js';
import { runOperation } from '../support/gateway.js';
import { connectMcp } from '../support/mcp-client.js';
import { DEMO, startTestStack, type TestStack } from '../support/stack.js';

/**
 * An operator may switch kinds of credential from refusing the write to redacting it
 * (SECRET_SCAN_REDACT_KINDS): the write goes through with a marker naming the kind where the
 * credential was, Tasker never sees the value, and the call's audit event says what was redacted.
 */
const GITHUB = `ghp_${'aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYz9A8'}`;
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIiwiZXhwIjoxfQ.c2lnbmF0dXJlc2lnbmF0dXJl';
const AWS = 'AKIAZ3MPLE7KEY2ID4XX';
const BASE = '/api/internal/nodedc/agent';

let stack: TestStack;
let token: string;
let agentId: string;

beforeAll(async () => {
  stack = await startTestStack({ SECRET_SCAN_REDACT_KINDS: 'github_token, jwt' });
  ({ token, agentId } = await stack.agentWith({ [DEMO.id]: ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE', 'COMMENTS_WRITE'] }, 'Redacted agent'));
});
afterAll(() => stack.close());

const taskerIssue = async (id: string) => (await stack.readTasker<{ issue: TaskerIssue }>(`${BASE}/issues/${id}`)).issue;
const eventsOf = (requestId: string) =>
  stack.gateway.db.selectFrom('audit_events').select(['action', 'outcome', 'details']).where('request_id', '=', requestId).execute();

describe('credentials of a kind the operator chose to redact', () => {
  it('are replaced by a marker naming the kind before an agent’s GraphQL write leaves, and audited as redacted', async () => {
    const description = `use ${GITHUB} then ${JWT} to deploy`;
    const response = await fetch(`${stack.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(await persisted('CreateIssue', { input: { projectId: DEMO.id, title: `token ${GITHUB}`, description } })),
    });
    const answer = (await response.json()) as { data: { createIssue: { issue: { id: string } } }; errors?: unknown };
    expect(answer.errors).toBeUndefined();
    const stored = await taskerIssue(answer.data.createIssue.issue.id);
    expect(stored.title).toBe('token [REDACTED github_token]');
    expect(stored.description_html).toContain('use [REDACTED github_token] then [REDACTED jwt] to deploy');
    for (const secret of [GITHUB, JWT]) expect(JSON.stringify(stored)).not.toContain(secret);

    const events = await eventsOf(response.headers.get('x-request-id')!);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'agent.createIssue', outcome: 'succeeded' });
    const redacted = (events[0]!.details as { secretsRedacted: { kind: string; field: string; start: number }[] }).secretsRedacted;
    expect(redacted.map((finding) => [finding.kind, finding.field, finding.start])).toEqual([
      ['github_token', 'input.title', 6],
      ['github_token', 'input.description', 4],
      ['jwt', 'input.description', description.indexOf(JWT)],
    ]);
    for (const secret of [GITHUB, JWT]) expect(JSON.stringify(events)).not.toContain(secret);
  });

  it('are redacted in an MCP tool call too', async () => {
    const client = await connectMcp(stack.gateway.url, token);
    try {
      const result = await client.callTool({ name: 'create_issue', arguments: { input: { projectId: 'DEMO', title: 'via MCP', description: `jwt: ${JWT}` } } });
      expect(result.isError).toBeFalsy();
      const id = (result.structuredContent as { createIssue: { issue: { id: string } } }).createIssue.issue.id;
      const stored = await taskerIssue(id);
      expect(stored.description_html).toContain('jwt: [REDACTED jwt]');
      expect(JSON.stringify(stored)).not.toContain(JWT);
      const events = await stack.gateway.db.selectFrom('audit_events').select(['details']).where('agent_id', '=', agentId).where('action', '=', 'agent.createIssue').execute();
      const event = events.find((candidate) => (candidate.details as { issueId?: string }).issueId === id);
      expect(event?.details).toMatchObject({ secretsRedacted: [{ kind: 'jwt', field: 'input.description' }] });
    } finally {
      await client.close();
    }
  });

  it('while a kind not chosen is still refused with SECRET_DETECTED, naming only that kind, and nothing is written', async () => {
    const before = (await stack.gateway.db.selectFrom('audit_events').select('id').where('action', '=', 'agent.createIssue').execute()).length;
    const result = await runOperation(stack.gateway, 'CreateIssue', {
      token,
      variables: { input: { projectId: DEMO.id, title: 'mixed', description: `${GITHUB} and ${AWS}` } },
    });
    expect(result.status).toBe(422);
    expect(result.errors![0]!.extensions.code).toBe('SECRET_DETECTED');
    const findings = (result.errors![0]!.extensions.details as { findings: { kind: string }[] }).findings;
    expect(findings.map((finding) => finding.kind)).toEqual(['aws_access_key_id']);
    const after = await stack.gateway.db.selectFrom('audit_events').select(['outcome']).where('action', '=', 'agent.createIssue').execute();
    expect(after).toHaveLength(before + 1);
    expect(JSON.stringify(result)).not.toContain(AWS);
  });

  it('is configuration that names a wrong kind', () => {
    expect(() => loadConfig({ SECRET_SCAN_REDACT_KINDS: 'github_token,passwords' })).toThrow(/SECRET_SCAN_REDACT_KINDS/);
    expect(loadConfig({ SECRET_SCAN_REDACT_KINDS: ' jwt ,github_token' }).secrets.redactKinds).toEqual(['jwt', 'github_token']);
    expect(loadConfig({}).secrets.redactKinds).toEqual([]);
  });
});

async function persisted(operationName: string, variables: Record<string, unknown>) {
  const { loadToolManifest } = await import('../../src/mcp/manifest.js');
  const tool = loadToolManifest().tools.find((candidate) => candidate.operationName === operationName)!;
  return { operationName, variables, extensions: { persistedQuery: { version: 1, sha256Hash: tool.operationId } } };
}
