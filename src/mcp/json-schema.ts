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

/** Input side: a variable or input field. Optional means "leave it out" (null is not offered). */
export function inputSchema(type: GraphQLInputType): JsonSchema {
  if (isNonNullType(type)) return inputSchema(type.ofType);
  if (isListType(type)) return { type: 'array', items: inputSchema(type.ofType) };
  if (isEnumType(type)) return { type: 'string', enum: type.getValues().map((value) => value.name) };
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    return {
      type: 'object',
      properties: Object.fromEntries(fields.map((field) => [field.name, withDescription(inputSchema(field.type), field.description)])),
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
    properties[name] = withDescription(inputSchema(type), params[name]);
    if (definition.type.kind === Kind.NON_NULL_TYPE && !definition.defaultValue) required.push(name);
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

/** Output side: exactly the fields the operation selects, so the schema matches structuredContent. */
export function selectionSchema(type: GraphQLOutputType, selectionSet: SelectionSetNode | undefined): JsonSchema {
  if (isNonNullType(type)) return nonNullSelectionSchema(type.ofType, selectionSet);
  const inner = nonNullSelectionSchema(type, selectionSet);
  // `type: [x, "null"]` says the same as anyOf in fewer bytes of a model's context.
  if (typeof inner.type === 'string' && inner.type !== 'object' && !inner.enum) return { ...inner, type: [inner.type, 'null'] };
  return { anyOf: [inner, { type: 'null' }] };
}

export function nonNullSelectionSchema(type: GraphQLOutputType, selectionSet: SelectionSetNode | undefined): JsonSchema {
  if (isNonNullType(type)) return nonNullSelectionSchema(type.ofType, selectionSet);
  if (isListType(type)) return { type: 'array', items: selectionSchema(type.ofType, selectionSet) };
  if (isEnumType(type)) return { type: 'string', enum: type.getValues().map((value) => value.name) };
  if (isScalarType(type)) return scalarSchema(type.name);
  if (isObjectType(type)) {
    if (!selectionSet) throw new Error(`object type ${type.name} needs a selection`);
    const fields = type.getFields();
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const selection of selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) throw new Error('fragments are not used in tool operations');
      const field = fields[selection.name.value];
      if (!field) throw new Error(`${type.name}.${selection.name.value} does not exist`);
      const key = selection.alias?.value ?? selection.name.value;
      // No per-field descriptions here: they would repeat the tool description in every listing.
      properties[key] = selectionSchema(field.type, selection.selectionSet);
      required.push(key);
    }
    return { type: 'object', properties, required };
  }
  throw new Error(`unsupported output type ${String(type)}`);
}
