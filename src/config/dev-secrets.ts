import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { type Config, ConfigError } from './config.js';

/**
 * Outside production the quick start must work with no set-up, yet no secret may be hard-coded.
 * Missing secrets are generated once and kept in DATA_DIR/dev-secrets.json (mode 0600), where the
 * dev JWT command and the spawned reference Tasker find the same values.
 */
const DevSecretsSchema = z.object({ launcherJwtSecret: z.string().min(32), taskerSigningSecret: z.string().min(32) });
export type DevSecrets = z.infer<typeof DevSecretsSchema>;

export const devSecretsPath = (dataDir: string) => join(dataDir, 'dev-secrets.json');

export async function loadOrCreateDevSecrets(dataDir: string): Promise<DevSecrets> {
  const path = devSecretsPath(dataDir);
  try {
    return DevSecretsSchema.parse(JSON.parse(await readFile(path, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secrets: DevSecrets = {
    launcherJwtSecret: randomBytes(32).toString('base64url'),
    taskerSigningSecret: randomBytes(32).toString('base64url'),
  };
  await mkdir(dataDir, { recursive: true });
  await writeFile(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return secrets;
}

/**
 * Production takes its secrets from the environment only. A dev-secrets.json in its DATA_DIR would
 * let `npm run dev:jwt` (run there without NODE_ENV=production) sign Launcher JWTs, with the
 * production secret if it was copied from there: production refuses to start beside one.
 */
function refuseDevSecretsInProduction(config: Config): void {
  const path = devSecretsPath(config.dataDir);
  if (!existsSync(path)) return;
  throw new ConfigError([
    `DATA_DIR: ${path} holds generated development secrets, which npm run dev:jwt signs Launcher JWTs with; production takes LAUNCHER_JWT_SECRET and TASKER_SIGNING_SECRET from the environment: delete the file, or set DATA_DIR to a folder without it`,
  ]);
}

/** Fills the secrets production would require; production never reaches here with gaps (config.ts). */
export async function withDevSecrets(config: Config): Promise<Config> {
  if (config.env === 'production') {
    refuseDevSecretsInProduction(config);
    return config;
  }
  const needsLauncher = !config.launcherJwt.hs256Secret && !config.launcherJwt.eddsaPublicKeyPem && !config.launcherJwt.jwksUrl;
  const needsTasker = !config.tasker.signingSecret;
  if (!needsLauncher && !needsTasker) return config;
  const secrets = await loadOrCreateDevSecrets(config.dataDir);
  return {
    ...config,
    launcherJwt: needsLauncher ? { ...config.launcherJwt, hs256Secret: secrets.launcherJwtSecret } : config.launcherJwt,
    tasker: needsTasker ? { ...config.tasker, signingSecret: secrets.taskerSigningSecret } : config.tasker,
  };
}
