// The fuzzer itself: coverage guidance finds a bug blind search would not, and a short run of
// both real targets (the wire codec, the whole query path) finds nothing — the CI run of
// fuzz/README.md's long one.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function node(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--expose-gc', '--disable-warning=ExperimentalWarning', ...args], { cwd: ROOT, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
  });
}

test('coverage guidance gets through four nested byte comparisons within 100 000 executions', async () => {
  const r = await node(['test/fuzz/maze/run.ts', '100000']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { execs: number; findings: string[]; corpus: number };
  assert.equal(out.findings.length, 1, r.stdout);
  assert.match(out.findings[0]!, /^RangeError: reached the bottom of the maze/);
  assert.ok(out.corpus >= 5, `each comparison passed kept an input (corpus ${out.corpus})`);
});

test('a short run over the wire codec and the whole query path finds nothing', async () => {
  const r = await node(['fuzz/run.ts', '--target', 'all', '--runs', '20000', '--seconds', '90', '--findings', '/tmp/podns-fuzz-ci']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  for (const target of ['decode', 'server']) assert.match(r.stdout, new RegExp(`^${target}: 20000 executions .* findings 0,`, 'm'));
});
