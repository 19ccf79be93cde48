// Golden files for `podns pod files`: every folder of test/fixtures/podconf/ is one case, run
// through the real CLI process (`node src/cli/main.ts pod files ...`) in JSON and in text mode,
// and compared byte for byte.
//
// A case folder holds the inputs:
//   pod.yaml          the Pod (--pod)
//   kubelet.yaml      the KubeletConfiguration (--kubelet-config)
//   host-resolv.conf  optional: --host-resolv-conf
//   host-hosts        optional: --host-hosts
//   args              optional: more arguments, one per line (e.g. --pod-ip and its value)
//   README            what the case shows and why the expected bytes are what the kubelet writes
// and the expected results:
//   hosts, resolv.conf  the two files (hosts absent when the kubelet writes none)
//   out.json            the CLI's stdout with --json
//   out.txt             optional: the CLI's stdout without --json (compared when the file exists;
//                       create it empty to add one; each costs a second process)
//   stderr              the CLI's stderr (absent when empty)
//   exit-status         the exit status (absent when 0)
//
// UPDATE_GOLDEN=1 npm test (or node --test test/podconf/golden.test.ts) rewrites the expected
// files from the CLI's output; review the diff before committing it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'src/cli/main.ts');
const CASES = join(ROOT, 'test/fixtures/podconf');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

interface Run { stdout: string; stderr: string; status: number }

function run(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err !== null && typeof err.code !== 'number') { reject(err); return; }
      resolve({ stdout, stderr, status: err === null ? 0 : (err.code as number) });
    });
  });
}

function read(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

/** Compares (or, with UPDATE_GOLDEN=1, writes) one expected file; null means "absent". */
function expectFile(dir: string, name: string, actual: string | null): void {
  const path = join(dir, name);
  if (UPDATE) {
    if (actual === null) rmSync(path, { force: true });
    else writeFileSync(path, actual);
    return;
  }
  assert.equal(actual, read(path), `${name} differs (UPDATE_GOLDEN=1 rewrites it)`);
}

/** The case's command line, with paths relative to the repository (messages quote them). */
function caseArgs(name: string): string[] {
  const dir = join(CASES, name);
  const rel = (f: string): string => `test/fixtures/podconf/${name}/${f}`;
  const args = ['pod', 'files', '--pod', rel('pod.yaml'), '--kubelet-config', rel('kubelet.yaml')];
  if (existsSync(join(dir, 'host-resolv.conf'))) args.push('--host-resolv-conf', rel('host-resolv.conf'));
  if (existsSync(join(dir, 'host-hosts'))) args.push('--host-hosts', rel('host-hosts'));
  const extra = read(join(dir, 'args'));
  if (extra !== null) args.push(...extra.split('\n').filter((l) => l !== ''));
  return args;
}

const cases = readdirSync(CASES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

test('there is a golden case for every behaviour of issue 5, each saying what it shows', () => {
  assert.ok(cases.length >= 30, `only ${cases.length} cases`);
  for (const c of cases) assert.ok(existsSync(join(CASES, c, 'README')), `${c} has no README`);
});

// Each case starts a node process (two with out.txt); a few at a time.
test('golden cases', { concurrency: 4 }, async (t) => {
  await Promise.all(cases.map((name) => t.test(name, async () => {
    const dir = join(CASES, name);
    const args = caseArgs(name);
    const withText = existsSync(join(dir, 'out.txt'));
    const [json, text] = await Promise.all([run([...args, '--json']), withText ? run(args) : null]);
    expectFile(dir, 'exit-status', json.status === 0 ? null : `${json.status}\n`);
    expectFile(dir, 'stderr', json.stderr === '' ? null : json.stderr);
    if (text !== null) {
      assert.equal(text.status, json.status, 'the exit status does not depend on --json');
      assert.equal(text.stderr, json.stderr, 'stderr does not depend on --json');
    }
    if (json.status !== 0) {
      assert.equal(json.stdout, '', 'nothing on stdout when the pod is refused');
      if (text !== null) assert.equal(text.stdout, '');
      for (const f of ['out.json', 'hosts', 'resolv.conf']) expectFile(dir, f, null);
      return;
    }
    expectFile(dir, 'out.json', json.stdout);
    if (text !== null) expectFile(dir, 'out.txt', text.stdout);
    const out = JSON.parse(json.stdout) as { hosts: string | null; resolvConf: string };
    assert.deepEqual(Object.keys(out), ['hosts', 'resolvConf', 'dns', 'hostname', 'events']);
    expectFile(dir, 'hosts', out.hosts);
    expectFile(dir, 'resolv.conf', out.resolvConf);
  })));
});
