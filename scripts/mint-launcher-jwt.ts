import { parseArgs } from 'node:util';
import { mintLauncherJwt } from '../src/auth/launcher-jwt.js';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { withDevSecrets } from '../src/config/dev-secrets.js';

/**
 * `npm run dev:jwt -- --sub local-user --email local@example.test [--role admin]`
 * Prints a Launcher JWT for local use, signed with the configured (or generated dev) secret.
 */
const { values } = parseArgs({
  options: {
    sub: { type: 'string', default: 'local-user' },
    email: { type: 'string', default: 'local@example.test' },
    role: { type: 'string', default: 'user' },
    ttl: { type: 'string', default: '300' },
  },
});

try {
  const config = await withDevSecrets(loadConfig(process.env));
  if (config.env === 'production') throw new Error('dev:jwt refuses to mint tokens with NODE_ENV=production');
  if (!config.launcherJwt.hs256Secret) throw new Error('no LAUNCHER_JWT_SECRET (HS256) configured');
  if (values.role !== 'user' && values.role !== 'admin') throw new Error('--role must be user or admin');
  const ttlSeconds = Math.min(Number(values.ttl), config.launcherJwt.maxTtlSeconds);
  const jwt = await mintLauncherJwt(
    config.launcherJwt.hs256Secret,
    { sub: values.sub, email: values.email, role: values.role },
    { audience: config.launcherJwt.audience, ttlSeconds, ...(config.launcherJwt.issuer ? { issuer: config.launcherJwt.issuer } : {}) },
  );
  process.stdout.write(`${jwt}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).message}\n`);
  process.exit(1);
}
