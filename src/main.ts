import { existsSync } from 'node:fs';
import { createGatewayApp } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';
import { withDevSecrets } from './config/dev-secrets.js';
import { openDatabase } from './db/database.js';
import { startMaintenance } from './db/maintenance.js';
import { migrateToLatest } from './db/migrate.js';
import { listen } from './http/server.js';
import { createLogger } from './logging/logger.js';
import { type ReferenceTaskerProcess, startReferenceTaskerProcess } from './dev/reference-tasker-process.js';
import { join } from 'node:path';

async function main(): Promise<void> {
  // A .env file in the working folder is read if present; real environment variables win.
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = await withDevSecrets(loadConfig(process.env));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every variable and its default.\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const db = await openDatabase(config.database);
  // Migrations are additive and ordered; running them at start keeps the quick start one command.
  const migrated = await migrateToLatest(db);
  const applied = (migrated.results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
  logger.info('database ready', {
    database: config.database.kind === 'postgres' ? 'postgres (DATABASE_URL)' : `embedded PGlite in ${config.database.dataDir}`,
    migrationsApplied: applied,
  });

  let referenceTasker: ReferenceTaskerProcess | undefined;
  if (!config.tasker.url && config.env !== 'production' && config.tasker.signingSecret) {
    referenceTasker = await startReferenceTaskerProcess({
      signingSecret: config.tasker.signingSecret,
      signingKeyId: config.tasker.signingKeyId,
      previousSigningKey: config.tasker.previousSigningKey,
      dataDir: join(config.dataDir, 'reference-tasker'),
      logger,
    });
    config = { ...config, tasker: { ...config.tasker, url: referenceTasker.url } };
    logger.info('TASKER_URL is not set: started the reference Tasker (development only) with its demo workspace', {
      taskerUrl: referenceTasker.url,
    });
  }

  const app = createGatewayApp({ config, db, logger });
  const stopMaintenance = startMaintenance({ db, now: () => new Date(), logger });
  const server = await listen(app.fetch, config.http.host, config.http.port);
  logger.info('gateway listening', { url: server.url, graphql: `${server.url}/graphql`, env: config.env });

  let hurry: (() => void) | undefined;
  let firstSignalAt = 0;
  const stop = async (signal: NodeJS.Signals) => {
    if (hurry) {
      // Ctrl-C under npm arrives twice (from the terminal and forwarded by npm): that is one signal.
      if (Date.now() - firstSignalAt < 1_000) return;
      // A second signal: the operator will not wait for the grace period.
      logger.warn('second signal: cutting the requests still in progress', { signal, inFlight: server.inFlight() });
      hurry();
      return;
    }
    firstSignalAt = Date.now();
    const hurried = new Promise<void>((resolve) => (hurry = resolve));
    const graceSeconds = config.shutdown.graceSeconds;
    logger.info('draining: readiness is 503, new connections are refused, requests in progress finish', {
      signal,
      inFlight: server.inFlight(),
      graceSeconds,
    });
    stopMaintenance();
    const drain = await server.drain(graceSeconds * 1000, hurried);
    if (drain.drained) logger.info('drained: every request answered');
    else logger.warn('grace period over: requests still in progress were cut', { cut: drain.cut, graceSeconds });
    await app.close();
    await referenceTasker?.stop();
    await db.destroy();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', (signal) => void stop(signal));
  process.on('SIGTERM', (signal) => void stop(signal));
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
