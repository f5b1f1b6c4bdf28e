import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createLauncherJwtVerifier } from '../../src/auth/launcher-jwt.js';
import { loadConfig } from '../../src/config/config.js';
import { type ProgramRun, runProgram, tempDirs, tsxEntry } from '../support/processes.js';

/**
 * `npm run dev:jwt` as a developer and an operator meet it: the real script, spawned from an empty
 * folder with only the environment given here. It touches no database, so it runs once (PGlite
 * project). Each JWT it prints is checked by the gateway's own verifier with the same settings.
 */
const temp = tempDirs();
afterAll(() => temp.removeAll());

const SECRET = randomBytes(32).toString('hex');

function devJwt(args: string[], env: Record<string, string> = {}): Promise<ProgramRun> {
  return runProgram([...tsxEntry('scripts/mint-launcher-jwt.ts'), ...args], {
    cwd: temp.make('dev-jwt-cwd-'),
    env: { DATA_DIR: temp.make('dev-jwt-data-'), LAUNCHER_JWT_SECRET: SECRET, ...env },
  });
}

async function verified(jwt: string, env: Record<string, string> = {}) {
  const config = loadConfig({ LAUNCHER_JWT_SECRET: SECRET, ...env });
  const result = await createLauncherJwtVerifier(config.launcherJwt).verify(jwt);
  const [, payload] = jwt.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { iat: number; exp: number };
  return { result, lifetime: claims.exp - claims.iat };
}

const NO_STACK = /\n\s+at /;

describe.runIf(process.env.TEST_DATABASE !== 'postgres')('npm run dev:jwt', () => {
  it('prints a JWT the gateway accepts, living 5 minutes by default', async () => {
    const run = await devJwt(['--sub', 'admin-1', '--email', 'admin@example.test', '--role', 'admin']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const { result, lifetime } = await verified(run.stdout.trim());
    expect(result).toEqual({ ok: true, principal: { kind: 'launcher', userId: 'admin-1', email: 'admin@example.test', role: 'admin' } });
    expect(lifetime).toBe(300);
  });

  it('mints an operator JWT up to LAUNCHER_JWT_MAX_TTL_SECONDS, and the gateway accepts it', async () => {
    const env = { LAUNCHER_JWT_MAX_TTL_SECONDS: '3600' };
    for (const ttl of ['3600', 'max']) {
      const run = await devJwt(['--role', 'admin', '--ttl', ttl], env);
      expect(run.code, run.stderr).toBe(0);
      const { result, lifetime } = await verified(run.stdout.trim(), env);
      expect(result.ok).toBe(true);
      expect(lifetime).toBe(3600);
    }
  });

  it('refuses a --ttl above the maximum, naming it, instead of shortening it', async () => {
    const run = await devJwt(['--ttl', '3601'], { LAUNCHER_JWT_MAX_TTL_SECONDS: '3600' });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--ttl 3601 is above LAUNCHER_JWT_MAX_TTL_SECONDS (3600)');
    expect(run.stderr).not.toMatch(NO_STACK);
    // The default maximum is 300 s: an hour asked of it is refused as well.
    expect((await devJwt(['--ttl', '3600'])).stderr).toContain('above LAUNCHER_JWT_MAX_TTL_SECONDS (300)');
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--ttl'], "Option '--ttl <value>' argument missing"],
    [['--ttl', 'an hour'], '--ttl must be a whole number of seconds'],
    [['--ttl', '0'], '--ttl must be a whole number of seconds'],
    [['--role', 'root'], '--role must be user or admin, not "root"'],
    [['--email', 'nobody'], '--email must be an email address'],
    [['stray'], 'Unexpected argument'],
  ])('answers %j with the usage and exit code 2, not a stack trace', async (args, message) => {
    const run = await devJwt(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('Usage: npm run -s dev:jwt --');
    expect(run.stderr).not.toMatch(NO_STACK);
  });

  it('prints the usage for --help', async () => {
    const run = await devJwt(['--help']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('--ttl SECONDS');
  });

  it('says it is for development only under NODE_ENV=production, before reading any configuration', async () => {
    // No secret at all: in production the configuration would fail first, with a less useful message.
    const run = await devJwt([], { NODE_ENV: 'production', LAUNCHER_JWT_SECRET: '' });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('dev:jwt is for development only');
    expect(run.stderr).not.toMatch(NO_STACK);
  });
});
