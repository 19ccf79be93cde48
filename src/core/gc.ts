/**
 * A full garbage collection now, when node runs with `--expose-gc` (`podns serve` and `nodecache`
 * restart themselves with it: cli/heap.ts); otherwise nothing. For the moments a large amount of
 * garbage is known to have just been made and nothing is being answered yet: the cluster's first
 * list (its JSON and conversion garbage is several times the state it leaves).
 */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  gc();
  return true;
}
