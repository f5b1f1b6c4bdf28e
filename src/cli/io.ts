/** Output for commands: results on stdout, problems on stderr, and an exit code. */
export interface CommandIO {
  out(line: string): void;
  err(line: string): void;
  fail(message: string): number;
}

export const processIO: CommandIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  fail(message) {
    process.stderr.write(`${message}\n`);
    return 1;
  },
};
