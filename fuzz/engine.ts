/**
 * The fuzzing loop, AFL's in miniature: pick an input from the corpus, mutate it (bit and byte
 * flips, interesting values, inserts, deletes, splices with another input, and DNS-aware edits of
 * the header's counts and flags), run the target on it with coverage counters reset, and keep it
 * when it reached anything new. Whatever the target throws is a finding: saved (hex and raw) and
 * counted once per message and first stack frame. Deterministic for a seed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Counters } from './coverage.ts';
import type { Target } from './targets.ts';

export interface FuzzOptions {
  readonly runs: number;
  readonly seconds: number;
  readonly seed: number;
  readonly maxLength: number;
  /** Where findings are written; null: not written. */
  readonly findings: string | null;
  readonly log: (line: string) => void;
}

export interface FuzzResult {
  readonly execs: number;
  readonly seconds: number;
  readonly corpus: number;
  readonly features: number;
  readonly findings: ReadonlyArray<{ readonly signature: string; readonly input: string }>;
  /** Largest heap in use seen (MiB), sampled every 10 000 executions after a collection when possible. */
  readonly heapMiB: number;
}

/** xorshift32: a fast seeded generator. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

const INTERESTING8 = [0, 1, 0x3f, 0x40, 0x7f, 0x80, 0xc0, 0xc1, 0xfe, 0xff];
const INTERESTING16 = [0, 1, 2, 0x29, 0xff, 0x100, 0x1ff, 0x7fff, 0x8000, 0xc00c, 0xffff];

export class Mutator {
  readonly #next: () => number;
  constructor(seed: number) { this.#next = rng(seed); }
  int(n: number): number { return n <= 0 ? 0 : this.#next() % n; }

  mutate(parent: Uint8Array, other: Uint8Array, maxLength: number): Uint8Array {
    let b: Buffer = Buffer.from(parent);
    const rounds = 1 + this.int(4);
    for (let r = 0; r < rounds; r++) b = this.#once(b, other);
    return b.length > maxLength ? b.subarray(0, maxLength) : b;
  }

  #once(b: Buffer, other: Uint8Array): Buffer {
    const at = (): number => this.int(b.length);
    switch (this.int(12)) {
      case 0: if (b.length > 0) { const i = at(); b[i] = b[i]! ^ (1 << this.int(8)); } return b;
      case 1: if (b.length > 0) b[at()] = this.int(256); return b;
      case 2: if (b.length > 0) b[at()] = INTERESTING8[this.int(INTERESTING8.length)]!; return b;
      case 3: if (b.length > 1) b.writeUInt16BE(INTERESTING16[this.int(INTERESTING16.length)]!, this.int(b.length - 1)); return b;
      case 4: { const i = this.int(b.length + 1); const n = 1 + this.int(8); const ins = Buffer.alloc(n); for (let k = 0; k < n; k++) ins[k] = this.int(256); return Buffer.concat([b.subarray(0, i), ins, b.subarray(i)]); }
      case 5: { if (b.length === 0) return b; const i = at(); const n = 1 + this.int(Math.min(16, b.length - i)); return Buffer.concat([b.subarray(0, i), b.subarray(i + n)]); }
      case 6: { if (b.length === 0) return b; const i = at(); const n = 1 + this.int(Math.min(32, b.length - i)); const j = this.int(b.length + 1); return Buffer.concat([b.subarray(0, j), b.subarray(i, i + n), b.subarray(j)]); }
      case 7: { const i = this.int(b.length + 1); const j = this.int(other.length + 1); return Buffer.concat([b.subarray(0, i), other.subarray(j)]); }
      case 8: return b.subarray(0, this.int(b.length + 1));
      case 9: if (b.length >= 12) b.writeUInt16BE(this.int(4), 4 + 2 * this.int(4)); return b; // QD/AN/NS/AR counts
      case 10: if (b.length >= 4) { b[2] = this.int(256); b[3] = this.int(256); } return b; // flags, opcode, rcode
      default: { // an OPT record, maybe with an option
        const opt = Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, this.int(2) === 0 ? 0 : 0x80, 0, 0, 0]);
        const withOption = this.int(2) === 0;
        const option = withOption ? Buffer.from([0, this.int(16), 0, this.int(12)]) : Buffer.alloc(0);
        opt.writeUInt16BE(option.length + (withOption ? option[3]! : 0), 9);
        const body = withOption ? Buffer.alloc(option[3]!, this.int(256)) : Buffer.alloc(0);
        const out = Buffer.concat([b, opt, option, body]);
        if (out.length >= 12) out.writeUInt16BE((out.readUInt16BE(10) + 1) & 0xffff, 10);
        return out;
      }
    }
  }
}

export async function fuzz(run: Target, seeds: readonly Uint8Array[], counters: Counters, o: FuzzOptions): Promise<FuzzResult> {
  const m = new Mutator(o.seed);
  const corpus: Uint8Array[] = [];
  const findings = new Map<string, string>();
  const gc = (globalThis as { gc?: () => void }).gc;
  let heap = 0;
  const started = performance.now();
  let lastReport = started;
  let execs = 0;

  const one = async (input: Uint8Array): Promise<boolean> => {
    counters.reset();
    try {
      await run(input);
    } catch (err) {
      const e = err as Error;
      const frame = (e.stack ?? '').split('\n').find((l) => l.trim().startsWith('at ')) ?? '';
      const signature = `${e.name}: ${e.message.replace(/\d+/g, 'N')} ${frame.trim()}`;
      if (!findings.has(signature)) {
        const hex = Buffer.from(input).toString('hex');
        findings.set(signature, hex);
        o.log(`FINDING ${signature}\n  input ${hex}`);
        if (o.findings !== null) {
          mkdirSync(o.findings, { recursive: true });
          const name = `finding-${findings.size}`;
          writeFileSync(join(o.findings, `${name}.bin`), input);
          writeFileSync(join(o.findings, `${name}.txt`), `${signature}\n${e.stack ?? ''}\n${hex}\n`);
        }
      }
    }
    execs++;
    return counters.novel();
  };

  for (const s of seeds) if (await one(s) || corpus.length === 0) corpus.push(s);
  const deadline = started + o.seconds * 1000;
  while (execs < o.runs && performance.now() < deadline) {
    // Half the time one of the newest inputs: they got furthest (AFL favours recent finds too).
    const recent = Math.max(1, corpus.length >> 3);
    const parent = m.int(2) === 0 ? corpus[corpus.length - 1 - m.int(recent)]! : corpus[m.int(corpus.length)]!;
    const other = corpus[m.int(corpus.length)]!;
    const input = m.mutate(parent, other, o.maxLength);
    if (await one(input)) corpus.push(input);
    if (execs % 10_000 === 0) {
      gc?.();
      heap = Math.max(heap, process.memoryUsage().heapUsed / 1048576);
      const now = performance.now();
      if (now - lastReport > 5000) {
        lastReport = now;
        o.log(`${execs} execs, ${Math.round(execs / ((now - started) / 1000))}/s, corpus ${corpus.length}, features ${counters.features}, findings ${findings.size}, heap ${heap.toFixed(0)} MiB`);
      }
    }
  }
  return {
    execs, seconds: (performance.now() - started) / 1000, corpus: corpus.length, features: counters.features,
    findings: [...findings].map(([signature, input]) => ({ signature, input })), heapMiB: heap,
  };
}
