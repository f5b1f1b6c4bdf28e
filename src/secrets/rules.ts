/**
 * Credential formats the gateway recognises in text, each with the public description of the
 * format it follows. Patterns are anchored on fixed prefixes or structure, so ordinary prose and
 * ids do not match (test/secrets/secret-rules.test.ts holds a true and a false positive for each).
 */
export const SECRET_KINDS = [
  'gateway_token',
  'github_token',
  'gitlab_token',
  'aws_access_key_id',
  'aws_secret_access_key',
  'google_api_key',
  'slack_token',
  'slack_webhook',
  'stripe_key',
  'openai_key',
  'anthropic_key',
  'private_key',
  'jwt',
  'connection_string_password',
] as const;

export type SecretKind = (typeof SECRET_KINDS)[number];

export interface SecretRule {
  kind: SecretKind;
  /** Global, so every occurrence is found; lastIndex is reset by the scanner. */
  pattern: RegExp;
  /** Where the format is described. */
  source: string;
}

export const SECRET_RULES: readonly SecretRule[] = [
  {
    kind: 'gateway_token',
    pattern: /ndcag_[0-9A-Za-z]{43}_[0-9A-Za-z]{6}/g,
    source: 'this gateway, docs/ARCHITECTURE.md "Agent tokens": ndcag_<43 base62>_<6 base62 CRC32>',
  },
  {
    kind: 'github_token',
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b/g,
    source: 'GitHub, "Behind GitHub’s new authentication token formats" (2021): ghp_/gho_/ghu_/ghs_/ghr_ + 36 base62; fine-grained github_pat_<22>_<59>',
  },
  {
    kind: 'gitlab_token',
    pattern: /\b(?:glpat|gloas|gldt|glrt|glptt|glft|glsoat|glcbt)-[A-Za-z0-9_-]{20,}/g,
    source: 'GitLab docs, "Token prefixes": glpat- (personal), gloas- (OAuth secret), gldt- (deploy), glrt- (runner), …',
  },
  {
    kind: 'aws_access_key_id',
    pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g,
    source: 'AWS IAM User Guide, "Unique identifiers": access key ids start AKIA (long-term) or ASIA (temporary), 20 characters',
  },
  {
    kind: 'aws_secret_access_key',
    pattern: /\baws_?secret_?access_?key\b["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/gi,
    source: 'AWS CLI configuration (aws_secret_access_key = <40 characters>); a bare 40-character string is too common to flag alone',
  },
  {
    kind: 'google_api_key',
    pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g,
    source: 'Google Cloud docs, "API keys": 39 characters starting AIza',
  },
  {
    kind: 'slack_token',
    pattern: /\bxox[abposr]-[0-9A-Za-z-]{10,}/g,
    source: 'Slack API docs, "Token types": xoxb- (bot), xoxp- (user), xoxa-, xoxo-, xoxr-, xoxs-',
  },
  {
    kind: 'slack_webhook',
    pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]{20,}/g,
    source: 'Slack API docs, "Incoming webhooks": https://hooks.slack.com/services/T…/B…/…',
  },
  {
    kind: 'stripe_key',
    pattern: /\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{24,}/g,
    source: 'Stripe docs, "API keys": secret keys sk_live_/sk_test_, restricted keys rk_live_/rk_test_',
  },
  {
    kind: 'openai_key',
    pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}/g,
    source: 'OpenAI API keys: sk-, sk-proj-, sk-svcacct- or sk-admin-, with the marker T3BlbkFJ (base64 of "OpenAI") inside',
  },
  {
    kind: 'anthropic_key',
    pattern: /\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}/g,
    source: 'Anthropic API docs: keys sk-ant-api03-… (admin keys sk-ant-admin01-…)',
  },
  {
    kind: 'private_key',
    pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g,
    source: 'RFC 7468 §10–11 (PKCS #8 "PRIVATE KEY", "ENCRYPTED PRIVATE KEY"), RFC 4716/OpenSSH and OpenPGP private key armour',
  },
  {
    kind: 'jwt',
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g,
    source: 'RFC 7519 §3 / RFC 7515 §7.1: compact JWS, base64url(JSON header).base64url(JSON claims).signature; JSON objects encode to "eyJ"',
  },
  {
    kind: 'connection_string_password',
    pattern:
      /\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver|oracle|ftp|sftp|smtps?|ldaps?):\/\/[^\s:/@]+:[^\s/@]+@[^\s/]+/gi,
    source: 'RFC 3986 §3.2.1 userinfo (user:password@host), as used by PostgreSQL, MySQL, MongoDB, Redis and AMQP URLs',
  },
];
