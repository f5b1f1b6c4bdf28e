// @ts-check
/**
 * Mutation testing of the security core, one folder per run (scripts/mutation.ts sets
 * MUTATION_FOLDER and the test files of that folder). Incremental: a rerun tests only mutants
 * whose code or tests changed since the last report in reports/mutation/.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const folder = process.env.MUTATION_FOLDER;
if (!folder) throw new Error('MUTATION_FOLDER is not set; run npm run test:mutation');

export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  // MUTATION_MUTATE (comma-separated globs inside the folder) runs a part of it, e.g. one file.
  mutate: process.env.MUTATION_MUTATE ? process.env.MUTATION_MUTATE.split(',') : [`src/${folder}/**/*.ts`],
  coverageAnalysis: 'perTest',
  // CPU is shared: one test process at a time unless MUTATION_CONCURRENCY says otherwise.
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 1),
  timeoutMS: 60_000,
  timeoutFactor: 3,
  incremental: true,
  incrementalFile: `reports/mutation/${folder.replaceAll('/', '-')}.incremental.json`,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/${folder.replaceAll('/', '-')}.json` },
  ignorePatterns: ['reports', '.stryker-tmp*', 'dist', 'bench'],
  // One sandbox folder per folder run, so two runs never share (or clean up) each other's.
  tempDirName: `.stryker-tmp-${folder.replaceAll('/', '-')}`,
  cleanTempDir: 'always',
};
