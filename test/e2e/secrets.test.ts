import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { runOperation } from '../support/gateway.js';
import { DEMO, startTestStack, type TestStack } from '../support/stack.js';

const GITHUB = `ghp_${'aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYz9A8'}`;
const AWS = 'AKIAZ3MPLE7KEY2ID4XX';

let stack: TestStack;
let token: string;
let agentId: string;

beforeAll(async () => {
  stack = await startTestStack();
  ({ token, agentId } = await stack.agentWith({ [DEMO.id]: ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE', 'COMMENTS_WRITE'] }, 'Leaky agent'));
});
afterAll(() => stack.close());
beforeEach(() => stack.proxy.reset());

const auditRows = () => stack.gateway.db.selectFrom('audit_events').selectAll().where('agent_id', '=', agentId).execute();

describe('credentials in agent-written text', () => {
  it('refuses create_issue with a GitHub token, an AWS key and the agent’s own token, naming kinds and places, and sends nothing to Tasker', async () => {
    const description = `deploy with ${GITHUB} and ${AWS}; my gateway token is ${token}`;
    const result = await runOperation(stack.gateway, 'CreateIssue', {
      token,
      variables: { input: { projectId: DEMO.id, title: 'Deploy notes', description, idempotencyKey: 'leak-1' } },
    });
    expect(result.status).toBe(422);
    const [error] = result.errors!;
    expect(error!.extensions.code).toBe('SECRET_DETECTED');
    const findings = (error!.extensions.details as { findings: { kind: string; field: string; start: number }[] }).findings;
    expect(findings.map((finding) => [finding.kind, finding.field, finding.start])).toEqual([
      ['github_token', 'description', description.indexOf(GITHUB)],
      ['aws_access_key_id', 'description', description.indexOf(AWS)],
      ['gateway_token', 'description', description.indexOf(token)],
    ]);
    const said = JSON.stringify(result);
    for (const secret of [GITHUB, AWS, token]) expect(said).not.toContain(secret);
    expect(stack.proxy.seen.filter((line) => line.startsWith('POST'))).toEqual([]);

    const stored = JSON.stringify(await auditRows());
    for (const secret of [GITHUB, AWS, token]) expect(stored).not.toContain(secret);
    const keys = await stack.gateway.db.selectFrom('idempotency_keys').selectAll().where('agent_id', '=', agentId).execute();
    expect(keys).toEqual([]);
  });

  it('refuses a comment holding a private key block, and an idempotency key that is a credential', async () => {
    const created = await runOperation<{ createIssue: { issue: { id: string } } }>(stack.gateway, 'CreateIssue', {
      token,
      variables: { input: { projectId: DEMO.id, title: 'Clean issue' } },
    });
    expect(created.errors).toBeUndefined();
    const issueId = created.data!.createIssue.issue.id;
    const comment = await runOperation(stack.gateway, 'AddComment', {
      token,
      variables: { issueId, body: 'key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----' },
    });
    expect(comment.errors![0]!.extensions.code).toBe('SECRET_DETECTED');
    const keyed = await runOperation(stack.gateway, 'AddComment', { token, variables: { issueId, body: 'fine', idempotencyKey: GITHUB } });
    expect(keyed.errors![0]!.extensions.code).toBe('SECRET_DETECTED');
    expect(JSON.stringify(keyed)).not.toContain(GITHUB);
  });
});

describe('one redaction step for what is stored and logged', () => {
  it('redacts credentials in refusal reasons and details written to the audit log', async () => {
    const { recordAudit } = await import('../../src/audit/audit-log.js');
    await recordAudit(stack.gateway.db, { kind: 'anonymous' }, { requestId: 'r-redact', clientAddress: null }, {
      action: 'test.redaction',
      outcome: 'failed',
      reason: `Tasker refused the input: title "${GITHUB}" is not allowed`,
      details: { echoed: { text: `jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIiwiZXhwIjoxfQ.c2lnbmF0dXJlc2lnbmF0dXJl` } },
    });
    const row = await stack.gateway.db.selectFrom('audit_events').selectAll().where('request_id', '=', 'r-redact').executeTakeFirstOrThrow();
    expect(row.reason).toBe('Tasker refused the input: title "[REDACTED github_token]" is not allowed');
    expect(row.details).toEqual({ echoed: { text: 'jwt [REDACTED jwt]' } });
  });

  it('redacts credentials at every log level', () => {
    const lines: string[] = [];
    // Agent text kept (LOG_REDACT_AGENT_TEXT=false), so that the credential scanner is what is tested.
    const logger = createLogger('debug', (line) => lines.push(line), { redactAgentText: false });
    logger.debug('graphql-yoga', { graphqlError: `Variable "$code" got invalid value "${GITHUB}"` });
    logger.error('oops', { url: 'postgres://app:hunter2@db/app' });
    expect(lines.join('')).not.toContain(GITHUB);
    expect(lines.join('')).not.toContain('hunter2');
    expect(lines.join('')).toContain('[REDACTED github_token]');
  });
});
