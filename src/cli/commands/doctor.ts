import { stat } from 'node:fs/promises';
import { loadToolManifest } from '../../mcp/manifest.js';
import { toolsFor } from '../../mcp/tool-listing.js';
import { loadCredentials } from '../credentials.js';
import { checkHealth, runPersistedOperation, type TaskerReport } from '../gateway-client.js';
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

  // The last link: gateway → Tasker, through one real read the agent may make.
  const listProjects = manifest.tools.find((tool) => tool.operationName === 'ListProjects');
  if (!listProjects || !listProjects.scopes.every((scope) => scopes.includes(scope))) {
    io.out(`skip  gateway → Tasker: this token cannot list projects to check it${describeTasker(health.tasker)}`);
  } else {
    const answer = await runPersistedOperation(credentials.gateway, credentials.token, listProjects, {});
    const code = answer.errors?.[0]?.extensions?.code;
    if (!answer.errors?.length) ok('gateway → Tasker: Tasker answers');
    else if (code === 'TASKER_UNAVAILABLE' || code === 'TASKER_TIMEOUT') {
      // Readiness now holds what the gateway saw of this very call.
      const seen = (await checkHealth(credentials.gateway)).tasker;
      bad(`gateway → Tasker: the gateway works, but Tasker behind it does not answer (${code}); the Tasker side is broken, tell the gateway's operator${describeTasker(seen)}`);
    } else if (code === 'TASKER_REJECTED') {
      bad(`gateway → Tasker: Tasker refuses the gateway's signature (TASKER_REJECTED); the gateway's configuration is broken (TASKER_SIGNING_SECRET or clocks), tell its operator`);
    } else bad(`gateway → Tasker: listing projects failed with ${code ?? 'an error'}: ${answer.errors?.[0]?.message ?? ''}`);
  }
  return problems === 0 ? 0 : 1;
}

/** What the gateway's readiness says of Tasker, for the operator the user will talk to. */
function describeTasker(report: TaskerReport | undefined): string {
  if (!report?.lastError) return '';
  return ` (the gateway's last Tasker error: ${report.lastError.code} at ${report.lastError.at})`;
}
