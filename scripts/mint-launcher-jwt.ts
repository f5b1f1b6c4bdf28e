import { parseArgs } from 'node:util';
import { mintLauncherJwt } from '../src/auth/launcher-jwt.js';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { withDevSecrets } from '../src/config/dev-secrets.js';

/**
 * `npm run -s dev:jwt -- [--sub ID] [--email E] [--role user|admin] [--ttl SECONDS|max]`
 * Prints a Launcher JWT for local use, signed with the configured (or generated dev) secret.
 *
 * Exit codes: 0 printed a JWT (or the usage for --help); 1 refused (production, no secret, a
 * lifetime above the configured maximum); 2 the flags were wrong (the usage is printed).
 */
const USAGE = `Usage: npm run -s dev:jwt -- [--sub ID] [--email EMAIL] [--role user|admin] [--ttl SECONDS|max]

Prints a Launcher JWT for development, signed with LAUNCHER_JWT_SECRET (or else the secret kept in
$DATA_DIR/dev-secrets.json, the one the gateway generated for the same DATA_DIR).

  --sub ID        the platform user id (default local-user)
  --email EMAIL   the user's email (default local@example.test)
  --role ROLE     user or admin (default user)
  --ttl SECONDS   lifetime in seconds (default 300), at most LAUNCHER_JWT_MAX_TTL_SECONDS;
                  "max" asks for exactly that maximum (an operator's JWT for GraphiQL or an
                  internal dashboard). A longer lifetime is refused, never shortened.
  -h, --help      this text
`;

class UsageError extends Error {}
class Refusal extends Error {}

const DEFAULT_TTL_SECONDS = 300;

function readFlags(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        sub: { type: 'string', default: 'local-user' },
        email: { type: 'string', default: 'local@example.test' },
        role: { type: 'string', default: 'user' },
        ttl: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    // parseArgs names the flag it did not expect, or the one missing its value.
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  const role = values.role;
  if (role !== 'user' && role !== 'admin') throw new UsageError(`--role must be user or admin, not "${role}"`);
  if (values.sub.trim() === '') throw new UsageError('--sub must not be empty');
  if (!/^[^\s@]+@[^\s@]+$/.test(values.email)) throw new UsageError(`--email must be an email address, not "${values.email}"`);
  const ttl = values.ttl;
  if (ttl !== undefined && ttl !== 'max' && !/^[1-9]\d{0,9}$/.test(ttl)) {
    throw new UsageError(`--ttl must be a whole number of seconds (at least 1) or "max", not "${ttl}"`);
  }
  return { help: values.help, sub: values.sub, email: values.email, role, ttl } as const;
}

async function main(): Promise<void> {
  const flags = readFlags(process.argv.slice(2));
  if (flags.help) {
    process.stdout.write(USAGE);
    return;
  }
  // Before anything reads the configuration: production must never find a secret to sign with here.
  if (process.env.NODE_ENV === 'production') {
    throw new Refusal(
      'dev:jwt is for development only and does not run with NODE_ENV=production: in production the Launcher issues Launcher JWTs (see docs/OPERATIONS.md, GraphiQL for operators).',
    );
  }
  const config = await withDevSecrets(loadConfig(process.env));
  if (!config.launcherJwt.hs256Secret) throw new Refusal('no LAUNCHER_JWT_SECRET (HS256) configured: dev:jwt signs with the shared secret only');
  const maxTtlSeconds = config.launcherJwt.maxTtlSeconds;
  const ttlSeconds = flags.ttl === 'max' ? maxTtlSeconds : flags.ttl === undefined ? Math.min(DEFAULT_TTL_SECONDS, maxTtlSeconds) : Number(flags.ttl);
  if (ttlSeconds > maxTtlSeconds) {
    // Shortening it silently would hand out a token that expires before the caller expects.
    throw new Refusal(
      `--ttl ${ttlSeconds} is above LAUNCHER_JWT_MAX_TTL_SECONDS (${maxTtlSeconds}): the gateway refuses JWTs that live longer. Ask for at most ${maxTtlSeconds} (or --ttl max), or raise LAUNCHER_JWT_MAX_TTL_SECONDS for the gateway and this command alike (at most 3600).`,
    );
  }
  const jwt = await mintLauncherJwt(
    config.launcherJwt.hs256Secret,
    { sub: flags.sub, email: flags.email, role: flags.role },
    { audience: config.launcherJwt.audience, ttlSeconds, ...(config.launcherJwt.issuer ? { issuer: config.launcherJwt.issuer } : {}) },
  );
  process.stdout.write(`${jwt}\n`);
}

try {
  await main();
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`dev:jwt: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (error instanceof Refusal || error instanceof ConfigError) {
    process.stderr.write(`dev:jwt: ${error.message}\n`);
    process.exit(1);
  }
  // Anything else is a fault of this command; its message is enough to report it, a stack is not.
  process.stderr.write(`dev:jwt failed: ${(error as Error).message}\n`);
  process.exit(1);
}
