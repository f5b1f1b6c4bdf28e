import { startReferenceTasker } from '../../reference-tasker/index.js';
import { serveParent } from '../lib/ipc.js';
import { profilerCommands } from '../lib/profiler.js';

/**
 * The reference Tasker in a process of its own, for bench/reference-tasker.ts: its CPU per call is
 * then its own. Statements are counted by wrapping its storage seam (every statement passes there).
 */
const tasker = await startReferenceTasker({
  signingSecret: process.env.BENCH_SIGNING_SECRET ?? '',
  ...(process.env.BENCH_DATABASE_URL ? { databaseUrl: process.env.BENCH_DATABASE_URL } : {}),
});
let statements = 0;
const { sql } = tasker;
const query = sql.query.bind(sql);
sql.query = ((text, params) => {
  statements += 1;
  return query(text, params);
}) as typeof sql.query;
const transaction = sql.transaction.bind(sql);
sql.transaction = ((fn) =>
  transaction((tx) =>
    fn({
      query: (text, params) => {
        statements += 1;
        return tx.query(text, params);
      },
    }),
  )) as typeof sql.transaction;

serveParent({
  url: tasker.url,
  statements: () => statements,
  commands: profilerCommands(),
});
process.on('SIGTERM', async () => {
  await tasker.close();
  process.exit(0);
});
