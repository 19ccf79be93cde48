/**
 * The heap of the long-running commands. Three V8 flags, which must be given when node starts, so
 * `serve` and `nodecache` restart themselves once, in place (process.execve: the same PID, the
 * same stdio), with them — unless the heap's young generation was already configured (a
 * semi-space flag in the node options or NODE_OPTIONS: then nothing is added), or this Node has no
 * process.execve (before 23.11). Imported first by main.ts, so that it runs before the rest of
 * podns is evaluated. Figures: bench/README.md, Memory.
 *
 * - `--max-semi-space-size=1`: V8 grows its young generation up to 3 × 32 MiB under load (Node
 *   24's default), and a DNS server under load allocates a little per query without end, so it
 *   soon holds all of it: bench/'s cluster went from 155 MiB RSS at ready to 222 MiB after a few
 *   seconds of queries; with the flag 99 MiB, at the same throughput.
 * - `--optimize-for-size`: V8 keeps its heap closer to what is live (10k services and 100k
 *   endpoints: 138 → 119 MiB after load), at the same throughput (bench/, A/B within 2%).
 * - `--expose-gc`: lets the cluster source collect the garbage of its first list at once
 *   (core/gc.ts) instead of carrying it until the old generation fills (−18 MiB at that size).
 */
const LONG_RUNNING = new Set(['serve', 'nodecache']);
export const HEAP_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--optimize-for-size', '--expose-gc'];

function configured(): boolean {
  return [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)].some((a) => a.includes('semi-space'));
}

const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
if (LONG_RUNNING.has(process.argv[2] ?? '') && !configured() && typeof execve === 'function') {
  execve(process.execPath, [process.execPath, ...HEAP_FLAGS, ...process.execArgv, ...process.argv.slice(1)], process.env);
}
