/**
 * `npm run fuzz -- [flags]`: coverage-guided fuzzing of the wire codec and of the whole query path
 * (fuzz/README.md). Exit status 1 when anything was found.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Counters, instrument } from './coverage.ts';

const USAGE = `node fuzz/run.ts [flags]     (npm run fuzz -- [flags])
  --target T        decode, server, or all (default all: each gets the runs and seconds)
  --runs N          executions per target (default 1000000)
  --seconds S       at most this long per target (default 600)
  --seed N          (default 1)
  --max-length N    longest input, octets (default 1024)
  --findings DIR    write each finding there (default fuzz/findings)`;

const { values: f } = parseArgs({
  options: {
    target: { type: 'string', default: 'all' }, runs: { type: 'string', default: '1000000' }, seconds: { type: 'string', default: '600' },
    seed: { type: 'string', default: '1' }, 'max-length': { type: 'string', default: '1024' }, findings: { type: 'string' }, help: { type: 'boolean' },
  },
});
if (f.help === true) { process.stdout.write(`${USAGE}\n`); process.exit(0); }

const ROOT = fileURLToPath(new URL('..', import.meta.url));
instrument(`${ROOT}src/`);
// Imported after the hook: the modules under test load instrumented.
const { fuzz } = await import('./engine.ts');
const { seeds, target } = await import('./targets.ts');

const log = (line: string): void => { process.stderr.write(`[fuzz ${new Date().toISOString().slice(11, 19)}] ${line}\n`); };
const names = f.target === 'all' ? ['decode', 'server'] : [f.target!];
let found = 0;
for (const name of names) {
  const counters = new Counters();
  const run = await target(name, ROOT);
  const r = await fuzz(run, seeds(), counters, {
    runs: Number(f.runs), seconds: Number(f.seconds), seed: Number(f.seed), maxLength: Number(f['max-length']),
    findings: f.findings ?? `${ROOT}fuzz/findings/${name}`, log,
  });
  found += r.findings.length;
  process.stdout.write(`${name}: ${r.execs} executions in ${r.seconds.toFixed(1)} s (${Math.round(r.execs / r.seconds)}/s), corpus ${r.corpus}, coverage features ${r.features}, findings ${r.findings.length}, heap at most ${r.heapMiB.toFixed(0)} MiB\n`);
  for (const x of r.findings) process.stdout.write(`  ${x.signature}\n    ${x.input}\n`);
}
process.exit(found > 0 ? 1 : 0);
