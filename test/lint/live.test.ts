// `podns lint` over a live cluster: the fixture cluster of test/fixtures/lint/ is loaded into the
// API server double (src/testing/apiserver.ts, the real list protocol with pagination and RBAC's
// 403s) and the real CLI reads it with --kubeconfig. It must find what it finds in the same
// objects read as manifests, finding for finding, with each object's API path in place of its
// file and line.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseSource } from '../../src/lint/index.ts';
import { startApiDouble } from '../../src/testing/apiserver.ts';
import type { ApiDouble } from '../../src/testing/apiserver.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'src/cli/main.ts');
const CLUSTER = 'test/fixtures/lint/cluster';
const FILES = ['namespaces.yaml', 'clean.yaml', 'services.yaml', 'workloads.yaml', 'external.json', 'broken.yaml'];
const CLUSTER_SCOPED = new Set(['Namespace', 'Node']);

interface Run { stdout: string; stderr: string; status: number }
function run(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const clean = { ...process.env };
  delete clean['KUBECONFIG'];
  delete clean['KUBERNETES_SERVICE_HOST'];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...clean, ...env } }, (err, stdout, stderr) => {
      if (err !== null && typeof err.code !== 'number') { reject(err); return; }
      resolve({ stdout, stderr, status: err === null ? 0 : (err.code as number) });
    });
  });
}

interface JsonFinding {
  rule: string; severity: string; file: string; line: number;
  object: { kind: string; namespace: string; name: string } | null; field: string | null; message: string;
}

/** A finding without where it was read from. */
const key = (f: JsonFinding): string =>
  `${f.rule} ${f.severity} ${f.object === null ? '-' : `${f.object.kind} ${f.object.namespace}/${f.object.name}`} ${f.field ?? '-'} ${f.message}`;

let api: ApiDouble;
let kubeconfig: string;
before(async () => {
  api = await startApiDouble();
  for (const f of FILES) {
    for (const o of parseSource(f, readFileSync(join(ROOT, CLUSTER, f), 'utf8')).objects) {
      const meta = (o.raw['metadata'] ?? {}) as Record<string, unknown>;
      // kubectl apply fills in the namespace of the context (default).
      api.apply({ ...o.raw, metadata: CLUSTER_SCOPED.has(o.kind) ? meta : { ...meta, namespace: o.namespace === '' ? 'default' : o.namespace } });
    }
  }
  kubeconfig = api.kubeconfig();
});
after(async () => { await api.close(); });

test('lint --kubeconfig finds what lint --manifests finds in the same objects, with API paths for files', async () => {
  const [live, manifests] = await Promise.all([
    run(['lint', '--kubeconfig', kubeconfig, '--json']),
    run(['lint', '--manifests', CLUSTER, '--json']),
  ]);
  assert.equal(live.stderr, '');
  assert.equal(live.status, 1);
  const got = (JSON.parse(live.stdout) as { findings: JsonFinding[] }).findings;
  const want = (JSON.parse(manifests.stdout) as { findings: JsonFinding[] }).findings
    // The YAML error of broken.yaml never reaches an API server.
    .filter((f) => f.object !== null);
  assert.ok(want.length >= 15, `the fixture has many findings (${want.length})`);
  assert.deepEqual(got.map(key).sort(), want.map(key).sort());
  for (const f of got) {
    assert.equal(f.line, 0);
    const o = f.object!;
    const group = o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'DaemonSet' || o.kind === 'ReplicaSet' ? '/apis/apps/v1'
      : o.kind === 'Job' || o.kind === 'CronJob' ? '/apis/batch/v1' : o.kind === 'EndpointSlice' ? '/apis/discovery.k8s.io/v1' : '/api/v1';
    assert.equal(f.file, `${group}/namespaces/${o.namespace}/${o.kind.toLowerCase()}s/${o.name}`);
  }
  // Every type was listed, 500 per page.
  const listed = new Set(api.requests.filter((r) => r.query['limit'] === '500').map((r) => r.path));
  for (const p of ['/api/v1/pods', '/api/v1/services', '/apis/discovery.k8s.io/v1/endpointslices', '/apis/apps/v1/deployments', '/apis/batch/v1/cronjobs', '/api/v1/configmaps', '/api/v1/nodes']) {
    assert.ok(listed.has(p), p);
  }
});

test('text output names each object by its API path, without a line', async () => {
  const r = await run(['lint', '--kubeconfig', kubeconfig]);
  assert.equal(r.status, 1);
  assert.ok(r.stdout.split('\n').includes(
    '/api/v1/namespaces/shop/pods/legacy-app: error [hostalias-stale-ip] Pod shop/legacy-app: hostAliases[0] maps billing to 10.96.77.77, which no current Pod, Service or endpoint has, though it is in 10.96.0.0/16, where the cluster\'s Service and Pod IPs are: the alias sends the pod to an address nothing answers (or to whatever gets it next), and the kubelet never updates it; name the Service instead (ClusterFirst resolves it) or correct the IP'),
  r.stdout);
});

test('$KUBECONFIG is used when no source is given; without one: a usage error', async () => {
  const env = await run(['lint', '--json'], { KUBECONFIG: kubeconfig });
  assert.equal(env.status, 1);
  assert.ok((JSON.parse(env.stdout) as { findings: JsonFinding[] }).findings.length > 0);
  const none = await run(['lint']);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /^podns: lint: no cluster to read: give --manifests PATH or --kubeconfig FILE, or set KUBECONFIG/);
  const both = await run(['lint', '--manifests', CLUSTER, '--kubeconfig', kubeconfig]);
  assert.equal(both.status, 2);
});

test('RBAC: a 403 on pods stops lint (exit 2); on deployments it warns and goes on', async () => {
  api.forbid('deployments');
  try {
    const r = await run(['lint', '--kubeconfig', kubeconfig, '--json']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^podns: lint: warning: cannot list deployments \(http:\/\/127\.0\.0\.1:\d+: 403 deployments\.apps is forbidden: User "[^"]+" cannot list resource "deployments" in API group "apps" at the cluster scope\); the rules that read them see none\n$/);
    const kinds = new Set((JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings.map((f) => f.object?.kind));
    assert.equal(kinds.has('Deployment'), false);
  } finally {
    api.allow('deployments');
  }
  api.forbid('pods');
  try {
    const r = await run(['lint', '--kubeconfig', kubeconfig]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^podns: lint: listing pods: http:\/\/127\.0\.0\.1:\d+: 403 pods is forbidden/);
    assert.equal(r.stdout, '');
  } finally {
    api.allow('pods');
  }
});
