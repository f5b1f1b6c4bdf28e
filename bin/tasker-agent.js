#!/usr/bin/env node
// The CLI is TypeScript run through tsx, like the gateway itself: no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/cli/main.ts');
process.exitCode = await run(process.argv.slice(2));
