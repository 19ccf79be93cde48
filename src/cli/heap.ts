/**
 * The heap size of the long-running commands. V8 grows its young generation up to 3 × 32 MiB
 * under load (Node 24's default semi-space limit), and a DNS server under load allocates a little
 * per query without end, so it soon holds all of it: `podns serve` over bench/'s cluster went from
 * 155 MiB RSS at ready to 222 MiB after a few seconds of queries. With `--max-semi-space-size=1` it
 * stays at 99 MiB, at the same throughput (bench/README.md, Memory). A flag for the heap must be
 * given when node starts, so `serve` and `nodecache` restart themselves once, in place
 * (process.execve: the same PID, the same stdio), with that flag — unless the heap's young
 * generation was already configured (a semi-space flag in the node options or NODE_OPTIONS), or
 * this Node has no process.execve (before 23.11). Imported first by main.ts, so that it runs
 * before the rest of podns is evaluated.
 */
const LONG_RUNNING = new Set(['serve', 'nodecache']);
export const HEAP_FLAG = '--max-semi-space-size=1';

function configured(): boolean {
  return [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)].some((a) => a.includes('semi-space'));
}

const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
if (LONG_RUNNING.has(process.argv[2] ?? '') && !configured() && typeof execve === 'function') {
  execve(process.execPath, [process.execPath, HEAP_FLAG, ...process.execArgv, ...process.argv.slice(1)], process.env);
}
