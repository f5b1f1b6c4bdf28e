import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/**
 * The `profile-start` / `profile-stop` commands a measured process answers (see ipc.ts): a CPU
 * profile of the measured part only, not of start-up, written where the benchmark asks.
 */
export function profilerCommands(): Record<'profile-start' | 'profile-stop', (argument: unknown) => Promise<boolean>> {
  const inspector = new Session();
  inspector.connect();
  return {
    'profile-start': async () => {
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.setSamplingInterval', { interval: 200 });
      await inspector.post('Profiler.start');
      return true;
    },
    'profile-stop': async (file) => {
      const { profile } = await inspector.post('Profiler.stop');
      writeFileSync(String(file), JSON.stringify(profile));
      return true;
    },
  };
}
