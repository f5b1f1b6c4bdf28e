/**
 * Waits for a precondition a test needs before its next step, checking on every turn of the event
 * loop (no fixed sleeps). If it never holds, the wait fails naming it, instead of the test going on
 * as if it had: a test whose precondition silently failed proves nothing. The patience is only a
 * backstop under the test's own timeout, never a speed assumption.
 */
export async function until(check: () => boolean | Promise<boolean>, what: string, patienceMs = 20_000): Promise<void> {
  const deadline = Date.now() + patienceMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`precondition never held: ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
