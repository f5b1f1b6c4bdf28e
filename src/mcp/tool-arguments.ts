import { Ajv, type ValidateFunction } from 'ajv';
import type { ToolDefinition } from './tool-manifest.js';

/**
 * Checks a tool call's arguments against the tool's input schema before its operation runs. The
 * compiled validators live for the process, shared by every request and both transports: a
 * schema is compiled once, on its first call.
 */
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

export type ArgumentCheck = { ok: true } | { ok: false; violations: string };

export function checkArguments(tool: ToolDefinition, args: unknown): ArgumentCheck {
  const validate = validatorFor(tool);
  return validate(args) ? { ok: true } : { ok: false, violations: describeViolations(validate) };
}
