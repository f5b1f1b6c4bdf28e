import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, type CallToolResult, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Ajv, type ValidateFunction } from 'ajv';
import type { Scope } from '../auth/scopes.js';
import { listedTools } from './tool-listing.js';
import type { ToolDefinition, ToolManifest } from './tool-manifest.js';
import { type GraphQLAnswer, toolError, toToolResult } from './tool-results.js';

/**
 * One MCP server over the persisted operations, whatever carries it (Streamable HTTP in the
 * gateway, stdio in the local wrapper). Only how an operation is executed differs between them.
 */
export interface OperationExecutor {
  execute(tool: ToolDefinition, variables: Record<string, unknown>): Promise<{ answer: GraphQLAnswer; requestId: string }>;
}

export const SERVER_INFO = { name: 'nodedc-tasker-agent-gateway', version: '0.1.0' } as const;

const INSTRUCTIONS =
  'Tools for NODE.DC Tasker, used as an agent on behalf of its owner. Start with list_projects or resolve_project, ' +
  'read states, labels and members with get_project_context, then read or change issues. Pass an idempotencyKey on ' +
  'writes and reuse it when retrying.';

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new WeakMap<ToolDefinition, ValidateFunction>();

function validatorFor(tool: ToolDefinition): ValidateFunction {
  let validate = validators.get(tool);
  if (!validate) {
    validate = ajv.compile(tool.inputSchema);
    validators.set(tool, validate);
  }
  return validate;
}

/** Names the violated rule and where, e.g. "input.title: must be string". */
function describeViolations(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .map((error) => {
      const where = error.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'arguments';
      const extra = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
      return `${where}: ${error.message ?? 'is invalid'}${extra}`;
    })
    .join('; ');
}

export function createToolServer(options: {
  manifest: ToolManifest;
  /** The caller's effective scopes, read when tools are listed or called. */
  scopes: () => Promise<ReadonlySet<Scope>> | ReadonlySet<Scope>;
  executor: OperationExecutor;
}): Server {
  const server = new Server(SERVER_INFO, { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS });

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: listedTools(options.manifest.tools, await options.scopes()),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const { name, arguments: args = {} } = request.params;
    // Scopes are not checked here: the operation's own path (shield, scope-auth, grants) refuses
    // and audits, so a call refused here and one refused there cannot disagree.
    const tool = options.manifest.tools.find((candidate) => candidate.name === name);
    if (!tool) return toolError([{ code: 'BAD_USER_INPUT', message: `there is no tool named ${name}; list the tools first` }], 'none');
    const validate = validatorFor(tool);
    if (!validate(args)) {
      return toolError([{ code: 'BAD_USER_INPUT', message: `arguments do not match the input schema of ${name}: ${describeViolations(validate)}` }], 'none');
    }
    const { answer, requestId } = await options.executor.execute(tool, args);
    return toToolResult(answer, requestId);
  });

  return server;
}
