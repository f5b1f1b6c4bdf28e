import { hostname } from 'node:os';
import { normalizePairingCode } from '../../auth/pairing-code.js';
import { saveCredentials } from '../credentials.js';
import { exchangePairingCode } from '../gateway-client.js';
import type { CommandIO } from '../io.js';
import { toScopes } from '../session.js';

/** `tasker-agent pair <CODE> --gateway <URL> [--print-token]` */
export async function pair(io: CommandIO, code: string | undefined, options: { gateway?: string; printToken: boolean }): Promise<number> {
  if (!code) return io.fail('usage: tasker-agent pair <CODE> --gateway <URL>   (the code is shown in the NODE.DC Launcher as XXXX-XXXX)');
  if (!options.gateway) return io.fail('pass the gateway address: --gateway https://gateway.example (ask whoever gave you the code)');
  const normalized = normalizePairingCode(code);
  if (!normalized.ok) return io.fail(`that is not a pairing code: ${normalized.reason}`);
  const gateway = options.gateway.replace(/\/+$/, '');

  let answer;
  try {
    answer = await exchangePairingCode(gateway, normalized.code, `tasker-agent on ${hostname()}`);
  } catch (error) {
    return io.fail(`pairing failed: ${(error as Error).message}`);
  }
  const path = await saveCredentials({
    gateway,
    token: answer.secret,
    agent: answer.agent,
    owner: answer.owner,
    pairedAt: new Date().toISOString(),
  });
  io.out(`Paired as agent "${answer.agent.displayName}" acting for ${answer.owner.email}.`);
  io.out(answer.grants.length === 0 ? 'It has no project grants yet; ask its owner to grant projects in the Launcher.' : 'Projects and scopes:');
  for (const grant of answer.grants) io.out(`  ${grant.projectId}: ${toScopes(grant.scopes).join(', ')}`);
  io.out(`The token expires ${answer.token.expiresAt} and is stored in ${path} (readable only by you).`);
  io.out('Next: tasker-agent codex-config   (prints how to add this agent to Codex)');
  if (options.printToken) io.out(answer.secret);
  return 0;
}
