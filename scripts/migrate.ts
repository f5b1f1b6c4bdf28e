import { ConfigError, loadConfig } from '../src/config/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';

/** `npm run migrate`: brings DATABASE_URL (or the embedded database) to the latest schema. */
try {
  const config = loadConfig(process.env);
  const db = await openDatabase(config.database);
  try {
    const result = await migrateToLatest(db);
    const names = (result.results ?? []).map((r) => `${r.migrationName}: ${r.status}`);
    process.stdout.write(names.length ? `${names.join('\n')}\n` : 'already up to date\n');
  } finally {
    await db.destroy();
  }
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : `migration failed: ${(error as Error).message}`}\n`);
  process.exit(1);
}
