import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { checks, createConformanceContext, type ConformanceOptions } from './checks.js';

/**
 * tsx conformance/run.ts --tasker-url URL [--owner-user-id local-user] [--project DEMO]
 *   [--outsider-project PRIV] [--outsider-member-user-id outsider-user] [--second-project OPS]
 *   [--guest-user-id outsider-user] [--agent-id ID]
 * The signing secret comes from TASKER_SIGNING_SECRET, never from the command line; its key id from
 * TASKER_SIGNING_KEY_ID (else derived from it). With TASKER_SIGNING_SECRET_PREVIOUS (and
 * TASKER_SIGNING_KEY_ID_PREVIOUS) the rotation check runs too.
 */
const USAGE =
  'usage: tsx conformance/run.ts --tasker-url URL [--owner-user-id ID] [--project REF] [--outsider-project REF]' +
  ' [--outsider-member-user-id ID] [--second-project REF | --second-project ""] [--guest-user-id ID] [--agent-id ID]';

function readOptions(): ConformanceOptions {
  const { values } = parseArgs({
    options: {
      'tasker-url': { type: 'string' },
      'owner-user-id': { type: 'string', default: 'local-user' },
      project: { type: 'string', default: 'DEMO' },
      'outsider-project': { type: 'string', default: 'PRIV' },
      'outsider-member-user-id': { type: 'string', default: 'outsider-user' },
      'second-project': { type: 'string', default: 'OPS' },
      'guest-user-id': { type: 'string', default: 'outsider-user' },
      'agent-id': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const taskerUrl = values['tasker-url'];
  const secret = process.env['TASKER_SIGNING_SECRET'];
  if (taskerUrl === undefined) fail('--tasker-url is required');
  if (secret === undefined || secret === '') fail('TASKER_SIGNING_SECRET must be set');
  const secondProject = values['second-project'];
  const keyId = process.env['TASKER_SIGNING_KEY_ID'] || undefined;
  const previousSecret = process.env['TASKER_SIGNING_SECRET_PREVIOUS'] || undefined;
  const previousKeyId = process.env['TASKER_SIGNING_KEY_ID_PREVIOUS'] || undefined;
  return {
    taskerUrl,
    secret,
    keyId,
    previousKey: previousSecret === undefined ? undefined : { id: previousKeyId, secret: previousSecret },
    ownerUserId: values['owner-user-id'],
    project: values.project,
    outsiderProject: values['outsider-project'],
    outsiderMemberUserId: values['outsider-member-user-id'],
    // An empty value turns the second-project part of the guard check off.
    secondProject: secondProject === '' ? undefined : secondProject,
    guestUserId: values['guest-user-id'],
    agentId: values['agent-id'] ?? `conformance-agent-${randomBytes(4).toString('hex')}`,
  };
}

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const ctx = createConformanceContext(readOptions());
let passed = 0;
let failed = 0;
let skipped = 0;
for (const check of checks) {
  const skipReason = check.skipReason?.(ctx.options);
  if (skipReason !== undefined) {
    skipped += 1;
    console.log(`- ${check.name}: skipped, ${skipReason}`);
    continue;
  }
  try {
    await check.run(ctx);
    passed += 1;
    console.log(`✓ ${check.name}`);
  } catch (error) {
    failed += 1;
    console.log(`✗ ${check.name}: ${describe(error)}`);
  }
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
