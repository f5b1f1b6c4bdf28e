import { fileURLToPath } from 'node:url';
import { loadCredentials } from '../credentials.js';
import type { CommandIO } from '../io.js';

/**
 * `tasker-agent codex-config [--name tasker] [--gateway URL]`: prints the two ways to connect Codex.
 * The token never appears: the stdio way reads it from the credentials file, the HTTP way from an
 * environment variable Codex passes as the bearer token.
 */
const BIN = fileURLToPath(new URL('../../../bin/tasker-agent.js', import.meta.url));

export async function codexConfig(io: CommandIO, options: { name: string; gateway?: string }): Promise<number> {
  if (!/^[A-Za-z0-9_-]+$/.test(options.name)) return io.fail('--name may hold letters, digits, - and _ only');
  const loaded = await loadCredentials();
  const gateway = (options.gateway ?? (loaded.ok ? loaded.credentials.gateway : 'https://YOUR-GATEWAY')).replace(/\/+$/, '');
  // The two ways are two Codex servers: each needs its own name, or the second `codex mcp add`
  // would replace the first (and config.toml would hold one table twice).
  const stdioName = options.name;
  const httpName = `${options.name}_http`;
  io.out(`# 1) Local stdio wrapper (uses the token stored by "tasker-agent pair"):
#    codex mcp add ${stdioName} -- node ${BIN} mcp
#    or in ~/.codex/config.toml:
[mcp_servers.${stdioName}]
command = "node"
args = [${JSON.stringify(BIN)}, "mcp"]

# 2) Streamable HTTP straight to the gateway, token from an environment variable:
#    export TASKER_AGENT_TOKEN=...   (tasker-agent pair <CODE> --gateway ${gateway} --print-token)
#    codex mcp add ${httpName} --url ${gateway}/mcp --bearer-token-env-var TASKER_AGENT_TOKEN
#    or in ~/.codex/config.toml:
[mcp_servers.${httpName}]
url = "${gateway}/mcp"
bearer_token_env_var = "TASKER_AGENT_TOKEN"`);
  return 0;
}
