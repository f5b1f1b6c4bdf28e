import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../conformance/schemas.js';
import { canonicalString as referenceCanonical, signatureMatches } from '../../reference-tasker/auth/signature.js';
import { ERROR_STATUS } from '../../reference-tasker/errors.js';
import { ROUTES } from '../../reference-tasker/handlers/routes.js';
import { DEMO_IDS } from '../../reference-tasker/index.js';
import { canonicalString, computeSignature } from '../../src/tasker/signing.js';

/**
 * Keeps docs/TASKER_API_AUDIT.md and docs/tasker-adapter.openapi.yaml honest: the worked
 * signature example must verify on both sides, and both documents must name every route,
 * every error code and the seeded ids the code actually has.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (path: string) => readFile(resolve(ROOT, path), 'utf8');

const SECRET = 'example-secret-do-not-use-0123456789abcdef';
const PARTS = { keyId: 'tasker-2026-01', timestamp: 1767225600, nonce: '0f1e2d3c4b5a69788796a5b4c3d2e1f0' };
const IDENTITY = { agentId: '7d3c2f0e-1b2a-4c5d-9e8f-0a1b2c3d4e5f', ownerUserId: 'local-user' };
const EXAMPLES = [
  {
    request: {
      ...IDENTITY,
      method: 'POST',
      pathWithQuery: '/api/internal/nodedc/agent/issues',
      idempotencyKey: 'create-issue-4f6d2a',
      body: '{"project_id":"b06c46c8-6527-5f02-9276-00dbea635560","title":"Write the release notes"}',
    },
    signature: 'v2=3d22fa92fe8e62f61fd8bbe2fa66df4cd7e972d22fe002a0b0180d3856bf4758',
  },
  {
    request: {
      ...IDENTITY,
      method: 'GET',
      pathWithQuery: '/api/internal/nodedc/agent/issues?project_id=b06c46c8-6527-5f02-9276-00dbea635560&limit=10',
      idempotencyKey: undefined,
      body: '',
    },
    signature: 'v2=e810e225230464780eb77b7dee7e6cf4a498fd38b258ebdba65ad70e14320092',
  },
];

/** `{ "/issues/{issueId}": ["get", "patch"], … }` from the paths section, as the file lays it out. */
function openApiOperations(yaml: string): Record<string, string[]> {
  const operations: Record<string, string[]> = {};
  const section = yaml.slice(yaml.indexOf('\npaths:\n'), yaml.indexOf('\ncomponents:\n'));
  let current: string[] | undefined;
  for (const line of section.split('\n')) {
    const path = /^ {2}(\/\S*):$/.exec(line)?.[1];
    if (path !== undefined) operations[path] = current = [];
    const method = /^ {4}(get|post|put|patch|delete):$/.exec(line)?.[1];
    if (method !== undefined) current?.push(method);
  }
  return operations;
}

function openApiErrorCodes(yaml: string): string[] {
  const block = yaml.slice(yaml.indexOf('\n    ErrorCode:\n'), yaml.indexOf('\n    Error:\n'));
  return [...block.matchAll(/^ {8}- ([A-Z_]+)$/gm)].map((match) => match[1] ?? '');
}

describe('the adapter contract documents', () => {
  it('the worked signature examples verify with the gateway signer and the reference verifier', async () => {
    const doc = await read('docs/TASKER_API_AUDIT.md');
    for (const { request, signature } of EXAMPLES) {
      expect(computeSignature(SECRET, request, PARTS)).toBe(signature);
      const parts = {
        ...request,
        keyId: PARTS.keyId,
        timestamp: String(PARTS.timestamp),
        nonce: PARTS.nonce,
        idempotencyKey: request.idempotencyKey ?? '',
        body: Buffer.from(request.body),
      };
      expect(referenceCanonical(parts)).toBe(canonicalString(request, PARTS));
      expect(signatureMatches(SECRET, parts, signature.slice(3))).toBe(true);
      expect(doc).toContain(`X-NodeDC-Signature: ${signature}`);
      expect(doc).toContain(`\`\`\`\n${canonicalString(request, PARTS)}\n\`\`\``);
    }
  });

  it('the OpenAPI document has exactly the routes the reference server serves', async () => {
    const expected: Record<string, string[]> = {};
    for (const route of ROUTES) {
      const path = route.path.replace(/:(\w+)/g, '{$1}');
      (expected[path] ??= []).push(route.method.toLowerCase());
    }
    const actual = openApiOperations(await read('docs/tasker-adapter.openapi.yaml'));
    const sorted = (operations: Record<string, string[]>) =>
      Object.fromEntries(Object.entries(operations).map(([path, methods]) => [path, [...methods].sort()]));
    expect(sorted(actual)).toEqual(sorted(expected));
  });

  it('every error code is in the OpenAPI document, the prose and the conformance schemas', async () => {
    const codes = Object.keys(ERROR_STATUS).sort();
    expect(openApiErrorCodes(await read('docs/tasker-adapter.openapi.yaml')).sort()).toEqual(codes);
    expect([...ERROR_CODES].sort()).toEqual(codes);
    const doc = await read('docs/TASKER_API_AUDIT.md');
    for (const [code, status] of Object.entries(ERROR_STATUS)) expect(doc).toContain(`| ${status} | \`${code}\` |`);
  });

  it('the prose lists the seeded ids the reference server really uses', async () => {
    const doc = await read('docs/TASKER_API_AUDIT.md');
    const ids = [
      DEMO_IDS.workspace,
      ...Object.values(DEMO_IDS.projects).map((project) => project.id),
      ...Object.values(DEMO_IDS.issues),
      ...Object.values(DEMO_IDS.projects.DEMO.states),
      ...Object.values(DEMO_IDS.projects.DEMO.labels),
    ];
    for (const id of ids) expect(doc).toContain(id);
  });
});
