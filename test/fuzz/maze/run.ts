// Runs the fuzzing engine on the maze, instrumented the way fuzz/run.ts instruments src/.
import { fileURLToPath } from 'node:url';
import { Counters, instrument } from '../../../fuzz/coverage.ts';

instrument(fileURLToPath(new URL('.', import.meta.url)));
const { fuzz } = await import('../../../fuzz/engine.ts');
const { maze } = await import('./maze.ts');
const r = await fuzz(maze, [new Uint8Array(8)], new Counters(), {
  runs: Number(process.argv[2] ?? 200_000), seconds: 60, seed: 7, maxLength: 64, findings: null, log: () => {},
});
process.stdout.write(JSON.stringify({ execs: r.execs, findings: r.findings.map((f) => f.signature), corpus: r.corpus }));
