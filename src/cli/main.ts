import { parseArgs } from 'node:util';
import { codexConfig } from './commands/codex-config.js';
import { doctor } from './commands/doctor.js';
import { mcp } from './commands/mcp.js';
import { pair } from './commands/pair.js';
import { type CommandIO, processIO } from './io.js';

const USAGE = `tasker-agent — connect a local AI agent to NODE.DC Tasker through the agent gateway

  tasker-agent pair <CODE> --gateway <URL> [--print-token]
      trade a pairing code from the NODE.DC Launcher for this agent's token (stored 0600)
  tasker-agent mcp [--toolsets issues,comments|all]
      run an MCP server on stdio for Codex, Claude Code and other MCP clients
      (default toolsets: context, issues, comments; more: relations, planning)
  tasker-agent doctor
      check the gateway, the stored token and the agent's grants
  tasker-agent codex-config [--name tasker] [--gateway <URL>]
      print the Codex configuration (stdio wrapper, or Streamable HTTP with a bearer token)`;

export async function run(argv: string[], io: CommandIO = processIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        gateway: { type: 'string' },
        'print-token': { type: 'boolean', default: false },
        name: { type: 'string', default: 'tasker' },
        toolsets: { type: 'string' },
      },
    });
    switch (command) {
      case 'pair':
        return await pair(io, positionals[0], { ...(values.gateway ? { gateway: values.gateway } : {}), printToken: values['print-token'] });
      case 'mcp':
        return await mcp(io, { toolsets: values.toolsets });
      case 'doctor':
        return await doctor(io);
      case 'codex-config':
        return await codexConfig(io, { name: values.name, ...(values.gateway ? { gateway: values.gateway } : {}) });
      case undefined:
      case 'help':
      case '--help':
        io.out(USAGE);
        return command === undefined ? 1 : 0;
      default:
        return io.fail(`unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (error) {
    return io.fail(`tasker-agent: ${(error as Error).message}`);
  }
}
