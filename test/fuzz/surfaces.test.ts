import { Agent, type IncomingMessage, request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../reference-tasker/index.js';
import type { NodeServerContext } from '../../src/http/request-context.js';
import type { JsonSchema } from '../../src/mcp/json-schema.js';
import { loadToolManifest } from '../../src/mcp/manifest.js';
import { testDatabaseKind } from '../support/database.js';
import { createAgent, createToken } from '../support/fixtures.js';
import { DEMO, OPS, PRIV, startTestStack, type TestStack } from '../support/stack.js';

/**
 * Property-based fuzzing of every surface, with the reference Tasker behind the gateway and one
 * agent granted DEMO only. REST, GraphQL and MCP are driven in process through the app's fetch
 * handler, the one the listener calls (no sockets to pay for); headers go over a real socket, since
 * the Host header becomes the request's URL in the HTTP adapter, before that handler. Whatever the
 * input, every answer must be: never 5xx; in the surface's own error shape with a stable code; free
 * of stack traces and file paths; and, for an agent, free of anything from projects it is not
 * granted. Each property prints its case count, its 5xx count and its cost per case.
 *
 * Cases per surface (FUZZ_RUNS overrides): 10,000 on the pglite project, 1,000 on the postgres one.
 * What is fuzzed is how the gateway's edges treat hostile input (parsing, validation, credentials,
 * refusals and their audit events, error shapes), not the database: PGlite is PostgreSQL itself
 * compiled to WebAssembly, with the same migrations, types and text rules (NUL, encodings), so the
 * long run on one of them finds what it would find on the other. The postgres project runs the
 * same properties at a tenth, to catch what the other driver (pg) could do differently. GraphQL's
 * cases are shared by its three callers: Launcher and strangers half, agents 40 %, the anonymous
 * pairing exchange 10 %. FUZZ_SEED replays a failure.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? (testDatabaseKind() === 'pglite' ? 10_000 : 1_000));
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

const INTERNALS = /\n\s+at \S+ \(|node_modules\/|\/work\/|\/src\/\w+\/\S+\.ts|\.ts:\d+:\d+|file:\/\//;
const STABLE_CODE = /^[A-Z][A-Z0-9_]+$/;
const manifest = loadToolManifest();

/** Text no agent of DEMO may ever read: names, texts and ids of OPS and PRIV (unless it sent them itself). */
const UNGRANTED = [
  'Private Roadmap',
  'Only the outsider is a member',
  'Customer report: export fails',
  'Reported by email',
  OPS.id,
  PRIV.id,
  DEMO_IDS.issues['OPS-1'],
];

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const NASTY = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\r\n',
  'line\nbreak',
  '\u001b[31mred\u001b[0m',
  '\u0007',
  '\u202eevil',
  '\u2066x\u2069',
  '\ud800',
  'x\udc00y',
  '\ud83e\udd16',
  '\uffff',
  'DEMO',
  'DEMO-1',
  'DEMO-999999',
  'OPS',
  'OPS-1',
  'PRIV',
  'PRIV-1',
  DEMO.id,
  OPS.id,
  PRIV.id,
  DEMO_IDS.issues['DEMO-1'],
  DEMO_IDS.issues['OPS-1'],
  '00000000-0000-0000-0000-000000000000',
  '../../../etc/passwd',
  '%00',
  '%E0%A4%A',
  "'; drop table agents; --",
  '${jndi:ldap://x}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'ndcag_notarealtoken',
  `ghp_${'aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYz9A8'}`,
  'a'.repeat(300),
  'é'.repeat(5000),
  '-1',
  '1e309',
  'NaN',
  'null',
  'true',
];

const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...NASTY), fc.string({ unit: 'binary', maxLength: 10 })).map(([a, b]) => a + b) },
);

const nastyNumber = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 1, 100, 101, 2 ** 31, 2 ** 53, -(2 ** 53), 0.5), fc.double({ noNaN: true, noDefaultInfinity: true }));

const { json: jsonish } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyString,
    nastyNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(nastyString, tie('json'), { maxKeys: 4 }),
  ),
}));

/** A value shaped like the schema (its property names, types and enums) with hostile contents. */
function shaped(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return jsonish;
  const s = schema as JsonSchema & { enum?: unknown[]; properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[] };
  const options: fc.Arbitrary<unknown>[] = [jsonish];
  if (s.enum) options.push(fc.constantFrom(...s.enum), fc.constantFrom(...s.enum), fc.constantFrom(...s.enum));
  if (s.anyOf) options.push(...s.anyOf.map((member) => shaped(member, depth + 1)));
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  for (const type of types) {
    if (type === 'string') options.push(nastyString, nastyString, nastyString);
    if (type === 'integer' || type === 'number') options.push(nastyNumber, nastyNumber);
    if (type === 'boolean') options.push(fc.boolean(), fc.boolean());
    if (type === 'array') options.push(fc.array(shaped(s.items, depth + 1), { maxLength: 4 }), fc.array(shaped(s.items, depth + 1), { maxLength: 4 }));
    if (type === 'object' && s.properties) {
      const record = fc.record(
        Object.fromEntries(Object.entries(s.properties).map(([key, value]) => [key, shaped(value, depth + 1)])),
        { requiredKeys: [] },
      );
      options.push(record, record, record, record);
    }
  }
  return fc.oneof(...options);
}

/** Deeply nested JSON text (arrays or objects), the kind that overflows recursive walkers. */
const deepJson = fc
  .tuple(fc.integer({ min: 1, max: 50_000 }), fc.boolean())
  .map(([depth, arrays]) => (arrays ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`));

/** A body as text: JSON of a value, deep nesting, truncated JSON or plain noise. */
const bodyText = (value: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 8, arbitrary: value.map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: deepJson },
    { weight: 1, arbitrary: value.map((v) => (JSON.stringify(v) ?? '').slice(0, -1)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  );

/** Header values must be bytes a Request accepts: printable ASCII and spaces. */
const headerText = fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((text) => text.replace(/[^\x20-\x7e]/g, '')), fc.constantFrom(...NASTY.filter((text) => /^[\x20-\x7e]*$/.test(text))));

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/graphql', 'application/graphql+json', '', 'application/json; charset=latin1') },
  { weight: 1, arbitrary: headerText },
);

const someHeaders = fc.record(
  {
    origin: fc.oneof(fc.constantFrom('http://localhost:3000', 'https://evil.example', 'null', 'http://127.0.0.1'), headerText),
    'x-request-id': fc.oneof(fc.uuid(), headerText),
    accept: fc.oneof(fc.constantFrom('application/json', 'application/graphql-response+json', 'text/event-stream', 'text/html', '*/*', 'application/json, text/event-stream'), headerText),
    'mcp-protocol-version': fc.oneof(fc.constantFrom('2025-06-18', '2025-11-25', '2026-07-28', '1999-01-01'), headerText),
    'x-mcp-toolsets': fc.oneof(fc.constantFrom('issues', 'all', 'issues,planning', 'nope'), headerText),
  },
  { requiredKeys: [] },
);

/**
 * Protocol headers now and then: a foreign Origin or Accept stops a request at the first gate, and
 * the header property below fuzzes them all; here most cases go on to what the surface does.
 */
const extraHeaders = fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: someHeaders });

type Credential = 'none' | 'launcher' | 'agent' | 'garbage';
const credentialKind = fc.constantFrom<Credential>('none', 'launcher', 'agent', 'garbage');

// ---------------------------------------------------------------------------------------------
// Running and checking one case
// ---------------------------------------------------------------------------------------------

type Surface = 'rest' | 'graphql-launcher' | 'graphql-agent' | 'mcp' | 'pairing' | 'headers';
const tally: Record<Surface, { cases: number; serverErrors: number; ms: number }> = {
  rest: { cases: 0, serverErrors: 0, ms: 0 },
  'graphql-launcher': { cases: 0, serverErrors: 0, ms: 0 },
  'graphql-agent': { cases: 0, serverErrors: 0, ms: 0 },
  mcp: { cases: 0, serverErrors: 0, ms: 0 },
  pairing: { cases: 0, serverErrors: 0, ms: 0 },
  headers: { cases: 0, serverErrors: 0, ms: 0 },
};

let stack: TestStack;
let launcher: string;
let launcherMintedAt = 0;

/**
 * The Launcher's JWT lives two minutes and a long run takes longer: it is minted again once a
 * minute, so Launcher cases keep testing a valid token (expired ones are the garbage cases' job).
 */
async function keepLauncherFresh(): Promise<void> {
  if (Date.now() - launcherMintedAt < 60_000) return;
  launcher = await stack.gateway.launcherToken({ sub: 'local-user', email: 'local@example.test' });
  launcherMintedAt = Date.now();
}
let agentToken: string;
let clientCounter = 0;

/** Each case from its own network, so the per-network limits do not turn every case into a 429. */
function serverContext(): NodeServerContext {
  clientCounter += 1;
  const remoteAddress = `10.${(clientCounter >> 8) & 255}.${clientCounter & 255}.7`;
  return { req: { socket: { remoteAddress } } as unknown as IncomingMessage };
}

interface Answer {
  status: number;
  type: string;
  text: string;
}

async function send(surface: Surface, request: Request): Promise<Answer> {
  const started = performance.now();
  const response = await stack.gateway.app.fetch(request, serverContext());
  const text = await response.text();
  tally[surface].cases += 1;
  tally[surface].ms += performance.now() - started;
  if (response.status >= 500) tally[surface].serverErrors += 1;
  return { status: response.status, type: response.headers.get('content-type') ?? '', text };
}

function credentialHeader(kind: Credential, garbage: string): Record<string, string> {
  if (kind === 'launcher') return { authorization: `Bearer ${launcher}` };
  if (kind === 'agent') return { authorization: `Bearer ${agentToken}` };
  if (kind === 'garbage') return { authorization: garbage };
  return {};
}

function requestFor(path: string, init: { method: string; headers: Record<string, string>; body?: string }): Request {
  const method = init.method;
  return new Request(`http://gateway.test${path}`, {
    method,
    headers: init.headers,
    ...(init.body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body: init.body } : {}),
  });
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** The data lines of a text/event-stream answer (an MCP result sent as SSE). */
const sseMessages = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => parseJson(line.slice(5).trim()));

function checkCommon(answer: Answer, sent: string, agentFacing: boolean): void {
  expect(answer.status, answer.text.slice(0, 500)).toBeLessThan(500);
  // The GraphiQL page (text/html, 200) inlines its bundled scripts, module paths and all: no leak.
  if (!(answer.status === 200 && answer.type.startsWith('text/html'))) expect(answer.text).not.toMatch(INTERNALS);
  if (agentFacing) {
    for (const marker of UNGRANTED) if (!sent.includes(marker)) expect(answer.text).not.toContain(marker);
  }
}

function checkRest(answer: Answer, path: string): void {
  if (answer.status < 400) return;
  // /oauth/authorize is a browser's page: its refusals are HTML pages for the person.
  if (path.startsWith('/oauth/authorize') && answer.type.startsWith('text/html')) return;
  const body = parseJson(answer.text) as { error?: unknown; error_description?: unknown } | undefined;
  expect(body, answer.text.slice(0, 300)).toBeTypeOf('object');
  if (path.startsWith('/oauth/') || path.startsWith('/.well-known/')) {
    // OAuth endpoints speak RFC 6749's shape: {"error":"invalid_request",...}, or the REST envelope.
    const error = body!.error;
    expect(typeof error === 'string' ? error : (error as { code?: string }).code).toMatch(/^[a-zA-Z_]+$/);
    return;
  }
  const error = body!.error as { code?: unknown; message?: unknown };
  expect(error.code, answer.text.slice(0, 300)).toMatch(STABLE_CODE);
  expect(error.message).toBeTypeOf('string');
}

function checkGraphql(answer: Answer): void {
  if (answer.status === 204 || answer.type.startsWith('text/html')) return;
  type Result = { errors?: { extensions?: { code?: unknown } }[]; data?: unknown };
  // GraphQL over SSE (Accept: text/event-stream): every result is a `data:` line.
  const sse = answer.type.startsWith('text/event-stream') ? (sseMessages(answer.text).filter(Boolean) as Result[]) : undefined;
  const body: Result | undefined = sse ? { errors: sse.flatMap((result) => result.errors ?? []), data: sse.find((result) => result.data)?.data } : (parseJson(answer.text) as Result | undefined);
  if (answer.status >= 400) expect(body?.errors?.length ?? 0, `${answer.status} ${answer.type} ${answer.text.slice(0, 300)}`).toBeGreaterThan(0);
  if (!body) {
    expect(answer.status, answer.text.slice(0, 300)).toBe(200);
    return;
  }
  for (const error of body.errors ?? []) expect(error.extensions?.code, answer.text.slice(0, 300)).toMatch(STABLE_CODE);
}

function checkMcp(answer: Answer): void {
  if (answer.status === 202 && answer.text === '') return;
  const messages = answer.type.startsWith('text/event-stream') ? sseMessages(answer.text) : [parseJson(answer.text)];
  expect(messages.length, answer.text.slice(0, 300)).toBeGreaterThan(0);
  for (const message of messages as { jsonrpc?: string; error?: { code?: unknown }; result?: unknown }[]) {
    expect(message?.jsonrpc, answer.text.slice(0, 300)).toBe('2.0');
    if (answer.status >= 400) expect(Number.isInteger(message.error?.code), answer.text.slice(0, 300)).toBe(true);
    if (message.error) expect(Number.isInteger(message.error.code)).toBe(true);
  }
}

/**
 * An answer in its surface's shape. A Host header that makes no URL is refused by the router before
 * any surface is chosen, in the REST envelope (BAD_USER_INPUT); Node's own HTTP parser answers a
 * request it cannot parse with a bare 400 and no body.
 */
function checkAnySurface(answer: Answer, path: string): void {
  if (answer.status === 400 && answer.text === '') return;
  const envelope = parseJson(answer.text) as { error?: { code?: unknown; message?: unknown } } | undefined;
  if (answer.status === 400 && envelope?.error?.code === 'BAD_USER_INPUT' && String(envelope.error.message).includes('Host header')) return;
  if (path === '/graphql') return checkGraphql(answer);
  if (path === '/mcp') return checkMcp(answer);
  return checkRest(answer, path);
}

/** A hang guard far beyond a property's run on a loaded machine, not a speed expectation. */
const LONG_RUN = { timeout: 1_800_000 } as const;

/** A property's share of its surface's cases. */
const runs = (share = 1) => ({ numRuns: Math.max(1, Math.round(RUNS * share)), ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: true });

// ---------------------------------------------------------------------------------------------

describe('fuzzing every surface', () => {
  beforeAll(async () => {
    stack = await startTestStack({
      PAIRING_EXCHANGE_RATE_LIMIT_PER_MINUTE: '10000',
      // X-Forwarded-For is one of the fuzzed headers; trusted, it names the client address.
      TRUST_PROXY: 'true',
      // Agent writes that pass validation create issues; dry runs and refusals are the usual case.
      TASKER_TIMEOUT_MS: '5000',
    });
    await keepLauncherFresh();
    ({ token: agentToken } = await stack.agentWith({ [DEMO.id]: ['PROJECTS_READ', 'ISSUES_READ', 'ISSUES_WRITE', 'COMMENTS_WRITE', 'LABELS_WRITE'] }, 'Fuzzed agent'));
  }, 120_000);

  afterAll(async () => {
    const graphqlCases = tally['graphql-launcher'].cases + tally['graphql-agent'].cases + tally.pairing.cases;
    const graphqlErrors = tally['graphql-launcher'].serverErrors + tally['graphql-agent'].serverErrors + tally.pairing.serverErrors;
    process.stdout.write(`fuzz GraphQL (Launcher, strangers, agents, pairing): ${graphqlCases} cases, ${graphqlErrors} 5xx\n`);
    for (const [surface, counts] of Object.entries(tally)) {
      // One line per surface, for the record: how many cases ran and how many answered 5xx.
      process.stdout.write(
        `fuzz ${surface}: ${counts.cases} cases, ${counts.serverErrors} 5xx, ${counts.cases ? (counts.ms / counts.cases).toFixed(2) : 0} ms/case\n`,
      );
    }
    await stack?.close();
  });

  it('REST: any method, path, credential, headers and body', LONG_RUN, async () => {
    const paths = fc.oneof(
      fc.constantFrom('/healthz', '/readyz', '/api/v1/meta/capabilities', '/api/v1/agents', '/api/v1/agent-session', '/nope', '/', '/oauth/token', '/oauth/register', '/oauth/authorize', '/.well-known/oauth-authorization-server', '/.well-known/oauth-protected-resource/mcp'),
      nastyString.map((segment) => `/api/v1/agents/${uriEncode(segment)}/tokens`),
      fc.string({ unit: 'binary-ascii', maxLength: 30 }).map((text) => `/api/v1/agents/${text.replace(/[^\x21-\x7e]/g, '').replace(/[?#]/g, '')}/tokens`),
      fc.string({ unit: 'binary-ascii', maxLength: 30 }).map((text) => `/${encodeURIComponent(text)}`),
    );
    const restBody = shaped({
      type: 'object',
      properties: {
        owner_user_id: { type: 'string' },
        owner_email: { type: 'string' },
        display_name: { type: 'string' },
        name: { type: 'string' },
        scopes: { type: 'array', items: { type: 'string', enum: ['issues:read', 'issues:write', 'nope'] } } as JsonSchema,
        expires_in_days: { type: 'integer' },
      },
    } as JsonSchema);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
        paths,
        credentialKind,
        headerText,
        contentType,
        extraHeaders,
        bodyText(restBody),
        async (method, path, credential, garbage, type, headers, body) => {
          await keepLauncherFresh();
          const request = requestFor(path, { method, headers: { ...headers, ...credentialHeader(credential, garbage), 'content-type': type }, body });
          const answer = await send('rest', request);
          checkCommon(answer, path + body + JSON.stringify(headers) + garbage, credential === 'agent');
          checkRest(answer, path);
        },
      ),
      runs(),
    );
    expect(tally.rest.serverErrors).toBe(0);
  });

  const LAUNCHER_DOCUMENTS = [
    'mutation($input: CreateAgentInput!) { createAgent(input: $input) { id displayName } }',
    'mutation($id: ID!, $displayName: String!) { renameAgent(id: $id, displayName: $displayName) { id } }',
    'mutation($input: CreateTokenInput!) { createToken(input: $input) { token { id name } } }',
    'mutation($input: SetGrantInput!) { setGrant(input: $input) { projectId scopes } }',
    'mutation($input: CreatePairingCodeInput!) { createPairingCode(input: $input) { expiresAt } }',
    'query($first: Int, $after: String) { agents(first: $first, after: $after) { nodes { id tokens { id } grants { projectId } } pageInfo { endCursor } } }',
    'query($agentId: String, $first: Int, $after: String) { auditEvents(agentId: $agentId, first: $first, after: $after) { nodes { id action reason } } }',
    'query($id: ID!) { agent(id: $id) { id displayName } }',
    '{ me { userId email role } }',
    '{ __schema { types { name } } }',
    '{ __typename }',
  ];
  const launcherVariables = shaped({
    type: 'object',
    properties: {
      input: {
        type: 'object',
        properties: {
          displayName: { type: 'string' },
          agentId: { type: 'string' },
          name: { type: 'string' },
          projectId: { type: 'string' },
          scopes: { type: 'array', items: { type: 'string', enum: ['ISSUES_READ', 'ISSUES_WRITE', 'NOPE'] } },
          expiresInDays: { type: 'integer' },
          tokenExpiresInDays: { type: 'integer' },
        },
      },
      id: { type: 'string' },
      displayName: { type: 'string' },
      first: { type: 'integer' },
      after: { type: 'string' },
      agentId: { type: 'string' },
    },
  } as JsonSchema);
  /** A document from the list, mangled at a random place now and then. */
  const launcherDocument = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...LAUNCHER_DOCUMENTS) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...LAUNCHER_DOCUMENTS), fc.nat(), nastyString)
        .map(([document, at, insert]) => document.slice(0, at % (document.length + 1)) + insert + document.slice(at % (document.length + 1))),
    },
    { weight: 1, arbitrary: nastyString },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((n) => `{ ${'a: __typename '.repeat(n)} }`) },
  );

  it('GraphQL for the Launcher (and strangers): documents, variables, extensions, methods, headers', LONG_RUN, async () => {
    await fc.assert(
      fc.asyncProperty(
        launcherDocument,
        launcherVariables,
        fc.option(nastyString),
        fc.option(jsonish),
        fc.constantFrom<Credential>('launcher', 'launcher', 'launcher', 'none', 'garbage'),
        headerText,
        fc.constantFrom('POST', 'POST', 'POST', 'POST', 'GET'),
        contentType,
        extraHeaders,
        fc.integer({ min: 0, max: 9 }),
        async (query, variables, operationName, extensions, credential, garbage, method, type, headers, shape) => {
          await keepLauncherFresh();
          const params = { query, variables, ...(operationName === null ? {} : { operationName }), ...(extensions === null ? {} : { extensions }) };
          // Now and then the whole params object is replaced by something that is not one.
          const body = shape === 0 ? JSON.stringify(variables) : shape === 1 ? JSON.stringify([params, params]) : JSON.stringify(params);
          const path = method === 'GET' ? `/graphql?query=${uriEncode(query)}&variables=${uriEncode(JSON.stringify(variables))}` : '/graphql';
          const request = requestFor(path, { method, headers: { ...headers, ...credentialHeader(credential, garbage), 'content-type': type }, body });
          const answer = await send('graphql-launcher', request);
          checkCommon(answer, body + path + JSON.stringify(headers) + garbage, false);
          checkGraphql(answer);
        },
      ),
      runs(0.5),
    );
    expect(tally['graphql-launcher'].serverErrors).toBe(0);
  });

  /** Tool arguments shaped like each tool's input schema (the persisted operation's variables). */
  const toolCall = fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(...manifest.tools).chain((tool) => shaped(tool.inputSchema).map((args) => ({ tool, args }))) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...manifest.tools), jsonish).map(([tool, args]) => ({ tool, args })) },
  );

  it('GraphQL for agents: persisted operations with hostile variables, unknown ids, documents', LONG_RUN, async () => {
    await fc.assert(
      fc.asyncProperty(
        toolCall,
        fc.constantFrom('persisted', 'persisted', 'persisted', 'persisted', 'unknown-id', 'document', 'no-id'),
        fc.option(nastyString),
        extraHeaders,
        async ({ tool, args }, form, operationName, headers) => {
          await keepLauncherFresh();
          const extensions = form === 'persisted' ? { persistedQuery: { version: 1, sha256Hash: tool.operationId } } : form === 'unknown-id' ? { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } : undefined;
          const params = {
            operationName: operationName ?? tool.operationName,
            variables: args,
            ...(extensions ? { extensions } : {}),
            ...(form === 'document' ? { query: '{ agentSession { agent { id } } }' } : {}),
          };
          const body = JSON.stringify(params);
          const request = requestFor('/graphql', { method: 'POST', headers: { ...headers, 'content-type': 'application/json', authorization: `Bearer ${agentToken}` }, body });
          const answer = await send('graphql-agent', request);
          checkCommon(answer, body + JSON.stringify(headers), true);
          checkGraphql(answer);
        },
      ),
      runs(0.4),
    );
    expect(tally['graphql-agent'].serverErrors).toBe(0);
  });

  it('MCP: JSON-RPC messages, tool calls with hostile arguments, headers', LONG_RUN, async () => {
    const message = fc.oneof(
      { weight: 6, arbitrary: fc.tuple(toolCall, fc.oneof(fc.nat(), nastyString)).map(([{ tool, args }, id]) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: tool.name, arguments: args } })) },
      { weight: 1, arbitrary: fc.tuple(nastyString, jsonish).map(([name, args]) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } })) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.constantFrom('initialize', 'tools/list', 'resources/list', 'resources/read', 'resources/templates/list', 'prompts/list', 'ping', 'notifications/initialized', 'logging/setLevel', 'completion/complete'), fc.option(jsonish), fc.option(fc.oneof(fc.nat(), nastyString, fc.constant(null))))
          .map(([method, params, id]) => ({ jsonrpc: '2.0', method, ...(params === null ? {} : { params }), ...(id === null ? {} : { id }) })),
      },
      { weight: 1, arbitrary: jsonish },
    );
    await fc.assert(
      fc.asyncProperty(
        message,
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom<Credential>('agent', 'agent', 'agent', 'agent', 'agent', 'agent', 'none', 'launcher', 'garbage'),
        headerText,
        contentType,
        extraHeaders,
        fc.constantFrom('POST', 'POST', 'POST', 'POST', 'POST', 'POST', 'GET', 'DELETE'),
        async (rpc, shape, credential, garbage, type, headers, method) => {
          await keepLauncherFresh();
          const body = shape === 0 ? JSON.stringify([rpc, rpc]) : shape === 1 ? deepBody() : JSON.stringify(rpc);
          const request = requestFor('/mcp', {
            method,
            headers: { accept: 'application/json, text/event-stream', ...headers, ...credentialHeader(credential, garbage), 'content-type': type },
            body,
          });
          const answer = await send('mcp', request);
          checkCommon(answer, body + JSON.stringify(headers) + garbage, true);
          checkMcp(answer);
        },
      ),
      runs(),
    );
    expect(tally.mcp.serverErrors).toBe(0);
  });

  it('the pairing exchange: hostile codes and token names from strangers', LONG_RUN, async () => {
    await keepLauncherFresh();
    const agentId = await createAgent(stack.gateway, launcher, 'Paired by fuzz');
    await createToken(stack.gateway, launcher, agentId);
    /** A real code now and then, so the success path is fuzzed too. */
    const realCode = async () => {
      const response = await stack.gateway.app.fetch(
        requestFor('/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${launcher}` },
          body: JSON.stringify({ query: 'mutation($input: CreatePairingCodeInput!) { createPairingCode(input: $input) { code } }', variables: { input: { agentId } } }),
        }),
        {},
      );
      return ((await response.json()) as { data: { createPairingCode: { code: string } } }).data.createPairingCode.code;
    };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 9, arbitrary: nastyString }, { weight: 1, arbitrary: fc.constant('<real>') }),
        fc.option(nastyString),
        fc.option(jsonish),
        extraHeaders,
        async (code, tokenName, extra, headers) => {
          await keepLauncherFresh();
          const input = { code: code === '<real>' ? await realCode() : code, ...(tokenName === null ? {} : { tokenName }), ...(extra === null ? {} : { extra }) };
          const body = JSON.stringify({
            query: 'mutation($input: ExchangePairingCodeInput!) { exchangePairingCode(input: $input) { secret agent { id } } }',
            variables: { input: extra === null ? { code: input.code, ...(tokenName === null ? {} : { tokenName }) } : input },
          });
          const request = requestFor('/graphql', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
          const answer = await send('pairing', request);
          checkCommon(answer, body + JSON.stringify(headers), true);
          checkGraphql(answer);
        },
      ),
      runs(0.1),
    );
    expect(tally.pairing.serverErrors).toBe(0);
  });

  /**
   * Headers go over a real socket to the listener: the Host header becomes the request's URL in the
   * HTTP adapter, before the fetch handler, so only the listener's path can fuzz it. Each route gets
   * a body it accepts, so what varies is the headers: Host, Authorization, Content-Type,
   * Content-Encoding, Accept, Origin, X-Request-Id, X-Forwarded-For (the stack trusts it), trace
   * context, MCP's, CORS preflight's. Values are any bytes a header may carry (tab, printable ASCII,
   * obs-text).
   */
  it('headers: every surface through the listener, with hostile header values', LONG_RUN, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const ROUTES: { method: string; path: string; body: string }[] = [
      { method: 'POST', path: '/graphql', body: JSON.stringify({ query: '{ __typename }' }) },
      { method: 'POST', path: '/graphql', body: JSON.stringify({ operationName: 'GetAgentSession', variables: {}, extensions: { persistedQuery: { version: 1, sha256Hash: manifest.tools.find((tool) => tool.operationName === 'GetAgentSession')!.operationId } } }) },
      { method: 'GET', path: '/graphql', body: '' },
      { method: 'OPTIONS', path: '/graphql', body: '' },
      { method: 'POST', path: '/mcp', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) },
      { method: 'POST', path: '/mcp', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } } }) },
      { method: 'GET', path: '/mcp', body: '' },
      { method: 'GET', path: '/api/v1/agent-session', body: '' },
      { method: 'GET', path: '/api/v1/meta/capabilities', body: '' },
      { method: 'POST', path: '/api/v1/agents', body: JSON.stringify({ display_name: 'Header fuzz' }) },
      { method: 'GET', path: '/healthz', body: '' },
      { method: 'GET', path: '/readyz', body: '' },
      { method: 'POST', path: '/oauth/token', body: 'grant_type=authorization_code&code=x' },
      { method: 'GET', path: '/.well-known/oauth-protected-resource/mcp', body: '' },
      { method: 'GET', path: '/.well-known/oauth-authorization-server', body: '' },
      { method: 'GET', path: '/nope', body: '' },
    ];
    /** What a header value may hold on the wire: tab, printable ASCII and obs-text (0x80–0xFF). */
    const wireText = fc.oneof(
      fc.string({ unit: fc.oneof(fc.constant('\t'), fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), fc.integer({ min: 0x80, max: 0xff }).map((code) => String.fromCharCode(code))), maxLength: 60 }),
      headerText,
      fc.constantFrom('', ' ', 'a'.repeat(2000)),
    );
    const host = fc.oneof(
      fc.constantFrom('gateway.test', '127.0.0.1:4100', '[::1]:4100', 'exa mple:99999', '[::1', 'a b', 'x:y:z', '%zz', 'user@host', 'host/path', 'host?q', 'host#f', '..', ':', '[]', '[::ffff:1.2.3.4]', 'localhost:0', 'localhost:-1', 'xn--80ak6aa92e.com', 'h'.repeat(300)),
      wireText,
    );
    const credential = fc.oneof(
      fc.constantFrom<Credential>('none', 'launcher', 'agent').map((kind) => credentialHeader(kind, '')),
      wireText.map((text) => ({ authorization: text })),
      wireText.map((text) => ({ authorization: `Bearer ${text}` })),
      fc.tuple(fc.constantFrom<Credential>('launcher', 'agent'), fc.nat(), wireText).map(([kind, at, insert]) => {
        const value = credentialHeader(kind, '').authorization!;
        return { authorization: value.slice(0, at % value.length) + insert + value.slice(at % value.length) };
      }),
    );
    const optional = <T>(value: fc.Arbitrary<T>) => fc.option(value, { freq: 2 });
    const headerSet = fc.record({
      host,
      'content-type': optional(fc.oneof(contentType, wireText)),
      'content-encoding': optional(fc.oneof(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'gzip, gzip', 'zstd'), wireText)),
      accept: optional(fc.oneof(fc.constantFrom('application/json', 'text/html', 'text/event-stream', 'application/json, text/event-stream', '*/*'), wireText)),
      origin: optional(fc.oneof(fc.constantFrom('http://localhost:3000', 'https://evil.example', 'null'), wireText)),
      'x-request-id': optional(wireText),
      'x-forwarded-for': optional(fc.oneof(fc.constantFrom('203.0.113.9', '::1', '1.2.3.4, 5.6.7.8', 'unknown', '999.1.1.1', '[::1]:80', ''), wireText)),
      traceparent: optional(fc.oneof(fc.constant('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), wireText)),
      tracestate: optional(wireText),
      'mcp-protocol-version': optional(fc.oneof(fc.constantFrom('2025-06-18', '2025-11-25', '2026-07-28'), wireText)),
      'mcp-session-id': optional(wireText),
      'x-mcp-toolsets': optional(wireText),
      'access-control-request-method': optional(fc.oneof(fc.constantFrom('POST', 'GET', 'DELETE'), wireText)),
      'access-control-request-headers': optional(wireText),
    });
    const target = new URL(stack.gateway.url);
    const overSocket = (method: string, path: string, headers: Record<string, string>, body: string, retried = false): Promise<Answer> =>
      new Promise<Answer>((resolve, reject) => {
        const request = httpRequest(
          { agent, host: target.hostname, port: target.port, method, path, setHost: false, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'] ?? '', text: Buffer.concat(chunks).toString('utf8') }));
            response.on('error', reject);
          },
        );
        request.on('error', (error: NodeJS.ErrnoException) => {
          // A kept-alive socket the server closed after its last answer: that request never reached it.
          if (request.reusedSocket && error.code === 'ECONNRESET' && !retried) resolve(overSocket(method, path, headers, body, true));
          else reject(error);
        });
        request.end(body);
      });
    try {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...ROUTES), credential, headerSet, async (route, authorization, optionalHeaders) => {
          await keepLauncherFresh();
          const headers = Object.fromEntries(Object.entries({ ...optionalHeaders, ...authorization }).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
          const started = performance.now();
          const answer = await overSocket(route.method, route.path, headers, route.body);
          tally.headers.cases += 1;
          tally.headers.ms += performance.now() - started;
          if (answer.status >= 500) tally.headers.serverErrors += 1;
          checkCommon(answer, JSON.stringify(headers), true);
          checkAnySurface(answer, route.path);
        }),
        runs(),
      );
    } finally {
      agent.destroy();
    }
    expect(tally.headers.serverErrors).toBe(0);
  });
});

/** A URL cannot carry a lone surrogate (no UTF-8 for it); the percent-encoding of U+FFFD stands in. */
const uriEncode = (text: string) => encodeURIComponent(text.replace(/\p{Cs}/gu, '\ufffd'));

/** A JSON-RPC message nested deeper than any walker should recurse. */
function deepBody(): string {
  const depth = 20_000;
  return `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create_issue","arguments":{"input":${'['.repeat(depth)}1${']'.repeat(depth)}}}}`;
}
