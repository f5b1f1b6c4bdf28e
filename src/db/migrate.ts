import { type Kysely, type MigrationResultSet, Migrator } from 'kysely';
import { migrations } from '../../migrations/index.js';

export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<MigrationResultSet> {
  // Each helper stream owns a name prefix (0002…, 0003…), so a migration may land after one whose
  // name sorts later and that a database has already run: it still runs, once.
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}
