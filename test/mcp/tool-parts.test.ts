import { describe, expect, it } from 'vitest';
import type { Scope } from '../../src/auth/scopes.js';
import { compactText } from '../../src/mcp/compact-text.js';
import { loadToolManifest } from '../../src/mcp/manifest.js';
import { readOperationNotes } from '../../src/mcp/operation-files.js';
import { createOriginPolicy, isLoopbackHost } from '../../src/mcp/origin-policy.js';
import { checkArguments } from '../../src/mcp/tool-arguments.js';
import { listedTools, toolsFor } from '../../src/mcp/tool-listing.js';
import { toSnakeCase } from '../../src/mcp/tool-manifest.js';
import { toolError, toToolResult } from '../../src/mcp/tool-results.js';
import { DEFAULT_TOOLSETS, parseToolsets, TOOLSET_NAMES } from '../../src/mcp/toolsets.js';

/**
 * The MCP endpoint's parts that decide on their own, through their exported functions: which
 * browser origins may call, which toolsets a client selected, which tools an agent sees, how
 * arguments are checked, and what a model reads back (compact text, errors with a next step).
 * The same behaviour over the wire is in streamable-http, allowed-origins and mcp-toolsets.
 */
describe('the origin policy', () => {
  it('knows loopback hosts, bracketed or not, in any case, and nothing that only looks like one', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.9.8.7', '::1', '[::1]']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '10.0.0.1', '::', 'localhost.example', '127.0.0.1.example', 'x127.0.0.1', '128.0.0.1', '']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('accepts listed origins and its own, refuses the rest and anything that is not an http(s) origin', () => {
    const allowed = createOriginPolicy({ allowedOrigins: ['https://launcher.example.test/some/path', 'not a url'], publicUrl: 'https://gateway.example.test:8443/base', listenHost: '0.0.0.0' });
    expect(allowed('https://launcher.example.test')).toBe(true);
    expect(allowed('https://gateway.example.test:8443')).toBe(true);
    for (const origin of ['https://gateway.example.test', 'http://launcher.example.test', 'http://localhost:3000', 'null', 'not a url', 'ftp://launcher.example.test', '']) {
      expect(allowed(origin), origin).toBe(false);
    }
  });

  it('accepts any loopback origin only when the gateway listens on loopback', () => {
    const local = createOriginPolicy({ allowedOrigins: [], publicUrl: undefined, listenHost: '127.0.0.1' });
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1', 'https://[::1]:8080']) expect(local(origin), origin).toBe(true);
    for (const origin of ['http://127.0.0.2', 'http://evil.example', 'null']) expect(local(origin), origin).toBe(false);
    const open = createOriginPolicy({ allowedOrigins: [], publicUrl: undefined, listenHost: '0.0.0.0' });
    expect(open('http://localhost:5173')).toBe(false);
  });
});

describe('toolsets', () => {
  it('defaults when nothing or only blanks are selected, widens for all, narrows otherwise', () => {
    const selected = (value: string | null | undefined) => {
      const parsed = parseToolsets(value);
      if (!parsed.ok) throw new Error(parsed.message);
      return [...parsed.toolsets];
    };
    for (const value of [undefined, null, '', ' , ,']) expect(selected(value), String(value)).toEqual([...DEFAULT_TOOLSETS]);
    expect(DEFAULT_TOOLSETS).toEqual(['context', 'issues', 'comments']);
    expect(selected('ALL')).toEqual(TOOLSET_NAMES);
    expect(TOOLSET_NAMES).toEqual(['context', 'issues', 'comments', 'relations', 'planning']);
    expect(parseToolsets(' Planning , issues')).toEqual({ ok: true, toolsets: new Set(['planning', 'issues']) });
  });

  it('refuses an unknown name, naming it and the known ones', () => {
    expect(parseToolsets('issues,nope,toString')).toEqual({ ok: false, message: 'unknown toolset nope, tostring; known: context, issues, comments, relations, planning, or all' });
  });
});

describe('which tools an agent sees', () => {
  const { tools } = loadToolManifest();
  const byName = (name: string) => tools.find((tool) => tool.name === name)!;

  it('every scope of a tool, and its toolset, must be there', () => {
    const createIssue = byName('create_issue');
    expect(createIssue.scopes.length).toBeGreaterThan(0);
    const all = new Set(tools.flatMap((tool) => tool.scopes));
    const without = (scope: Scope) => new Set([...all].filter((candidate) => candidate !== scope));
    expect(toolsFor([createIssue], all)).toEqual([createIssue]);
    for (const scope of createIssue.scopes) expect(toolsFor([createIssue], without(scope)), scope).toEqual([]);
    expect(toolsFor([createIssue], all, new Set(['comments']))).toEqual([]);
    expect(toolsFor([createIssue], all, new Set(['issues']))).toEqual([createIssue]);
    expect(toolsFor(tools, all).length).toBe(tools.length);
  });

  it('lists a tool with what a model reads and none of the bookkeeping', () => {
    const tool = byName('get_issue');
    expect(listedTools([tool], new Set(tool.scopes))).toEqual([
      { name: tool.name, description: tool.description, inputSchema: tool.inputSchema, outputSchema: tool.outputSchema, annotations: tool.annotations },
    ]);
    expect(listedTools([tool], new Set(tool.scopes), new Set(['planning']))).toEqual([]);
  });
});

describe('argument checks', () => {
  const tool = loadToolManifest().tools.find((candidate) => candidate.name === 'create_issue')!;

  it('passes arguments that fit and names each violation with its place', () => {
    expect(checkArguments(tool, { input: { projectId: 'p', title: 't' } })).toEqual({ ok: true });
    const check = checkArguments(tool, { input: { projectId: 'p', title: 5, extra: 1 }, stray: true });
    expect(check.ok).toBe(false);
    const violations = (check as { violations: string }).violations.split('; ');
    expect(violations).toContain('input.title: must be string');
    expect(violations).toContain('input: must NOT have additional properties (extra)');
    expect(violations).toContain('arguments: must NOT have additional properties (stray)');
    expect(checkArguments(tool, {})).toEqual({ ok: false, violations: "arguments: must have required property 'input'" });
  });
});

describe('what a model reads back', () => {
  it('compact text: one key per line, nested indented, plain lists inline, records as lines, text as blocks, nulls and empties left out', () => {
    expect(
      compactText({
        issue: { key: 'DEMO-1', done: false, n: 3, labels: ['bug', 'ui'], parent: null, none: [], state: { id: 's', name: 'Todo' }, body: 'a\nb' },
        rows: [{ id: 1, tags: ['x'] }, 'plain', { deep: { inner: 1 } }, { deep: { inner: { x: 1 } } }],
        note: 'multi\nline',
      }),
    ).toBe(
      [
        'issue:',
        '  key: DEMO-1',
        '  done: false',
        '  n: 3',
        '  labels: [bug, ui]',
        '  state: {id: s, name: Todo}',
        '  body: |',
        '    a',
        '    b',
        'rows:',
        '  - id: 1, tags: [x]',
        '  - plain',
        '  - deep: {inner: 1}',
        '  - deep:',
        '      inner: {x: 1}',
        'note: |',
        '  multi',
        '  line',
      ].join('\n'),
    );
  });

  it('compact text says so when there is nothing to show', () => {
    expect(compactText({ a: null, b: [] })).toBe('done (nothing to show)');
    expect(compactText({ list: [null, 'x\ny'] })).toBe(['list:', '  - ', '  - x', '    y'].join('\n'));
  });

  it('a success carries the data twice (structured and as text) and the write key it ran under', () => {
    expect(toToolResult({ data: { ok: true }, extensions: { idempotencyKey: 'k1' } }, 'r1')).toEqual({
      content: [{ type: 'text', text: 'ok: true' }],
      structuredContent: { ok: true },
      _meta: { idempotencyKey: 'k1' },
    });
    expect(toToolResult({ data: { ok: true }, extensions: { idempotencyKey: 7 } }, 'r1')).toEqual({ content: [{ type: 'text', text: 'ok: true' }], structuredContent: { ok: true } });
  });

  it('an error is a result with a next step per code, the request id, and how to retry a write', () => {
    const result = toToolResult({ data: null, errors: [{ message: 'no', extensions: { code: 'FORBIDDEN' } }, { message: 'odd' }], extensions: { idempotencyKey: 'k2' } }, 'r2');
    expect(result).toEqual({
      isError: true,
      content: [
        {
          type: 'text',
          text: [
            'FORBIDDEN: no. This agent is not allowed to do this. Do not retry; tell the user which grant or scope is missing.',
            'INTERNAL_SERVER_ERROR: odd. The gateway could not complete this call. Tell the user; do not retry blindly.',
            'This write ran under idempotencyKey "k2": to retry it, call the tool again with the same arguments and "idempotencyKey": "k2".',
            '(request id r2)',
          ].join('\n'),
        },
      ],
      _meta: { idempotencyKey: 'k2' },
    });
    expect(toToolResult({ data: { partial: 1 }, errors: [{ message: 'x', extensions: { code: 'NOT_FOUND' } }] }, 'r3').isError).toBe(true);
    expect(toToolResult({}, 'r4').isError).toBe(true);
  });

  it('every code the gateway answers with has its own next step', () => {
    const codes = [
      'UNAUTHENTICATED',
      'FORBIDDEN',
      'PERSISTED_OPERATION_ONLY',
      'PERSISTED_OPERATION_NOT_FOUND',
      'BAD_USER_INPUT',
      'GRAPHQL_VALIDATION_FAILED',
      'NOT_FOUND',
      'CONFLICT',
      'IDEMPOTENCY_IN_PROGRESS',
      'IDEMPOTENCY_KEY_REUSED',
      'RATE_LIMITED',
      'RICH_CONTENT_WOULD_BE_LOST',
      'TASKER_UNAVAILABLE',
      'TASKER_TIMEOUT',
      'TASKER_WRITE_NOT_APPLIED',
      'WRITE_OUTCOME_UNKNOWN',
      'GATEWAY_UNREACHABLE',
    ];
    const step = (code: string) => (toolError([{ code, message: 'm' }], 'r').content[0] as { text: string }).text.replace(`${code}: m. `, '').replace('\n(request id r)', '');
    const fallback = step('SOMETHING_ELSE');
    const steps = codes.map(step);
    for (const [index, text] of steps.entries()) {
      expect(text, codes[index]).not.toBe(fallback);
      expect(text.length, codes[index]).toBeGreaterThan(20);
    }
    // Two codes share a step on purpose (both mean "fix the arguments"); every other step is its own.
    expect(new Set(steps).size).toBe(codes.length - 1);
    expect(step('BAD_USER_INPUT')).toBe(step('GRAPHQL_VALIDATION_FAILED'));
  });
});

describe('operation notes', () => {
  it('reads the description, params and annotations above the operation, and stops at it', () => {
    expect(
      readOperationNotes(['', '  # Moves an issue.', '# Second line.', '# @param id  the issue', '# @destructive', '#@idempotent', '# @toolset issues', 'mutation X { x }', '# @param late ignored'].join('\n')),
    ).toEqual({ description: 'Moves an issue. Second line.', params: { id: 'the issue' }, destructive: true, idempotent: true, toolset: 'issues' });
    expect(readOperationNotes('query Y { y }')).toEqual({ description: '', params: {}, destructive: false, idempotent: false, toolset: undefined });
  });

  it('refuses a note it does not know', () => {
    expect(() => readOperationNotes('# @destructiv\nquery Z { z }')).toThrow('unknown note "@destructiv"');
    expect(() => readOperationNotes('# @toolset two words\nquery Z { z }')).toThrow('unknown note');
  });

  it('names tools in snake case', () => {
    expect(toSnakeCase('GetIssue')).toBe('get_issue');
    expect(toSnakeCase('ListIssues2Go')).toBe('list_issues2_go');
  });
});
