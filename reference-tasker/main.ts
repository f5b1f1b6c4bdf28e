import { z } from 'zod';
import { MIN_SECRET_LENGTH, startReferenceTasker } from './index.js';

/**
 * `tsx reference-tasker/main.ts`: the reference Tasker for local development. Configured
 * from the environment only, so that the secret never appears in a command line.
 */
const optional = (schema: z.ZodString) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const KEY_ID_RULE = 'must be 1 to 64 letters, digits, ".", "_" or "-"';

const Env = z.object({
  TASKER_SIGNING_SECRET: z.string().min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`),
  TASKER_SIGNING_KEY_ID: optional(z.string().regex(KEY_ID, KEY_ID_RULE)),
  TASKER_SIGNING_SECRET_PREVIOUS: optional(z.string().min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`)),
  TASKER_SIGNING_KEY_ID_PREVIOUS: optional(z.string().regex(KEY_ID, KEY_ID_RULE)),
  REFERENCE_TASKER_PORT: z.preprocess(
    (value) => (value === undefined || value === '' ? '4200' : value),
    z.string().regex(/^[0-9]{1,5}$/, 'must be a port number').transform(Number).pipe(z.number().int().min(0).max(65_535)),
  ),
  REFERENCE_TASKER_HOST: optional(z.string()),
  REFERENCE_TASKER_DATABASE_URL: optional(z.string()),
  REFERENCE_TASKER_DATA_DIR: optional(z.string()),
  REFERENCE_TASKER_EXIT_WITH_STDIN: z.enum(['', '0', '1']).optional().transform((value) => value === '1'),
});

function readEnv(): z.output<typeof Env> {
  const parsed = Env.safeParse(process.env);
  if (parsed.success) return parsed.data;
  // Name the variable and the rule, never the value: one of them is the secret.
  for (const issue of parsed.error.issues) console.error(`reference Tasker: ${issue.path.join('.')}: ${issue.message}`);
  process.exit(2);
}

const env = readEnv();

/**
 * Started by the gateway as its development child, the reference Tasker must never outlive it (and
 * go on answering on the same data). The gateway holds the write end of this process's stdin; when
 * the gateway ends in any way, kill -9 included, the kernel closes it and stdin ends here.
 */
if (env.REFERENCE_TASKER_EXIT_WITH_STDIN) {
  process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM'));
  process.stdin.on('error', () => process.kill(process.pid, 'SIGTERM'));
  process.stdin.resume();
}
const tasker = await startReferenceTasker({
  signingSecret: env.TASKER_SIGNING_SECRET,
  signingKeyId: env.TASKER_SIGNING_KEY_ID,
  ...(env.TASKER_SIGNING_SECRET_PREVIOUS === undefined
    ? {}
    : { previousSigningKey: { id: env.TASKER_SIGNING_KEY_ID_PREVIOUS, secret: env.TASKER_SIGNING_SECRET_PREVIOUS } }),
  port: env.REFERENCE_TASKER_PORT,
  host: env.REFERENCE_TASKER_HOST ?? '127.0.0.1',
  ...(env.REFERENCE_TASKER_DATABASE_URL === undefined ? {} : { databaseUrl: env.REFERENCE_TASKER_DATABASE_URL }),
  ...(env.REFERENCE_TASKER_DATA_DIR === undefined ? {} : { dataDir: env.REFERENCE_TASKER_DATA_DIR }),
  log: (line) => console.log(line),
});
console.log(`reference Tasker listening on ${tasker.url}`);

let stopping = false;
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`reference Tasker stopping (${signal})`);
  await tasker.close();
  process.exit(0);
}
process.on('SIGTERM', (signal) => void stop(signal));
process.on('SIGINT', (signal) => void stop(signal));
