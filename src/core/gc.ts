import { trimNativeHeap } from './native.ts';

/**
 * A full garbage collection now, when node runs with `--expose-gc` (`podns serve` and `nodecache`
 * restart themselves with it: cli/heap.ts); otherwise nothing. For the moments a large amount of
 * garbage is known to have just been made and nothing is being answered yet: the cluster's first
 * list (its JSON and conversion garbage is several times the state it leaves). The C heap is
 * trimmed after it (trimNativeHeap).
 */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  gc();
  trimNativeHeap();
  return true;
}

/** How often a server gives the C heap's free memory back (trimNativeHeap: ~0.2–1 ms a time, so < 0.05% of a core). */
export const TRIM_INTERVAL_MS = 2_000;

/**
 * Trims the C heap every TRIM_INTERVAL_MS (unref'd) for a long-running server: what V8's compilers
 * free after the first seconds of load stays resident otherwise (native.ts). Returns the stop.
 */
export function trimPeriodically(): () => void {
  const t = setInterval(trimNativeHeap, TRIM_INTERVAL_MS);
  t.unref();
  return () => clearInterval(t);
}
