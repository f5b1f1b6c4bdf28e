import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { pgliteDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Dumps of PGlite data directories made below; absent outside the pglite project. */
    pgliteDumps?: { fresh: string; migrated: string };
  }
}

/**
 * vitest globalSetup of the pglite project: runs PGlite's initdb once and dumps the data directory
 * as it is (`fresh`), then again with the gateway's migrations applied (`migrated`). Every in-memory
 * PGlite of the tests starts from one of them (`loadDataDir`) instead of running initdb and the
 * migrations again: the same database, without the seconds of WebAssembly initdb per database that
 * dominated the set-up of each test file. Made anew for every run, so always of this checkout.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-pglite-dump-'));
  const write = async (name: string, dump: Blob) => {
    const file = join(dir, name);
    writeFileSync(file, new Uint8Array(await dump.arrayBuffer()));
    return file;
  };
  const pglite = await PGlite.create();
  const fresh = await write('fresh.tar', await pglite.dumpDataDir('none'));
  const db = await pgliteDatabase(pglite);
  await migrateToLatest(db);
  const migrated = await write('migrated.tar', await pglite.dumpDataDir('none'));
  await db.destroy();
  project.provide('pgliteDumps', { fresh, migrated });
  return () => rmSync(dir, { recursive: true, force: true });
}
