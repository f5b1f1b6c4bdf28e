import { createHash } from 'node:crypto';
import {
  type DocumentNode,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  parse,
  print,
  validate,
} from 'graphql';
import { type Scope, sortScopes } from '../auth/scopes.js';
import { type JsonSchema, nonNullSelectionSchema, SHARED_ARGUMENTS, type ObjectJsonSchema, variablesSchema } from './json-schema.js';
import { type OperationFile, readOperationNotes } from './operation-files.js';
import { isToolset, type ToolsetName } from './toolsets.js';

/**
 * Turns the persisted operations into MCP tool definitions. Everything about a tool comes from
 * its operation file and the schema: name (snake_case of the operation name), description and
 * parameter notes (the file's comments), input schema (its variables), output schema (its
 * selection), scopes (the Pothos authScopes of the root fields it calls) and annotations.
 */
export interface ToolDefinition {
  name: string;
  title: string;
  description: string;
  operationName: string;
  toolset: ToolsetName;
  /** sha256 of the printed document: the persisted operation id. */
  operationId: string;
  kind: 'query' | 'mutation';
  /** Every one of these must be in the agent's effective scopes for the tool to be listed. */
  scopes: Scope[];
  inputSchema: ObjectJsonSchema;
  outputSchema: JsonSchema;
  annotations: { readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean; openWorldHint: boolean };
}

export interface ToolManifest {
  tools: ToolDefinition[];
  /** operationId → document, served by Yoga's persisted-operations plugin. */
  persistedOperations: Record<string, string>;
}

export const toSnakeCase = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
const toTitle = (name: string) => toSnakeCase(name).replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

export const operationId = (document: string) => createHash('sha256').update(document).digest('hex');

function rootScopes(schema: GraphQLSchema, operation: OperationDefinitionNode): Scope[] {
  const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  const scopes: string[] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) continue;
    const field = root?.getFields()[selection.name.value];
    const authScopes = (field?.extensions?.pothosOptions as { authScopes?: unknown } | undefined)?.authScopes;
    if (typeof authScopes !== 'object' || authScopes === null) {
      throw new Error(`${operation.name?.value}: root field ${selection.name.value} has no static authScopes`);
    }
    if ('agentScope' in authScopes) scopes.push(String(authScopes.agentScope));
    else if (!('agent' in authScopes)) throw new Error(`${operation.name?.value}: ${selection.name.value} is not an agent field`);
  }
  return sortScopes(scopes);
}

function onlyOperation(document: DocumentNode, file: string): OperationDefinitionNode {
  const [definition, ...rest] = document.definitions;
  if (!definition || rest.length > 0 || definition.kind !== Kind.OPERATION_DEFINITION || !definition.name) {
    throw new Error(`${file}: expected exactly one named operation`);
  }
  if (definition.operation === 'subscription') throw new Error(`${file}: subscriptions are not tools`);
  return definition;
}

export function buildToolManifest(schema: GraphQLSchema, files: OperationFile[]): ToolManifest {
  const tools: ToolDefinition[] = [];
  const persistedOperations: Record<string, string> = {};
  for (const { file, source } of files) {
    const document = parse(source);
    const errors = validate(schema, document);
    if (errors.length > 0) throw new Error(`${file}: ${errors.map((error) => error.message).join('; ')}`);
    const operation = onlyOperation(document, file);
    const name = operation.name!.value;
    if (`${name}.graphql` !== file) throw new Error(`${file}: the file must be named after its operation (${name}.graphql)`);
    const notes = readOperationNotes(source);
    if (!notes.description) throw new Error(`${file}: a tool needs a description comment`);
    const variables = (operation.variableDefinitions ?? []).map((definition) => definition.variable.name.value);
    for (const variable of variables) {
      if (!notes.params[variable] && !SHARED_ARGUMENTS.has(variable)) throw new Error(`${file}: $${variable} has no "# @param" note`);
    }
    for (const param of Object.keys(notes.params)) if (!variables.includes(param)) throw new Error(`${file}: @param ${param} is not a variable`);
    const scopes = rootScopes(schema, operation);
    const toolset = notes.toolset;
    if (toolset === undefined || !isToolset(toolset)) throw new Error(`${file}: a tool needs "# @toolset <name>" naming a toolset of src/mcp/toolsets.ts`);
    const isQuery = operation.operation === 'query';
    if (isQuery && (notes.destructive || notes.idempotent)) throw new Error(`${file}: queries are read-only; drop @destructive/@idempotent`);

    const printed = print(document);
    const id = operationId(printed);
    persistedOperations[id] = printed;
    const root = isQuery ? schema.getQueryType()! : schema.getMutationType()!;
    tools.push({
      name: toSnakeCase(name),
      title: toTitle(name),
      description: notes.description,
      operationName: name,
      toolset,
      operationId: id,
      kind: isQuery ? 'query' : 'mutation',
      scopes,
      inputSchema: variablesSchema(schema, operation, notes.params),
      outputSchema: nonNullSelectionSchema(root, operation.selectionSet),
      annotations: {
        readOnlyHint: isQuery,
        destructiveHint: !isQuery && notes.destructive,
        idempotentHint: isQuery || notes.idempotent,
        // The tools reach one system (Tasker), not the open world.
        openWorldHint: false,
      },
    });
  }
  return { tools, persistedOperations };
}
