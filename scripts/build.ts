import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run build`: compiles the gateway, its migrations, `npm run migrate` and the development
 * reference Tasker to JavaScript with tsc (type-checked, one .js per .ts, same layout, so every
 * `import.meta.url` path holds), then copies what the program reads at run time and writes the
 * entry `dist/main.js`. Production then runs `node dist/main.js`, with no TypeScript loader.
 *
 * `--out-dir DIR` builds elsewhere (the tests build once into a folder of their own). DIR must lie
 * inside the checkout: the compiled files find their packages in its node_modules.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

function outDirFromArgs(args: string[]): string {
  const index = args.indexOf('--out-dir');
  if (index === -1) return join(ROOT, 'dist');
  const value = args[index + 1];
  if (!value) {
    process.stderr.write('usage: npm run build [-- --out-dir DIR]\n');
    process.exit(2);
  }
  return resolve(value);
}

const outDir = outDirFromArgs(process.argv.slice(2));
if (relative(ROOT, outDir).startsWith('..')) {
  process.stderr.write(`build: --out-dir must lie inside ${ROOT} (the compiled code needs its node_modules)\n`);
  process.exit(2);
}

const started = Date.now();
rmSync(outDir, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', outDir], { stdio: 'inherit' });
if (compiled.status !== 0) {
  process.stderr.write('build: tsc failed\n');
  process.exit(1);
}

// What the compiled code reads from disk next to itself: the MCP tool manifest (persisted
// operations and tool definitions) and the operation files it is built from.
for (const asset of ['src/mcp/generated', 'src/mcp/operations']) {
  cpSync(join(ROOT, asset), join(outDir, asset), { recursive: true });
}
// The entry production runs; the compiled tree keeps the source layout under it.
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'main.js'), "// Written by npm run build: the gateway's entry.\nimport './src/main.js';\n");
process.stdout.write(`built ${relative(process.cwd(), outDir) || '.'}/main.js in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
