// `podns lint` as users run it: the real CLI process over the fixture cluster of
// test/fixtures/lint/, which has one object (or Corefile) per problem and clean objects beside
// them. Each expected finding is marked in the fixture, on the line it must point at, by a
// comment `# expect: RULE SEVERITY [KIND NAMESPACE/NAME]`; JSON files cannot hold comments, so
// theirs are listed here. The findings must be exactly the marked ones: no rule may stay silent,
// fire elsewhere, or flag a clean object.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RULES, RULE_IDS } from '../../src/lint/index.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'src/cli/main.ts');
const FIXTURE = 'test/fixtures/lint';
const COREFILES = ['Corefile', 'Corefile.broken', 'Corefile.warn'].flatMap((f) => ['--corefile', `${FIXTURE}/${f}`]);

interface Run { stdout: string; stderr: string; status: number }

function run(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err !== null && typeof err.code !== 'number') { reject(err); return; }
      resolve({ stdout, stderr, status: err === null ? 0 : (err.code as number) });
    });
  });
}

interface JsonFinding {
  rule: string; severity: string; file: string; line: number;
  object: { kind: string; namespace: string; name: string } | null; field: string | null; message: string;
}
interface JsonOutput { findings: JsonFinding[]; errors: number; warnings: number }

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

/** `file:line rule severity [Kind ns/name]` for every marker of the fixture, plus the JSON file's. */
function expected(): string[] {
  const out = ['test/fixtures/lint/cluster/external.json:9 externalname-ip error Service shop/legacy-db'];
  for (const file of files(FIXTURE)) {
    readFileSync(join(ROOT, file), 'utf8').split('\n').forEach((text, i) => {
      const m = /# expect: (\S+) (\S+)(?: (\S+) (\S+))?\s*$/.exec(text);
      if (m !== null) out.push(`${relative(ROOT, join(ROOT, file))}:${i + 1} ${m[1]} ${m[2]}${m[3] === undefined ? '' : ` ${m[3]} ${m[4]}`}`);
    });
  }
  return out.sort();
}

function actual(findings: readonly JsonFinding[]): string[] {
  return findings.map((f) => `${f.file}:${f.line} ${f.rule} ${f.severity}${f.object === null ? '' : ` ${f.object.kind} ${f.object.namespace}/${f.object.name}`}`).sort();
}

test('the fixture marks at least one finding of every rule, each with one of the rule\'s severities', () => {
  const marks = expected();
  for (const id of RULE_IDS) assert.ok(marks.some((m) => m.split(' ')[1] === id), `no fixture object for ${id}`);
  for (const m of marks) {
    const [, rule, severity] = m.split(' ');
    assert.ok((RULES[rule as keyof typeof RULES].severities as readonly string[]).includes(severity!), m);
  }
  // Both faces of dnsconfig-over-limits.
  assert.ok(marks.some((m) => / dnsconfig-over-limits error /.test(m)) && marks.some((m) => / dnsconfig-over-limits warning /.test(m)));
});

test('lint finds each problem of the fixture cluster exactly where it is, and nothing else (--json)', async () => {
  const r = await run(['lint', '--manifests', `${FIXTURE}/cluster`, ...COREFILES, '--json']);
  assert.equal(r.stderr, '');
  assert.equal(r.status, 1, 'errors were found: exit status 1');
  const out = JSON.parse(r.stdout) as JsonOutput;
  assert.deepEqual(actual(out.findings), expected());
  assert.equal(out.findings.some((f) => f.file.endsWith('clean.yaml') || f.file.endsWith('namespaces.yaml') || f.file.endsWith('/Corefile')), false);
});

test('--json shape: findings with rule, severity, file, line, object, field, message; counts', async () => {
  const r = await run(['lint', '--manifests', `${FIXTURE}/cluster`, ...COREFILES, '--json']);
  const out = JSON.parse(r.stdout) as JsonOutput;
  assert.deepEqual(Object.keys(out), ['findings', 'errors', 'warnings']);
  for (const f of out.findings) {
    assert.deepEqual(Object.keys(f), ['rule', 'severity', 'file', 'line', 'object', 'field', 'message']);
    assert.ok(RULE_IDS.includes(f.rule as never));
    assert.ok(f.severity === 'error' || f.severity === 'warning');
    assert.ok(Number.isInteger(f.line) && f.line >= 1);
    assert.ok(f.object === null || (typeof f.object.kind === 'string' && typeof f.object.namespace === 'string' && typeof f.object.name === 'string'));
    assert.ok(f.field === null || typeof f.field === 'string');
    assert.ok(f.message.length > 0);
  }
  assert.equal(out.errors, out.findings.filter((f) => f.severity === 'error').length);
  assert.equal(out.warnings, out.findings.filter((f) => f.severity === 'warning').length);
  assert.ok(out.errors > 0 && out.warnings > 0);
  // Sorted by file, then line.
  const order = out.findings.map((f) => [f.file, f.line] as const);
  assert.deepEqual(order, [...order].sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1)));
  // Fields where the finding is about one.
  const ndots = out.findings.find((f) => f.rule === 'ndots-amplification' && f.object?.name === 'checkout')!;
  assert.equal(ndots.field, 'spec.template.spec.containers[0].env[0].value');
  assert.match(ndots.message, /^api\.payments-provider\.com \(env PAYMENT_API of container checkout\) has 2 dots, fewer than ndots:5.*: 8 queries \(A and AAAA\)/);
});

test('text output: one line per finding, FILE:LINE: SEVERITY [RULE] Kind ns/name: message, then the counts', async () => {
  const [text, json] = await Promise.all([
    run(['lint', '--manifests', `${FIXTURE}/cluster`, ...COREFILES]),
    run(['lint', '--manifests', `${FIXTURE}/cluster`, ...COREFILES, '--json']),
  ]);
  assert.equal(text.status, 1);
  const out = JSON.parse(json.stdout) as JsonOutput;
  const lines = text.stdout.split('\n');
  assert.equal(lines.pop(), '');
  assert.equal(lines.pop(), `${out.errors} errors, ${out.warnings} warnings`);
  assert.deepEqual(lines, out.findings.map((f) => `${f.file}:${f.line}: ${f.severity} [${f.rule}] ${f.object === null ? '' : `${f.object.kind} ${f.object.namespace === '' ? '' : `${f.object.namespace}/`}${f.object.name}: `}${f.message}`));
  assert.ok(lines.includes('test/fixtures/lint/cluster/workloads.yaml:106: error [hostalias-stale-ip] Pod shop/legacy-app: hostAliases[0] maps billing to 10.96.77.77, which no current Pod, Service or endpoint has, though it is in 10.96.0.0/16, where the cluster\'s Service and Pod IPs are: the alias sends the pod to an address nothing answers (or to whatever gets it next), and the kubelet never updates it; name the Service instead (ClusterFirst resolves it) or correct the IP'));
});

test('clean objects alone: no findings, exit status 0', async () => {
  const args = ['lint', '--manifests', `${FIXTURE}/cluster/namespaces.yaml`, `${FIXTURE}/cluster/clean.yaml`, '--corefile', `${FIXTURE}/Corefile`];
  const text = await run(args);
  assert.deepEqual(text, { stdout: 'no problems found\n', stderr: '', status: 0 });
  const json = await run([...args, '--json']);
  assert.equal(json.status, 0);
  assert.deepEqual(JSON.parse(json.stdout), { findings: [], errors: 0, warnings: 0 });
});

test('warnings only: exit status 0', async () => {
  const r = await run(['lint', '--manifests', `${FIXTURE}/cluster/clean.yaml`, '--corefile', `${FIXTURE}/Corefile.warn`]);
  assert.equal(r.status, 0);
  assert.equal(r.stdout, 'test/fixtures/lint/Corefile.warn:4: warning [corefile-warning] podns validate warns: autopath @kubernetes does nothing unless kubernetes has `pods verified`\n0 errors, 1 warning\n');
});

test('--cluster-cidr and --cluster-domain change what is judged', async () => {
  // 10.96.77.77 outside the given range: not judged stale.
  const cidr = await run(['lint', '--manifests', `${FIXTURE}/cluster/workloads.yaml`, `${FIXTURE}/cluster/clean.yaml`, '--cluster-cidr', '10.244.0.0/16', '--json']);
  assert.equal((JSON.parse(cidr.stdout) as JsonOutput).findings.filter((f) => f.rule === 'hostalias-stale-ip').length, 0);
  // Another cluster domain: db.shop.svc.cluster.local is an external name now.
  const domain = await run(['lint', '--manifests', `${FIXTURE}/cluster/clean.yaml`, '--cluster-domain', 'k8s.example', '--json']);
  assert.ok((JSON.parse(domain.stdout) as JsonOutput).findings.some((f) => f.rule === 'ndots-amplification' && f.message.startsWith('db.shop.svc.cluster.local ')));
});

test('usage errors and unreadable paths: exit status 2', async () => {
  const cidr = await run(['lint', '--manifests', FIXTURE, '--cluster-cidr', '10.96.0.0/33']);
  assert.equal(cidr.status, 2);
  assert.match(cidr.stderr, /--cluster-cidr: not a CIDR: 10\.96\.0\.0\/33/);
  const flag = await run(['lint', '--manifest', FIXTURE]);
  assert.equal(flag.status, 2);
  const missing = await run(['lint', '--manifests', `${FIXTURE}/nope`]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^podns: lint: --manifests test\/fixtures\/lint\/nope: ENOENT/);
  assert.equal(missing.stderr.split('\n').length, 2);
  const corefile = await run(['lint', '--corefile', `${FIXTURE}/nope`]);
  assert.equal(corefile.status, 2);
  assert.match(corefile.stderr, /^podns: lint: --corefile test\/fixtures\/lint\/nope: cannot read the Corefile/);
});

test('help: podns help and podns lint --help describe lint, over manifests or a live cluster', async () => {
  const help = await run(['help']);
  assert.equal(help.status, 0);
  const lint = await run(['lint', '--help']);
  assert.equal(lint.status, 0);
  const { LINT_USAGE } = await import('../../src/cli/lint-usage.ts');
  assert.ok(help.stdout.includes(LINT_USAGE), 'main.ts\'s usage holds lint.ts\'s');
  assert.ok(lint.stdout.includes(LINT_USAGE));
  assert.match(LINT_USAGE, /--manifests PATH\.\.\./);
  assert.match(LINT_USAGE, /--kubeconfig FILE/);
});

test('main.ts loads lint lazily; src/lint is pure (no node: modules, no process)', () => {
  const main = readFileSync(join(ROOT, 'src/cli/main.ts'), 'utf8');
  assert.doesNotMatch(main, /^import[^\n]*'\.\/lint\.ts'/m, 'only the usage text is imported eagerly');
  assert.match(main, /case 'lint': return await \(await import\('\.\/lint\.ts'\)\)\.lint\(rest\);/);
  const problems: string[] = [];
  for (const file of files('src/lint').filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)) {
      if (!m[1]!.startsWith('.') && m[1] !== 'yaml') problems.push(`${file} imports ${m[1]}`);
    }
    if (/\bprocess\./.test(text)) problems.push(`${file} uses process`);
  }
  assert.deepEqual(problems, []);
});
