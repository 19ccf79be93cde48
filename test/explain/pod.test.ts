// `podns explain --pod NS/NAME`: the real CLI process computes the pod's files as the kubelet
// would, from manifests (answering the cluster DNS address in-process, through the Corefile's
// plugins, with the pod's own IP as the client) or from a live API server (the API double).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RRClass, RRType } from '../../src/dns/types.ts';
import type { Message } from '../../src/dns/types.ts';
import { startApiDouble } from '../../src/testing/apiserver.ts';
import type { ApiDouble } from '../../src/testing/apiserver.ts';
import { answerTo, startUpstream } from '../../src/testing/upstream.ts';
import type { Upstream } from '../../src/testing/upstream.ts';
import { CLI, ROOT, tempDir } from '../integration/harness.ts';

const EXAMPLES = 'examples/cluster';
/** A pod of examples/cluster with status.podIP 10.244.1.10. */
const WEB_POD = 'shop/web-5d8f7c9b6-2xkqp';
const CLUSTER_FIRST = 'search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n';

interface Ran { code: number; stdout: string; stderr: string }
function podns(args: readonly string[]): Promise<Ran> {
  const env = { ...process.env };
  delete env['KUBECONFIG'];
  delete env['KUBERNETES_SERVICE_HOST'];
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'explain', ...args], { cwd: ROOT, timeout: 30_000, env }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

interface Out {
  pod: { namespace: string; name: string; resolvConf: string; hosts: string; notes: string[] };
  queries: Array<{ name: string; type: string; server: string; inProcess: boolean; plugin: string | null; rcode: string | null; answers: string[] }>;
  result: { addrs: string[]; error: string | null };
  totals: { queries: number; roundTrips: number };
  verdict: string;
}
const json = (r: Ran): Out => JSON.parse(r.stdout) as Out;
const asked = (o: Out): string[] => o.queries.map((q) => `${q.name} ${q.type} ${q.rcode} ${q.plugin}`);

const dir = tempDir('podns-explain-pod-');
let up: Upstream;
let api: ApiDouble;
before(async () => {
  // The world outside the cluster: example.com only.
  up = await startUpstream((q: Message) => {
    const { name, type } = q.questions[0]!;
    if (name.toLowerCase() !== 'example.com.') return answerTo(q, { rcode: 3 });
    if (type !== RRType.A) return answerTo(q, {});
    return answerTo(q, { answers: [{ name, type: RRType.A, class: RRClass.IN, ttl: 30, data: '93.184.215.14' }] });
  });
  const kubernetes = (pods: string) => `kubernetes cluster.local in-addr.arpa ip6.arpa {\n    pods ${pods}\n    fallthrough in-addr.arpa ip6.arpa\n  }`;
  writeFileSync(join(dir, 'plain.Corefile'), `.:53 {\n  ${kubernetes('insecure')}\n  forward . ${up.address}\n}\n`);
  writeFileSync(join(dir, 'autopath.Corefile'), `.:53 {\n  ${kubernetes('verified')}\n  autopath @kubernetes\n  forward . ${up.address}\n}\n`);
  writeFileSync(join(dir, 'db.yaml'), `apiVersion: v1
kind: Service
metadata: { name: db, namespace: data }
spec:
  clusterIP: None
  selector: { app: db }
  ports: [{ name: pg, port: 5432 }]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: data }
spec:
  serviceName: db
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec:
      containers: [{ name: pg, image: postgres:17 }]
      dnsConfig: { options: [{ name: ndots, value: "2" }] }
      hostAliases: [{ ip: 10.1.2.3, hostnames: [legacy-billing] }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: db-x1, namespace: data, labels: { kubernetes.io/service-name: db } }
addressType: IPv4
ports: [{ name: pg, port: 5432 }]
endpoints:
  - addresses: [10.244.3.7]
    hostname: db-0
    conditions: { ready: true }
---
apiVersion: v1
kind: Service
metadata: { name: kube-dns, namespace: kube-system }
spec: { clusterIP: 10.96.0.10, ports: [{ name: dns, port: 53, protocol: UDP }] }
`);
  api = await startApiDouble({
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { clusterIP: '10.96.0.53', clusterIPs: ['10.96.0.53'] } },
      {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'cart-0', namespace: 'shop' },
        spec: { containers: [{ name: 'c', image: 'x' }], dnsConfig: { searches: ['corp.example'] } },
        status: { podIP: '10.244.9.9', podIPs: [{ ip: '10.244.9.9' }] },
      },
    ],
  });
});
after(async () => { await up.close(); await api.close(); });

test('a cluster name: the pod\'s files as the kubelet writes them, answered in-process by kubernetes', async () => {
  const r = await podns(['web', '--pod', WEB_POD, '--manifests', EXAMPLES, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const o = json(r);
  assert.equal(o.pod.resolvConf, CLUSTER_FIRST);
  assert.match(o.pod.hosts, /\n10\.244\.1\.10\tweb-5d8f7c9b6-2xkqp\n$/);
  assert.deepEqual(o.pod.notes.slice(0, 2), [`pod ${WEB_POD} from examples/cluster/shop.yaml:136`, 'clusterDNS 10.96.0.10: the Service kube-system/kube-dns of the manifests']);
  assert.deepEqual(asked(o), ['web.shop.svc.cluster.local. A NOERROR kubernetes', 'web.shop.svc.cluster.local. AAAA NOERROR kubernetes']);
  assert.ok(o.queries.every((q) => q.inProcess && q.server === '10.96.0.10:53'));
  assert.deepEqual([o.result.addrs, o.result.error], [['10.96.100.10'], null]);
});

test('an external name: the search list walked through kubernetes, then forward answers (8 queries)', async () => {
  const r = await podns(['example.com', '--pod', WEB_POD, '--manifests', EXAMPLES, '--conf', join(dir, 'plain.Corefile'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const o = json(r);
  assert.deepEqual(asked(o), [
    'example.com.shop.svc.cluster.local. A NXDOMAIN kubernetes', 'example.com.shop.svc.cluster.local. AAAA NXDOMAIN kubernetes',
    'example.com.svc.cluster.local. A NXDOMAIN kubernetes', 'example.com.svc.cluster.local. AAAA NXDOMAIN kubernetes',
    'example.com.cluster.local. A NXDOMAIN kubernetes', 'example.com.cluster.local. AAAA NXDOMAIN kubernetes',
    'example.com. A NOERROR forward', 'example.com. AAAA NOERROR forward',
  ]);
  assert.deepEqual(o.result.addrs, ['93.184.215.14']);
  assert.match(o.verdict, /^8 queries for one external name: write example\.com\. \(trailing dot\) or set ndots:1/);
});

test('with autopath and pods verified, the pod\'s IP as the client: 2 queries, answered by autopath', async () => {
  const r = await podns(['example.com', '--pod', WEB_POD, '--manifests', EXAMPLES, '--conf', join(dir, 'autopath.Corefile'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const o = json(r);
  assert.deepEqual(asked(o), ['example.com.shop.svc.cluster.local. A NOERROR autopath', 'example.com.shop.svc.cluster.local. AAAA NOERROR autopath']);
  assert.deepEqual(o.result.addrs, ['93.184.215.14']);
  assert.equal(o.totals.queries, 2);
});

test('a StatefulSet pod by its ordinal name: hostname and subdomain as the controller sets them, the template\'s dnsConfig and hostAliases', async () => {
  const r = await podns(['db-0.db', '--pod', 'data/db-0', '--manifests', join(dir, 'db.yaml')]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'pod data/db-0');
  assert.ok(lines.includes(`  pod data/db-0 from ${join(dir, 'db.yaml')}:9`), r.stdout);
  assert.ok(lines.includes('  pod db-0 of StatefulSet data/db: its template, with hostname db-0 and subdomain db as the StatefulSet controller sets them'));
  assert.ok(r.stdout.includes('    search data.svc.cluster.local svc.cluster.local cluster.local\n    nameserver 10.96.0.10\n    options ndots:2\n'), r.stdout);
  // One dot, ndots:2: the search list first; db-0.db.data.svc.cluster.local is the endpoint's name.
  assert.match(r.stdout, /#1 db-0\.db\.data\.svc\.cluster\.local\. A udp 10\.96\.0\.10:53 in-process \[kubernetes\] {2}NOERROR 10\.244\.3\.7 /);
  const alias = await podns(['legacy-billing', '--pod', 'data/db-0', '--manifests', join(dir, 'db.yaml'), '--json']);
  assert.deepEqual(json(alias).queries, [], 'hostAliases answer from /etc/hosts');
  assert.deepEqual(json(alias).result.addrs, ['10.1.2.3']);
});

test('--server with --pod: every query goes to that server, none in-process', async () => {
  const r = await podns(['example.com.', '--pod', WEB_POD, '--manifests', EXAMPLES, '--server', up.address, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const o = json(r);
  assert.deepEqual(o.queries.map((q) => [q.server, q.inProcess, q.plugin]), [[up.address, false, null], [up.address, false, null]]);
});

test('a pod of the live cluster (--kubeconfig): its files from the API, kube-dns\'s IP from the API', async () => {
  const r = await podns(['example.com.', '--pod', 'shop/cart-0', '--kubeconfig', api.kubeconfig(), '--server', up.address, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const o = json(r);
  assert.equal(o.pod.resolvConf, 'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.53\noptions ndots:5\n');
  assert.match(o.pod.notes[0]!, /^pod shop\/cart-0 from http:\/\/127\.0\.0\.1:\d+ \(kubeconfig .*, context .*\)$/);
  assert.match(o.pod.notes[1]!, /^clusterDNS 10\.96\.0\.53: the Service kube-system\/kube-dns on http:\/\/127\.0\.0\.1:\d+$/);
  assert.deepEqual(o.result.addrs, ['93.184.215.14']);
  const missing = await podns(['x', '--pod', 'shop/nope', '--kubeconfig', api.kubeconfig()]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^podns: --pod shop\/nope: no such Pod on http:\/\/127\.0\.0\.1:\d+\n$/);
});

test('usage: --pod or --resolv-conf, pod flags only with --pod; a pod not in the manifests', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['x'], /give --pod NS\/NAME \(a pod of --manifests or of the live cluster\) or --resolv-conf FILE/],
    [['x', '--pod', WEB_POD, '--resolv-conf', '/dev/null'], /give --pod NS\/NAME or --resolv-conf FILE, not both/],
    [['x', '--pod', WEB_POD, '--manifests', EXAMPLES, '--hosts', '/dev/null'], /--hosts goes with --resolv-conf/],
    [['x', '--resolv-conf', '/dev/null', '--manifests', EXAMPLES], /--manifests goes with --pod/],
    [['x', '--pod', 'a/b/c', '--manifests', EXAMPLES], /--pod: not NAMESPACE\/NAME: a\/b\/c/],
    [['x', '--pod', WEB_POD], /no cluster to read: give --manifests PATH or --kubeconfig FILE/],
  ];
  for (const [args, message] of cases) {
    const r = await podns(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
  }
  const missing = await podns(['x', '--pod', 'shop/nope', '--manifests', EXAMPLES]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'podns: --pod shop/nope: no such Pod in the manifests (nor a StatefulSet pod or a workload of that name)\n');
});
