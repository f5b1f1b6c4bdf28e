import { describe, expect, it } from 'vitest';
import { issueAgentToken } from '../../src/auth/agent-token.js';
import { SECRET_KINDS, type SecretKind } from '../../src/secrets/rules.js';
import { findSecrets, redactSecrets } from '../../src/secrets/scan.js';

/** Builds a string of `length` characters from `alphabet`, deterministically. */
const filler = (length: number, alphabet = 'aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xY') =>
  Array.from({ length }, (_, i) => alphabet[(i * 7) % alphabet.length]).join('');

/** For each kind: text holding one credential of that kind, and near misses that must not match. */
const CASES: Record<SecretKind, { hit: string; misses: string[] }> = {
  gateway_token: {
    hit: `use ${issueAgentToken().secret} for the gateway`,
    misses: ['the ndcag_ prefix marks gateway tokens', `ndcag_${filler(20)}_abc`],
  },
  github_token: {
    hit: `token ghp_${filler(36)} here`,
    misses: ['ghp_ is the prefix of classic tokens', `ghp_${filler(20)}`, 'ghx_abcdefghijklmnopqrstuvwxyz0123456789'],
  },
  gitlab_token: {
    hit: `GITLAB_TOKEN=glpat-${filler(20)}`,
    misses: ['glpat- tokens are personal', 'glpat-short'],
  },
  aws_access_key_id: {
    hit: 'aws_access_key_id = AKIAZ3MPLE7KEY2ID4XX',
    misses: ['AKIA alone', 'AKIAshortlowercase123', 'XAKIAZ3MPLE7KEY2ID4XXY'],
  },
  aws_secret_access_key: {
    hit: `aws_secret_access_key = ${filler(40, 'abcDEF123/+ghiJKL456')}`,
    misses: [`a 40-character string ${filler(40)} without its name`, 'aws_secret_access_key = tooshort'],
  },
  google_api_key: {
    hit: `key=AIza${filler(35)}`,
    misses: ['AIza is how Google keys begin', `AIza${filler(20)}`],
  },
  slack_token: {
    hit: `SLACK_BOT_TOKEN=xoxb-${filler(12, '0123456789')}-${filler(24)}`,
    misses: ['xoxb- tokens belong to bots', 'xoxz-1234567890abcdef'],
  },
  slack_webhook: {
    hit: `post to https://hooks.slack.com/services/T0000AAAA/B0000BBBB/${filler(24)}`,
    misses: ['see https://hooks.slack.com/ for webhooks', 'https://api.slack.com/services/T0000AAAA/B0000BBBB/xyz'],
  },
  stripe_key: {
    hit: `STRIPE=sk_live_${filler(24)}`,
    misses: ['pk_live_ keys are publishable', `pk_live_${filler(24)}`, 'sk_live_short'],
  },
  openai_key: {
    hit: `OPENAI_API_KEY=sk-proj-${filler(24)}T3BlbkFJ${filler(24)}`,
    misses: ['sk-learn is a library', `sk-${filler(48)}`],
  },
  anthropic_key: {
    hit: `ANTHROPIC_API_KEY=sk-ant-api03-${filler(93)}AA`,
    misses: ['sk-ant- keys are Anthropic’s', `sk-ant-api03-${filler(20)}`],
  },
  private_key: {
    hit: '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----',
    misses: ['-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----', 'the words BEGIN PRIVATE KEY in prose'],
  },
  jwt: {
    hit: `Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MX0.${filler(43)}`,
    misses: ['eyJ is how JSON looks in base64', 'eyJhbGciOiJIUzI1NiJ9 alone', 'a.b.c'],
  },
  connection_string_password: {
    hit: 'DATABASE_URL=postgres://app:s3cr3t-pw@db.internal:5432/app',
    misses: ['postgres://app@db.internal:5432/app', 'https://user:pass@example.com/ is a web URL', 'postgres://db.internal/app'],
  },
};

describe('secret rules', () => {
  it('has a case for every kind', () => {
    expect(Object.keys(CASES).sort()).toEqual([...SECRET_KINDS].sort());
  });

  for (const kind of SECRET_KINDS) {
    const { hit, misses } = CASES[kind];
    it(`${kind}: finds it, names its kind and place, and redacts it`, () => {
      const findings = findSecrets(hit);
      expect(findings.map((finding) => finding.kind)).toEqual([kind]);
      const [finding] = findings;
      expect(finding!.start).toBeGreaterThanOrEqual(0);
      expect(finding!.end).toBeGreaterThan(finding!.start);
      const redacted = redactSecrets(hit);
      expect(redacted).toContain(`[REDACTED ${kind}]`);
      expect(findSecrets(redacted)).toEqual([]);
    });
    it.each(misses)(`${kind}: does not flag %j`, (text) => {
      expect(findSecrets(text).filter((finding) => finding.kind === kind)).toEqual([]);
    });
  }

  it('finds several credentials in one text, in order, one finding per stretch', () => {
    const text = `a ghp_${filler(36)} b AKIAZ3MPLE7KEY2ID4XX c`;
    expect(findSecrets(text).map((finding) => [finding.kind, text.slice(finding.start, finding.start + 4)])).toEqual([
      ['github_token', 'ghp_'],
      ['aws_access_key_id', 'AKIA'],
    ]);
  });
});
