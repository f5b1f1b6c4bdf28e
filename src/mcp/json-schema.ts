import {
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  typeFromAST,
} from 'graphql';

/** The small JSON Schema subset tools need (draft 2020-12 keywords only). */
export type JsonSchema = {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  enum?: (string | null)[];
  format?: string;
  anyOf?: JsonSchema[];
};

/** A tool's input: always an object of named arguments. */
export type ObjectJsonSchema = JsonSchema & { type: 'object' };

function scalarSchema(name: string): JsonSchema {
  switch (name) {
    case 'Int':
      return { type: 'integer' };
    case 'Float':
      return { type: 'number' };
    case 'Boolean':
      return { type: 'boolean' };
    case 'DateTime':
      return { type: 'string', format: 'date-time' };
    case 'JSON':
      return {};
    default:
      return { type: 'string' }; // String, ID
  }
}

const withDescription = (schema: JsonSchema, description: string | null | undefined): JsonSchema =>
  description ? { ...schema, description } : schema;

/**
 * Arguments every write (or every list) takes, explained once in the server's instructions rather
 * than in every tool's schema: a shared definition costs a model's context once, not per tool.
 */
export const SHARED_ARGUMENTS: ReadonlySet<string> = new Set(['idempotencyKey', 'dryRun', 'first', 'after']);

const ownDescription = (name: string, description: string | null | undefined) => (SHARED_ARGUMENTS.has(name) ? undefined : description);

/** Input side: a variable or input field. Optional means "leave it out" (null is not offered). */
export function inputSchema(type: GraphQLInputType): JsonSchema {
  if (isNonNullType(type)) return inputSchema(type.ofType);
  if (isListType(type)) return { type: 'array', items: inputSchema(type.ofType) };
  if (isEnumType(type)) return { type: 'string', enum: type.getValues().map((value) => value.name) };
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    return {
      type: 'object',
      properties: Object.fromEntries(fields.map((field) => [field.name, withDescription(inputSchema(field.type), ownDescription(field.name, field.description))])),
      required: fields.filter((field) => isNonNullType(field.type)).map((field) => field.name),
      additionalProperties: false,
    };
  }
  if (isScalarType(type)) return scalarSchema(type.name);
  throw new Error(`unsupported input type ${String(type)}`);
}

export function variablesSchema(schema: GraphQLSchema, operation: OperationDefinitionNode, params: Record<string, string>): ObjectJsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (!type) throw new Error(`variable $${name} has an unknown type`);
    properties[name] = withDescription(inputSchema(type), ownDescription(name, params[name]));
    if (definition.type.kind === Kind.NON_NULL_TYPE && !definition.defaultValue) required.push(name);
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

/**
 * Output side: exactly the fields the operation selects, so the schema matches structuredContent,
 * and nothing a model's context pays for twice. Every selected field is always present (GraphQL
 * answers each one, null or not), so `required` lists would only repeat the property names; enum
 * values are the input schemas' to list; a nullable field is `anyOf` a type and null, the spelling
 * every client's schema dialect can map (a `type` array is not).
 */
export function selectionSchema(type: GraphQLOutputType, selectionSet: SelectionSetNode | undefined, depth = OUTPUT_DEPTH): JsonSchema {
  if (isNonNullType(type)) return nonNullSelectionSchema(type.ofType, selectionSet, depth);
  return { anyOf: [nonNullSelectionSchema(type, selectionSet, depth), { type: 'null' }] };
}

/**
 * How deep output schemas spell out objects: the answer's root fields and their properties. Deeper
 * objects are typed but not itemised; their fields are the operation's selection, which the text
 * content shows, and spelling them out would cost every listing hundreds of bytes.
 */
const OUTPUT_DEPTH = 1;

export function nonNullSelectionSchema(type: GraphQLOutputType, selectionSet: SelectionSetNode | undefined, depth = OUTPUT_DEPTH): JsonSchema {
  if (isNonNullType(type)) return nonNullSelectionSchema(type.ofType, selectionSet, depth);
  if (isListType(type)) return { type: 'array', items: selectionSchema(type.ofType, selectionSet, depth) };
  if (isEnumType(type)) return { type: 'string' };
  if (isScalarType(type)) return scalarSchema(type.name);
  if (isObjectType(type)) {
    if (!selectionSet) throw new Error(`object type ${type.name} needs a selection`);
    if (depth === 0) return { type: 'object' };
    const fields = type.getFields();
    const properties: Record<string, JsonSchema> = {};
    for (const selection of selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) throw new Error('fragments are not used in tool operations');
      const field = fields[selection.name.value];
      if (!field) throw new Error(`${type.name}.${selection.name.value} does not exist`);
      const key = selection.alias?.value ?? selection.name.value;
      // No per-field descriptions here: they would repeat the tool description in every listing.
      properties[key] = selectionSchema(field.type, selection.selectionSet, depth - 1);
    }
    return { type: 'object', properties };
  }
  throw new Error(`unsupported output type ${String(type)}`);
}
