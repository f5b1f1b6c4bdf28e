/**
 * The reference Tasker as the gateway's child (reference-tasker-process.ts runs this file). The
 * gateway holds the write end of this process's stdin; when the gateway ends in any way, kill -9
 * included, the kernel closes it and stdin ends here. The child then stops as on SIGTERM, so it
 * never outlives its parent and goes on answering on the same data.
 */
process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM'));
process.stdin.on('error', () => process.kill(process.pid, 'SIGTERM'));
process.stdin.resume();

await import('../../reference-tasker/main.js');
