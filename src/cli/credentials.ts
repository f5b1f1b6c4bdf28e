import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * Where the paired token lives: $TASKER_AGENT_CONFIG_DIR, else $XDG_CONFIG_HOME/nodedc-tasker-agent,
 * else ~/.config/nodedc-tasker-agent — a 0700 folder with a 0600 file, written atomically.
 */
export const CredentialsSchema = z.object({
  gateway: z.url(),
  token: z.string().startsWith('ndcag_'),
  agent: z.object({ id: z.string(), displayName: z.string() }),
  owner: z.object({ userId: z.string(), email: z.string() }),
  pairedAt: z.string(),
});
export type Credentials = z.infer<typeof CredentialsSchema>;

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TASKER_AGENT_CONFIG_DIR) return env.TASKER_AGENT_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'nodedc-tasker-agent');
}

export const credentialsPath = (env: NodeJS.ProcessEnv = process.env) => join(configDir(env), 'credentials.json');

export async function saveCredentials(credentials: Credentials, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const dir = configDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const path = credentialsPath(env);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
  return path;
}

export type LoadedCredentials = { ok: true; credentials: Credentials; path: string } | { ok: false; path: string; problem: string };

export async function loadCredentials(env: NodeJS.ProcessEnv = process.env): Promise<LoadedCredentials> {
  const path = credentialsPath(env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { ok: false, path, problem: `no credentials at ${path}; run "tasker-agent pair <CODE> --gateway <URL>" first` };
  }
  const parsed = CredentialsSchema.safeParse(JSON.parse(text));
  return parsed.success
    ? { ok: true, credentials: parsed.data, path }
    : { ok: false, path, problem: `${path} is not a credentials file this version understands; pair again` };
}
