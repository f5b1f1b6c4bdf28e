import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { type Config, ConfigError, loadConfig } from './config/config.js';
import { withDevSecrets } from './config/dev-secrets.js';
import { type DataDirLock, DataDirInUseError, lockDataDir } from './dev/data-dir-lock.js';
import { createLogger, describeUnexpected, type Logger } from './logging/logger.js';
import type { RunningServer } from './http/server.js';

/**
 * The gateway's entry. Only configuration and the logger are loaded before the first line is
 * printed; everything heavy (the schema, the database driver, PGlite) is imported after it, so a
 * first start says what it is doing from its first second. Each resource opened is registered with
 * its closer, so a signal at any point (during the start too) closes what is open, in reverse order.
 */
const startedAt = performance.now();
const seconds = (since: number) => Math.round(performance.now() - since) / 1000;

async function loadConfiguration(): Promise<Config> {
  // A .env file in the working folder is read if present; real environment variables win.
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return await withDevSecrets(loadConfig(process.env));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every variable and its default.\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** What is open, newest last; closed newest first. */
class Closers {
  private readonly stack: { name: string; close: () => Promise<void> | void }[] = [];
  constructor(private readonly logger: Logger) {}
  add(name: string, close: () => Promise<void> | void): void {
    this.stack.push({ name, close });
  }
  async closeAll(): Promise<void> {
    for (const { name, close } of this.stack.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        this.logger.error(`stopping: closing the ${name} failed`, describeUnexpected(error));
      }
    }
  }
}

async function main(): Promise<void> {
  let config = await loadConfiguration();
  const logger = createLogger(config.logLevel, undefined, { redactAgentText: config.logRedactAgentText });
  const closers = new Closers(logger);

  let server: RunningServer | undefined;
  let hurry: (() => void) | undefined;
  let firstSignalAt = 0;
  const stop = async (signal: NodeJS.Signals) => {
    if (hurry) {
      // Ctrl-C under npm arrives twice (from the terminal and forwarded by npm): that is one signal.
      if (Date.now() - firstSignalAt < 1_000) return;
      // A second signal: the operator will not wait for the grace period.
      logger.warn('second signal: cutting the requests still in progress', { signal, inFlight: server?.inFlight() ?? 0 });
      hurry();
      return;
    }
    firstSignalAt = Date.now();
    const hurried = new Promise<void>((resolve) => (hurry = resolve));
    if (!server) {
      logger.info('stopping before the start was complete', { signal });
    } else {
      const { graceSeconds, readinessDelaySeconds } = config.shutdown;
      const listenerClosed = 'new connections are refused, requests in progress finish';
      if (readinessDelaySeconds > 0) {
        logger.info(`draining: readiness is 503; still serving for ${readinessDelaySeconds} s so the load balancer notices, then ${listenerClosed}`, {
          signal,
          inFlight: server.inFlight(),
          readinessDelaySeconds,
          graceSeconds,
        });
      } else {
        logger.info(`draining: readiness is 503, ${listenerClosed}`, { signal, inFlight: server.inFlight(), graceSeconds });
      }
      const drain = await server.drain(graceSeconds * 1000, {
        hurry: hurried,
        // unref'd: the delay alone must not keep a process alive that has nothing else left.
        ...(readinessDelaySeconds > 0 ? { readinessDelay: delay(readinessDelaySeconds * 1000, undefined, { ref: false }) } : {}),
        onListenerClose: () => {
          if (readinessDelaySeconds > 0) logger.info(`readiness delay over: ${listenerClosed}`, { inFlight: server?.inFlight() ?? 0 });
        },
      });
      if (drain.drained) logger.info('drained: every request answered');
      else logger.warn('grace period over: requests still in progress were cut', { cut: drain.cut, graceSeconds });
    }
    await closers.closeAll();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', (signal) => void stop(signal));
  process.on('SIGTERM', (signal) => void stop(signal));

  // The embedded databases in DATA_DIR (the gateway's PGlite, the reference Tasker's) are this process's alone.
  const embeddedTasker = !config.tasker.url && config.env !== 'production';
  let dataDirLock: DataDirLock | undefined;
  if (config.database.kind === 'pglite' || embeddedTasker) {
    try {
      dataDirLock = lockDataDir(config.dataDir);
    } catch (error) {
      if (!(error instanceof DataDirInUseError)) throw error;
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    closers.add('data folder lock', () => dataDirLock?.release());
    if (dataDirLock.recovered) {
      logger.warn('recovered the data folder lock of a gateway that is gone (killed or crashed)', {
        dataDir: config.dataDir,
        previousPid: dataDirLock.recovered.pid,
        previousStartedAt: dataDirLock.recovered.startedAt,
      });
    }
  }

  const database = config.database;
  const firstStart = database.kind === 'pglite' && database.dataDir !== null && !existsSync(join(database.dataDir, 'PG_VERSION'));
  const described = database.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${database.dataDir}`;
  logger.info(firstStart ? 'first start: creating the embedded database (this takes a while once)' : 'starting', {
    database: described,
    env: config.env,
    node: process.version,
  });

  let step = performance.now();
  const { openDatabase } = await import('./db/database.js');
  const { migrateToLatest } = await import('./db/migrate.js');
  const db = await openDatabase(config.database);
  closers.add('database', () => db.destroy());
  if (firstStart) logger.info('database created', { database: described, seconds: seconds(step) });

  step = performance.now();
  // Migrations are additive and ordered; running them at start keeps the quick start one command.
  const migrated = await migrateToLatest(db);
  const applied = (migrated.results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
  logger.info(applied.length > 0 ? 'migrations applied' : 'database ready: no migration to apply', {
    database: described,
    migrationsApplied: applied,
    seconds: seconds(step),
  });

  if (embeddedTasker && config.tasker.signingSecret) {
    step = performance.now();
    const dataDir = join(config.dataDir, 'reference-tasker');
    const seeding = !existsSync(dataDir);
    logger.info(
      seeding
        ? 'TASKER_URL is not set: starting the reference Tasker (development only) and seeding its demo workspace'
        : 'TASKER_URL is not set: starting the reference Tasker (development only)',
      { dataDir },
    );
    const { startReferenceTaskerProcess } = await import('./dev/reference-tasker-process.js');
    const referenceTasker = await startReferenceTaskerProcess({
      signingSecret: config.tasker.signingSecret,
      signingKeyId: config.tasker.signingKeyId,
      previousSigningKey: config.tasker.previousSigningKey,
      dataDir,
      logger,
    });
    closers.add('reference Tasker', () => referenceTasker.stop());
    config = { ...config, tasker: { ...config.tasker, url: referenceTasker.url } };
    logger.info(seeding ? 'reference Tasker seeded and listening' : 'reference Tasker listening', {
      taskerUrl: referenceTasker.url,
      seconds: seconds(step),
    });
  }

  const { createGatewayApp } = await import('./app.js');
  const { startMaintenance } = await import('./db/maintenance.js');
  const { listen } = await import('./http/server.js');
  const { startTracing } = await import('./observability/tracing.js');
  // OpenTelemetry is loaded here only when an OTLP endpoint is configured.
  const tracing = await startTracing(config.tracing, logger);
  // Closed after the gateway, so the spans of the requests drained at shutdown are sent too.
  closers.add('trace exporter', () => tracing.shutdown());
  if (config.tracing.otlpTracesUrl) logger.info('exporting traces (OTLP/HTTP, JSON)', { url: config.tracing.otlpTracesUrl, serviceName: config.tracing.serviceName });
  const app = createGatewayApp({ config, db, logger, tracing });
  closers.add('gateway (token usage, Tasker client, change listener)', () => app.close());
  closers.add('maintenance timer', startMaintenance({ db, now: () => new Date(), logger, auditRetentionDays: config.audit.retentionDays }));
  const listening = await listen(app.fetch, config.http.host, config.http.port);
  closers.add('listener', () => listening.close());
  server = listening;
  dataDirLock?.setUrl(listening.url);
  logger.info('gateway listening', {
    url: listening.url,
    graphql: `${listening.url}/graphql`,
    mcp: `${listening.url}/mcp`,
    env: config.env,
    startupSeconds: seconds(startedAt),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
