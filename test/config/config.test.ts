import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { devSecretsPath, loadOrCreateDevSecrets, withDevSecrets } from '../../src/config/dev-secrets.js';
import { SPAWN_LIMIT, tempDirs, tsxEntry } from '../support/processes.js';
import { NO_TEST_CLOCK } from '../lifecycle/support/gateway-process.js';

const temp = tempDirs();
afterAll(() => temp.removeAll());

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('starts on the embedded database with defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({ host: '127.0.0.1', port: 4100, trustProxy: false, corsAllowedOrigins: [] });
    expect(config.database).toEqual({ kind: 'pglite', dataDir: '.data/pglite' });
  });

  it('uses PostgreSQL when DATABASE_URL is set', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db/x' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://u@db/x',
      pool: { size: 10, acquireTimeoutMs: 5000, statementTimeoutMs: 10000 },
    });
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db/x', DATABASE_POOL_SIZE: '3', DATABASE_STATEMENT_TIMEOUT_MS: '250' }).database).toMatchObject({
      pool: { size: 3, statementTimeoutMs: 250 },
    });
  });

  it('counts rate limits in Redis only when REDIS_URL is set', () => {
    expect(loadConfig({}).redis).toBeUndefined();
    expect(loadConfig({ REDIS_URL: 'redis://cache:6379/2' }).redis).toEqual({ url: 'redis://cache:6379/2', keyPrefix: 'tasker-gateway:rl:', commandTimeoutMs: 500 });
    expect(loadConfig({ REDIS_URL: 'rediss://cache', REDIS_KEY_PREFIX: 'staging:', REDIS_COMMAND_TIMEOUT_MS: '50' }).redis).toEqual({
      url: 'rediss://cache',
      keyPrefix: 'staging:',
      commandTimeoutMs: 50,
    });
    expect(problemsOf({ REDIS_URL: 'http://cache:6379' })).toEqual([expect.stringContaining('REDIS_URL: expected a redis:// or rediss://')]);
    expect(problemsOf({ REDIS_URL: 'redis://cache', REDIS_COMMAND_TIMEOUT_MS: '0' })).toEqual([expect.stringMatching(/^REDIS_COMMAND_TIMEOUT_MS: /)]);
  });

  it('names the variable and what it expects for each wrong value', () => {
    expect(problemsOf({ PORT: 'eighty' })).toEqual([expect.stringMatching(/^PORT: expected a port number/)]);
    expect(problemsOf({ DATABASE_URL: 'mysql://x' })).toEqual([expect.stringContaining('DATABASE_URL: expected a postgres://')]);
    expect(problemsOf({ LAUNCHER_JWT_SECRET: 'short' })).toEqual([expect.stringContaining('LAUNCHER_JWT_SECRET: expected at least 32')]);
    expect(problemsOf({ TRUST_PROXY: 'yes' })).toEqual([expect.stringContaining('TRUST_PROXY: expected true or false')]);
    expect(problemsOf({ AGENT_TOKEN_DEFAULT_TTL_DAYS: '400' })).toEqual([
      expect.stringContaining('AGENT_TOKEN_DEFAULT_TTL_DAYS: must not exceed AGENT_TOKEN_MAX_TTL_DAYS'),
    ]);
  });

  it('requires its secrets and real services in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    for (const name of ['LAUNCHER_JWT_SECRET', 'LAUNCHER_JWT_ISSUER', 'TASKER_URL', 'TASKER_SIGNING_SECRET', 'DATABASE_URL']) {
      expect(problems.some((problem) => problem.startsWith(`${name}:`)), name).toBe(true);
    }
  });

  describe('the production check', () => {
    const production = {
      NODE_ENV: 'production',
      LAUNCHER_JWT_SECRET: 'l'.repeat(40),
      LAUNCHER_JWT_ISSUER: 'https://launcher.example',
      TASKER_URL: 'https://tasker.internal.example',
      TASKER_SIGNING_SECRET: 't'.repeat(40),
      DATABASE_URL: 'postgres://gateway@db/gateway',
      TRUST_PROXY: 'true',
      GRAPHIQL: 'false',
    };
    const without = (name: keyof typeof production) => Object.fromEntries(Object.entries(production).filter(([key]) => key !== name));

    it('loads when everything is stated', () => {
      const config = loadConfig(production);
      expect(config.http.trustProxy).toBe(true);
      expect(config.graphql.graphiql).toBe(false);
    });

    it('keeps serving 5 s after a stop signal by default, so a load balancer sees readiness fail first; outside production 0', () => {
      expect(loadConfig(production).shutdown).toEqual({ readinessDelaySeconds: 5, graceSeconds: 30 });
      expect(loadConfig({ ...production, SHUTDOWN_READINESS_DELAY_SECONDS: '0' }).shutdown.readinessDelaySeconds).toBe(0);
      expect(loadConfig({}).shutdown).toEqual({ readinessDelaySeconds: 0, graceSeconds: 30 });
      expect(loadConfig({ SHUTDOWN_READINESS_DELAY_SECONDS: '20' }).shutdown.readinessDelaySeconds).toBe(20);
      expect(problemsOf({ SHUTDOWN_READINESS_DELAY_SECONDS: '3601' })).toEqual([expect.stringContaining('SHUTDOWN_READINESS_DELAY_SECONDS')]);
    });

    it('refuses a TRUST_PROXY left to its default, saying what to set', () => {
      expect(problemsOf(without('TRUST_PROXY'))).toEqual([expect.stringMatching(/^TRUST_PROXY: set it explicitly in production: true behind the TLS-terminating proxy .* false when/)]);
      expect(loadConfig({ ...production, TRUST_PROXY: 'false' }).http.trustProxy).toBe(false);
    });

    it('refuses GraphiQL left to its default, and serves it when asked', () => {
      expect(problemsOf(without('GRAPHIQL'))).toEqual([expect.stringMatching(/^GRAPHIQL: set it explicitly in production: false .* true to offer it/)]);
      expect(loadConfig({ ...production, GRAPHIQL: 'true' }).graphql.graphiql).toBe(true);
      expect(loadConfig({}).graphql.graphiql).toBe(true);
    });

    it('refuses without explicit secrets: nothing is generated in production', async () => {
      for (const name of ['LAUNCHER_JWT_SECRET', 'TASKER_SIGNING_SECRET'] as const) {
        expect(problemsOf(without(name)), name).toEqual([expect.stringMatching(new RegExp(`^${name}: required in production`))]);
      }
      const dataDir = temp.make('production-data-');
      await expect(withDevSecrets(loadConfig({ ...production, DATA_DIR: dataDir }))).resolves.toMatchObject({ env: 'production' });
      expect(existsSync(devSecretsPath(dataDir)), 'no secret generated').toBe(false);
    });

    it('refuses to start beside dev-secrets.json, where the dev JWT command would find a secret to sign with', async () => {
      const dataDir = temp.make('production-data-');
      await loadOrCreateDevSecrets(dataDir);
      const refused = withDevSecrets(loadConfig({ ...production, DATA_DIR: dataDir }));
      await expect(refused).rejects.toBeInstanceOf(ConfigError);
      await expect(refused).rejects.toThrow(`DATA_DIR: ${devSecretsPath(dataDir)} holds generated development secrets, which npm run dev:jwt signs Launcher JWTs with`);
    });
  });

  // Spawns the gateway: no test clock, the program's own SPAWN_LIMIT turns a hang into a failure.
  it('stops `npm start` with a message naming the variable', NO_TEST_CLOCK, async () => {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, tsxEntry('src/main.ts'), {
        cwd: temp.make('config-cwd-'),
        env: { PATH: process.env.PATH, PORT: 'not-a-port' },
        stdio: ['ignore', 'ignore', 'pipe'],
        ...SPAWN_LIMIT,
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('exit', (exitCode) => resolve({ code: exitCode, stderr }));
    });
    expect(code).toBe(1);
    expect(stderr).toContain('PORT: expected a port number');
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
