import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A dump of a freshly initialized PGlite data directory (see below); absent outside the pglite project. */
    pgliteDump?: string;
  }
}

/**
 * vitest globalSetup of the pglite project: runs PGlite's initdb once and dumps the data directory,
 * untouched, to a file. Every in-memory PGlite of the tests (the gateway's, the reference Tasker's)
 * starts from that dump instead of running initdb again: the same empty cluster, without the
 * seconds of WebAssembly initdb per database that dominated the set-up of each test file.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const pglite = await PGlite.create();
  const dump = await pglite.dumpDataDir('none');
  await pglite.close();
  const dir = mkdtempSync(join(tmpdir(), 'gateway-pglite-dump-'));
  const file = join(dir, 'fresh.tar');
  writeFileSync(file, new Uint8Array(await dump.arrayBuffer()));
  project.provide('pgliteDump', file);
  return () => rmSync(dir, { recursive: true, force: true });
}
