import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { MaxTokensParserWLexer } from '@escape.tech/graphql-armor-max-tokens';
import { createComplexityRule } from '@pothos/plugin-complexity';
import {
  type ASTNode,
  BREAK,
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  type ParseOptions,
  type Source,
  TypeInfo,
  validate,
  type ValidationContext,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLLimits } from '../../config/config.js';

/**
 * Bounds on the work one GraphQL document may ask for, the same for every caller (agents,
 * Launcher and anonymous alike), all checked before any resolver runs:
 *
 * - tokens: counted while parsing (graphql-armor), so a huge document stops at the limit
 *   instead of being parsed whole;
 * - aliases, depth, directives: graphql-armor validation rules (every alias counts, __typename too);
 * - cost: the Pothos complexity of the operation with the request's variables — each field costs
 *   1 and a list multiplies the cost of its selection by its page size (`first`), see the
 *   `complexity` options in src/schema/. It runs after the other rules, outside Yoga's validation
 *   cache, because it may depend on the variables; a cost that cannot is measured once per document.
 *
 * A refusal is QUERY_TOO_COMPLEX (400) naming the limit and what was found.
 */
export function tooComplex(message: string, details: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 }, details } });
}

type ArmorReject = (context: ValidationContext | null, error: GraphQLError) => void;

/** graphql-armor reports through callbacks; the error it would throw becomes ours. */
function reportAs(limit: string, max: number): { onReject: ArmorReject[]; propagateOnRejection: false; exposeLimits: true } {
  return {
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [
      (context, error) => {
        const found = /found (\d+)/.exec(error.message)?.[1];
        context?.reportError(
          tooComplex(`the document exceeds the ${limit} limit of ${max}${found ? ` (found ${found})` : ''}`, {
            limit,
            max,
            ...(found ? { found: Number(found) } : {}),
          }),
        );
      },
    ],
  };
}

/**
 * The cost of an operation, measured once per document and operation when no variable can change
 * it (the persisted agent operations' case), else on every request. A variable can change the cost
 * only as an argument of a field whose complexity is a function of its arguments (the Launcher's
 * paged lists) or in a directive (`@include(if: $x)`); that is read off the document once, with the
 * schema. Undefined when the cost cannot be measured (unknown operation, variables that do not
 * fit): execution reports those in its own words (BAD_USER_INPUT), and such a request never runs a
 * resolver either.
 */
interface DocumentCost {
  dependsOnVariables: boolean;
  byOperation: Map<string | null, number>;
}
const documentCosts = new WeakMap<DocumentNode, DocumentCost>();

const mentionsVariable = (node: ASTNode) => {
  let found = false;
  visit(node, {
    Variable() {
      found = true;
      return BREAK;
    },
  });
  return found;
};

function costDependsOnVariables(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let depends = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Directive(node) {
        if (mentionsVariable(node)) depends = true;
      },
      Field(node) {
        const complexity = typeInfo.getFieldDef()?.extensions?.complexity;
        if (typeof complexity === 'function' && (node.arguments ?? []).some(mentionsVariable)) depends = true;
      },
    }),
  );
  return depends;
}

function costOf(schema: GraphQLSchema, document: DocumentNode, operationName: string | null, variables: unknown): number | undefined {
  let known = documentCosts.get(document);
  if (!known) {
    known = { dependsOnVariables: costDependsOnVariables(schema, document), byOperation: new Map() };
    documentCosts.set(document, known);
  }
  const measured = known.byOperation.get(operationName);
  if (measured !== undefined) return measured;
  let complexity: number | undefined;
  validate(schema, document, [
    createComplexityRule({
      context: {},
      variableValues: variables !== null && typeof variables === 'object' ? (variables as Record<string, unknown>) : {},
      operationName,
      validate: (result) => {
        complexity = result.complexity;
      },
    }),
  ]);
  if (complexity !== undefined && !known.dependsOnVariables) known.byOperation.set(operationName, complexity);
  return complexity;
}

export function useDocumentLimits(limits: GraphQLLimits): Plugin {
  const parseWithTokenLimit = (source: string | Source, options?: ParseOptions) => {
    const parser = new MaxTokensParserWLexer(source, { ...options, n: limits.maxTokens, exposeLimits: true, onReject: [], propagateOnRejection: true });
    try {
      return parser.parseDocument();
    } catch (error) {
      if (error instanceof GraphQLError && error.message.includes('Token limit')) {
        throw tooComplex(`the document exceeds the token limit of ${limits.maxTokens}`, { limit: 'tokens', max: limits.maxTokens });
      }
      throw error;
    }
  };
  const shapeRules = [
    maxAliasesRule({ n: limits.maxAliases, allowList: [], ...reportAs('aliases', limits.maxAliases) }),
    // Introspection counts too: a deeply nested __type chain is as much a document as any other.
    maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: false, ...reportAs('depth', limits.maxDepth) }),
    maxDirectivesRule({ n: limits.maxDirectives, ...reportAs('directives', limits.maxDirectives) }),
  ];

  return {
    onParse({ setParseFn }) {
      setParseFn(parseWithTokenLimit);
    },
    onValidate({ addValidationRule, params, context }) {
      for (const rule of shapeRules) addValidationRule(rule);
      const request = (context as { params?: { variables?: unknown; operationName?: string | null } }).params;
      const variables = request?.variables;
      return ({ valid, result, setResult }) => {
        if (!valid) return;
        const operationName = request?.operationName ?? null;
        const complexity = costOf(params.schema, params.documentAST, operationName, variables);
        if (complexity !== undefined && complexity > limits.maxCost) {
          setResult([
            ...result,
            tooComplex(`the operation costs ${complexity}, over the budget of ${limits.maxCost}; ask for smaller pages (first) or fewer fields`, {
              limit: 'cost',
              max: limits.maxCost,
              found: complexity,
            }),
          ]);
        }
      };
    },
  };
}
