import { stat } from 'node:fs/promises';
import { loadToolManifest } from '../../mcp/manifest.js';
import { toolsFor } from '../../mcp/tool-listing.js';
import { loadCredentials } from '../credentials.js';
import { checkHealth } from '../gateway-client.js';
import type { CommandIO } from '../io.js';
import { fetchSession } from '../session.js';

/** `tasker-agent doctor`: checks each link of the chain and says, in plain words, which one is broken. */
export async function doctor(io: CommandIO): Promise<number> {
  let problems = 0;
  const ok = (line: string) => io.out(`ok    ${line}`);
  const bad = (line: string) => {
    problems += 1;
    io.out(`FAIL  ${line}`);
  };

  const loaded = await loadCredentials();
  if (!loaded.ok) {
    bad(loaded.problem);
    return 1;
  }
  const { credentials, path } = loaded;
  ok(`credentials found in ${path}`);
  const mode = (await stat(path)).mode & 0o777;
  if (mode & 0o077) bad(`${path} is readable by others (mode ${mode.toString(8)}); run: chmod 600 "${path}"`);
  else ok('credentials file is readable only by you');

  const health = await checkHealth(credentials.gateway);
  if (!health.healthy) {
    bad(`the gateway at ${credentials.gateway} does not answer; check the address and your network`);
    return 1;
  }
  ok(`gateway ${credentials.gateway} answers`);
  if (health.ready) ok('gateway is ready (its database answers)');
  else bad('the gateway is up but not ready (its database does not answer); tell its operator');

  const manifest = loadToolManifest();
  const session = await fetchSession(credentials.gateway, credentials.token, manifest);
  if (!session.ok) {
    bad(
      session.code === 'UNAUTHENTICATED'
        ? `the gateway refuses the stored token: ${session.message}. Ask for a new pairing code and run "tasker-agent pair" again`
        : `the gateway answered ${session.code}: ${session.message}`,
    );
    return 1;
  }
  const { agent, owner, grants, scopes } = session.session;
  ok(`token accepted: agent "${agent.displayName}" acting for ${owner.email}`);
  if (grants.length === 0) bad('the agent has no project grants, so it can do nothing yet; ask its owner to grant projects in the Launcher');
  else for (const grant of grants) ok(`project ${grant.projectId}: ${grant.scopes.join(', ')}`);
  const tools = toolsFor(manifest.tools, new Set(scopes)).map((tool) => tool.name);
  io.out(`tools available to this agent (${tools.length}): ${tools.join(', ')}`);
  return problems === 0 ? 0 : 1;
}
