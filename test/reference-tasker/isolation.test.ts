import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The reference Tasker is an independent implementation of the contract's server side: the
 * gateway must never lean on it, and it must never borrow the gateway's code (or a shared bug
 * would pass the conformance suite on both sides).
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCE = /\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/;

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
      return SOURCE.test(entry.name) ? [path] : [];
    }),
  );
  return nested.flat();
}

/** Static imports, re-exports, dynamic import() and require() specifiers, as TypeScript reads them. */
function importSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

/** Imports in `fromDir`'s files that reach into `forbiddenDir` (by relative path or by name). */
async function crossings(fromDir: string, forbiddenDir: string): Promise<string[]> {
  const name = relative(ROOT, forbiddenDir);
  const found: string[] = [];
  for (const file of await sourceFiles(fromDir)) {
    for (const specifier of importSpecifiers(await readFile(file, 'utf8'))) {
      const target = specifier.startsWith('.') ? resolve(dirname(file), specifier) : null;
      const reaches = target === null ? specifier.split('/').includes(name) : isInside(forbiddenDir, target);
      if (reaches) found.push(`${relative(ROOT, file)} imports "${specifier}"`);
    }
  }
  return found;
}

describe('the reference Tasker stays independent of the gateway', () => {
  it('no file under src/ imports from reference-tasker/', async () => {
    expect(await crossings(join(ROOT, 'src'), join(ROOT, 'reference-tasker'))).toEqual([]);
  });

  it('no file under reference-tasker/ imports from src/', async () => {
    expect(await crossings(join(ROOT, 'reference-tasker'), join(ROOT, 'src'))).toEqual([]);
  });

  it('the scan sees every kind of import', () => {
    const specifiers = importSpecifiers(
      [
        "import a from '../reference-tasker/index.js';",
        "export { b } from '../../reference-tasker/seed.js';",
        "const c = await import('../reference-tasker/main.js');",
        "const d = require('reference-tasker');",
        "import type { E } from './e.js';",
      ].join('\n'),
    );
    expect(specifiers).toEqual([
      '../reference-tasker/index.js',
      '../../reference-tasker/seed.js',
      '../reference-tasker/main.js',
      'reference-tasker',
      './e.js',
    ]);
  });
});
