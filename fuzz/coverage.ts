/**
 * Coverage for the fuzzer: podns's TypeScript modules are instrumented as they load (types
 * stripped with node:module's stripTypeScriptTypes, then istanbul-lib-instrument, in a
 * synchronous module.registerHooks load hook), so every branch
 * and function of podns's code counts its hits in `globalThis.__podnsFuzzCoverage`. The engine
 * resets those counters before each input and reads them after it: an input that reaches a
 * branch or function (or a new power-of-two bucket of hits, as AFL counts) it never reached
 * before is kept. Must be installed before any module under test is imported.
 */
import { createRequire } from 'node:module';
import { registerHooks, stripTypeScriptTypes } from 'node:module';
import { fileURLToPath } from 'node:url';

const VARIABLE = '__podnsFuzzCoverage';

interface FileCoverage {
  readonly b: Record<string, number[]>;
  readonly f: Record<string, number>;
}

interface Instrumenter { instrumentSync(code: string, filename: string): string }

/** Instruments every TypeScript module under `root` (src/) loaded from now on, test files aside. */
export function instrument(root: string): void {
  const require = createRequire(import.meta.url);
  const { createInstrumenter } = require('istanbul-lib-instrument') as { createInstrumenter(o: object): Instrumenter };
  const instrumenter = createInstrumenter({ esModules: true, coverageVariable: VARIABLE, compact: true, produceSourceMap: false });
  registerHooks({
    load(url, context, nextLoad) {
      const loaded = nextLoad(url, context);
      if (!url.startsWith('file:') || !url.endsWith('.ts') || url.endsWith('.test.ts')) return loaded;
      const file = fileURLToPath(url);
      if (!file.startsWith(root)) return loaded;
      const source = typeof loaded.source === 'string' ? loaded.source : Buffer.from(loaded.source as Uint8Array).toString('utf8');
      const js = stripTypeScriptTypes(source, { mode: 'strip' });
      return { format: 'module', source: instrumenter.instrumentSync(js, file), shortCircuit: true };
    },
  });
}

/**
 * The counters of every instrumented module, flattened: one array of branch-arm counters per
 * branch, one object of function counters per file. Read again when modules were loaded since.
 */
export class Counters {
  #arrays: number[][] = [];
  #functions: Array<Record<string, number>> = [];
  #functionKeys: string[][] = [];
  #files = 0;
  /** Per counter slot, the buckets of hits seen so far (a bit per bucket). */
  #seen: Uint8Array = new Uint8Array(0);

  #refresh(): void {
    const all = (globalThis as Record<string, unknown>)[VARIABLE] as Record<string, FileCoverage> | undefined;
    if (all === undefined) return;
    const files = Object.values(all);
    if (files.length === this.#files) return;
    this.#files = files.length;
    this.#arrays = files.flatMap((f) => Object.values(f.b));
    this.#functions = files.map((f) => f.f);
    this.#functionKeys = files.map((f) => Object.keys(f.f));
    let slots = 0;
    for (const a of this.#arrays) slots += a.length;
    for (const k of this.#functionKeys) slots += k.length;
    const seen = new Uint8Array(slots);
    seen.set(this.#seen.subarray(0, Math.min(slots, this.#seen.length)));
    this.#seen = seen;
  }

  reset(): void {
    this.#refresh();
    for (const a of this.#arrays) a.fill(0);
    for (let i = 0; i < this.#functions.length; i++) {
      const f = this.#functions[i]!;
      for (const k of this.#functionKeys[i]!) f[k] = 0;
    }
  }

  /** Whether the run since reset() reached anything new; records it as seen. */
  novel(): boolean {
    this.#refresh();
    let found = false;
    let i = 0;
    const mark = (n: number): void => {
      if (n !== 0) {
        const bit = bucket(n);
        if ((this.#seen[i]! & bit) === 0) { this.#seen[i] = this.#seen[i]! | bit; found = true; }
      }
      i++;
    };
    for (const a of this.#arrays) for (let j = 0; j < a.length; j++) mark(a[j]!);
    for (let x = 0; x < this.#functions.length; x++) {
      const f = this.#functions[x]!;
      for (const k of this.#functionKeys[x]!) mark(f[k]!);
    }
    return found;
  }

  /** Distinct (slot, bucket) pairs seen: the corpus's coverage. */
  get features(): number {
    let n = 0;
    for (const b of this.#seen) { let x = b; while (x !== 0) { n += x & 1; x >>= 1; } }
    return n;
  }
}

/** AFL's hit-count buckets: 1, 2, 3, 4–7, 8–15, 16–31, 32–127, 128+. */
function bucket(n: number): number {
  if (n <= 3) return 1 << (n - 1);
  if (n < 8) return 8;
  if (n < 16) return 16;
  if (n < 32) return 32;
  if (n < 128) return 64;
  return 128;
}
