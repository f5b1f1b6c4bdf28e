import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_PATH, serializeManifest } from '../../src/mcp/manifest.js';
import { readOperationFiles } from '../../src/mcp/operation-files.js';
import { buildToolManifest, operationId } from '../../src/mcp/tool-manifest.js';
import { renderToolsContract } from '../../src/mcp/tools-contract.js';
import { pothosSchema } from '../../src/schema/index.js';
import { createAgent, createToken, setGrant } from '../support/fixtures.js';
import { errorCode, graphql, startTestGateway, type TestGateway } from '../support/gateway.js';
import { tempDirs } from '../support/processes.js';

const built = buildToolManifest(pothosSchema, readOperationFiles());
const temp = tempDirs();
afterAll(() => temp.removeAll());

describe('persisted operations and their tools', () => {
  it('the committed manifest is what the operation files build (run `npm run build:mcp`)', () => {
    expect(readFileSync(MANIFEST_PATH, 'utf8')).toBe(serializeManifest(built));
  });

  it('docs/MCP_TOOLS_CONTRACT.md is generated from the same manifest (run `npm run build:mcp`)', () => {
    expect(readFileSync(new URL('../../docs/MCP_TOOLS_CONTRACT.md', import.meta.url), 'utf8')).toBe(renderToolsContract(built));
  });

  it('every tool agrees with its operation: id, variables, kind and required inputs', () => {
    for (const tool of built.tools) {
      const document = built.persistedOperations[tool.operationId];
      expect(document, tool.name).toBeDefined();
      expect(operationId(document!)).toBe(tool.operationId);
      const [operation] = parse(document!).definitions;
      if (operation?.kind !== 'OperationDefinition') throw new Error('not an operation');
      expect(operation.name?.value).toBe(tool.operationName);
      expect(operation.operation).toBe(tool.kind);
      const variables = (operation.variableDefinitions ?? []).map((definition) => definition.variable.name.value);
      expect(Object.keys(tool.inputSchema.properties ?? {}).sort()).toEqual([...variables].sort());
      const required = (operation.variableDefinitions ?? [])
        .filter((definition) => definition.type.kind === 'NonNullType')
        .map((definition) => definition.variable.name.value);
      expect([...(tool.inputSchema.required ?? [])].sort()).toEqual(required.sort());
      expect(tool.annotations.readOnlyHint).toBe(tool.kind === 'query');
      expect(tool.name).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(tool.description.length).toBeLessThanOrEqual(200);
    }
  });

  it('refuses an operation file that disagrees with its notes', () => {
    const dir = temp.make('ops-');
    const bad = (name: string, source: string) => {
      writeFileSync(join(dir, `${name}.graphql`), source);
      return () => buildToolManifest(pothosSchema, [{ file: `${name}.graphql`, source }]);
    };
    expect(bad('NoDescription', 'query NoDescription { agentSession { tokenId } }')).toThrow(/description/);
    expect(bad('Undocumented', '# Reads.\nquery Undocumented($id: ID!) { issue(id: $id) { id } }')).toThrow(/\$id has no "# @param"/);
    expect(bad('Stray', '# Reads.\n# @param nope x\nquery Stray { agentSession { tokenId } }')).toThrow(/@param nope is not a variable/);
    expect(bad('Launcher', '# Lists.\nquery Launcher { agents { nodes { id } } }')).toThrow(/not an agent field/);
    expect(bad('Wrong', '# Reads.\nquery Other { agentSession { tokenId } }')).toThrow(/named after its operation/);
    expect(bad('Loose', '# Reads.\nquery Loose { agentSession { tokenId } }')).toThrow(/@toolset/);
    expect(bad('Astray', '# Reads.\n# @toolset nowhere\nquery Astray { agentSession { tokenId } }')).toThrow(/@toolset/);
  });
});

describe('agents and GraphQL documents', () => {
  let gateway: TestGateway;
  let agentToken: string;
  let agentId: string;
  let launcher: string;

  beforeAll(async () => {
    gateway = await startTestGateway();
    launcher = await gateway.launcherToken({ sub: 'owner' });
    agentId = await createAgent(gateway, launcher);
    await setGrant(gateway, launcher, agentId, 'p1', ['ISSUES_READ']);
    agentToken = (await createToken(gateway, launcher, agentId)).secret;
  });
  afterAll(() => gateway.close());

  it('refuses an agent any document that is not persisted, introspection included', async () => {
    for (const query of ['{ __schema { types { name } } }', '{ agentSession { tokenId } }', print(parse(built.persistedOperations[built.tools[0]!.operationId]!))]) {
      const result = await graphql(gateway, query, { token: agentToken });
      expect(errorCode(result), query).toBe('PERSISTED_OPERATION_ONLY');
      expect(result.status).toBe(403);
    }
    const refusals = await gateway.db
      .selectFrom('audit_events')
      .select(['action', 'outcome', 'reason'])
      .where('agent_id', '=', agentId)
      .where('action', '=', 'agent.graphql')
      .execute();
    expect(refusals).toHaveLength(3);
    expect(refusals.every((event) => event.outcome === 'denied' && event.reason?.startsWith('PERSISTED_OPERATION_ONLY'))).toBe(true);
  });

  it('lets the Launcher run arbitrary documents, introspection included', async () => {
    const result = await graphql<{ __schema: { queryType: { name: string } } }>(gateway, '{ __schema { queryType { name } } }', { token: launcher });
    expect(result.data!.__schema.queryType.name).toBe('Query');
  });
});
