// End to end: `podns serve` following a live API server. No kube-apiserver runs on these
// machines, so the API is src/testing/apiserver.ts, a double that speaks the real protocol (lists
// with continue tokens, chunked watch streams, bookmarks, 410 Gone, 403, bearer tokens), reached
// through a kubeconfig file read by @kubernetes/client-node. Objects added, changed and deleted
// show up in answers; an API restart and a 410 relist lose nothing; answers keep flowing while the
// API is down; a missing RBAC rule keeps the server unready and SERVFAILs would-be NXDOMAINs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { encodeMessage, decodeMessage } from '../../src/dns/message.ts';
import { RRType, Rcode } from '../../src/dns/types.ts';
import type { Message } from '../../src/dns/types.ts';
import { exchange } from '../../src/testing/exchange.ts';
import { startApiDouble } from '../../src/testing/apiserver.ts';
import type { ApiDouble } from '../../src/testing/apiserver.ts';
import { eventually, freePort, startPodns } from './harness.ts';
import type { Running } from './harness.ts';

const NS = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };

function service(name: string, ip: string, labels: Record<string, string> = {}): object {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop', labels },
    spec: { type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], selector: { app: name }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  };
}

function headless(name: string, ips: readonly string[]): object[] {
  return [
    {
      apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' },
      spec: { clusterIP: 'None', selector: { app: name }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: {
        name: `${name}-abcde`, namespace: 'shop', labels: { 'kubernetes.io/service-name': name },
        annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': new Date().toISOString() },
      },
      addressType: 'IPv4',
      endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
  ];
}

let id = 1;
/** One UDP query; the reply's rcode and A addresses. */
async function ask(port: number, name: string): Promise<{ rcode: number; addrs: string[] }> {
  const q: Message = {
    id: id++ & 0xffff, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [{ name, type: RRType.A, class: 1 }], answers: [], authorities: [], additionals: [], edns: null,
  };
  const raw = await exchange(encodeMessage(q), port);
  assert.ok(raw !== null, `no answer for ${name}`);
  const m = decodeMessage(raw);
  return { rcode: m.rcode, addrs: m.answers.filter((a) => a.type === RRType.A).map((a) => String(a.data)).sort() };
}

/** Polls until `name` answers `want` (addresses, or an rcode); the time it took in ms. */
async function until(port: number, name: string, want: string[] | number, ms = 5000): Promise<number> {
  return eventually(async () => {
    const r = await ask(port, name);
    return typeof want === 'number' ? r.rcode === want : r.rcode === Rcode.NOERROR && r.addrs.join() === [...want].sort().join();
  }, ms, 5);
}

function corefile(kubeconfig: string, options = '', directives = ''): string {
  return `cluster.local:{PORT} {
    bind 127.0.0.1
    ${directives}
    kubernetes cluster.local {
        kubeconfig ${kubeconfig}
        ${options}
    }
}
`;
}

describe('podns serve following a live API server', () => {
  let api: ApiDouble;
  let podns: Running;
  let metricsPort: number;
  before(async () => {
    api = await startApiDouble({ objects: [NS, service('web', '10.96.100.10'), ...headless('db', ['10.1.0.1', '10.1.0.2'])], bookmarkIntervalMs: 200 });
    metricsPort = await freePort();
    podns = await startPodns(corefile(api.kubeconfig(), '', `prometheus 127.0.0.1:${metricsPort}`), []);
  });
  after(async () => {
    await podns?.stop();
    await api?.close();
  });

  test('lists and watches every resource DNS needs, through the kubeconfig, with bookmarks', async () => {
    await until(podns.port, 'web.shop.svc.cluster.local.', ['10.96.100.10']);
    assert.deepEqual((await ask(podns.port, 'db.shop.svc.cluster.local.')).addrs, ['10.1.0.1', '10.1.0.2']);
    assert.match(podns.stderr(), /plugin\/kubernetes: watching the API at http:\/\/127\.0\.0\.1:\d+ \(kubeconfig .*kubeconfig, context /);
    const watched = new Set(api.requests.filter((r) => r.watch).map((r) => r.path));
    assert.deepEqual([...watched].sort(), ['/api/v1/namespaces', '/api/v1/services', '/apis/discovery.k8s.io/v1/endpointslices']);
    assert.ok(api.requests.filter((r) => r.watch).every((r) => r.query['allowWatchBookmarks'] === 'true' && r.query['resourceVersion'] !== undefined));
    assert.ok(!api.requests.some((r) => r.path.includes('pods')), 'pods are not watched without `pods verified`');
  });

  test('a Service added, changed and deleted is answered accordingly within moments', async (t) => {
    const name = 'cart.shop.svc.cluster.local.';
    assert.equal((await ask(podns.port, name)).rcode, Rcode.NXDOMAIN);
    api.apply(service('cart', '10.96.100.20'));
    const added = await until(podns.port, name, ['10.96.100.20']);
    api.apply(service('cart', '10.96.100.21'));
    const changed = await until(podns.port, name, ['10.96.100.21']);
    api.remove('Service', 'shop', 'cart');
    const deleted = await until(podns.port, name, Rcode.NXDOMAIN);
    // Generous bounds for a loaded CI machine; typical figures are a few milliseconds.
    t.diagnostic(`added ${added} ms, changed ${changed} ms, deleted ${deleted} ms (polling every 5 ms)`);
    for (const ms of [added, changed, deleted]) assert.ok(ms < 1000, `took ${ms} ms`);
  });

  test('EndpointSlice changes move headless answers', async () => {
    api.apply(headless('db', ['10.1.0.1', '10.1.0.3'])[1]!);
    await until(podns.port, 'db.shop.svc.cluster.local.', ['10.1.0.1', '10.1.0.3']);
  });

  test('while the API is down the last state keeps serving; after it returns, changes made meanwhile arrive', async () => {
    await api.stop();
    for (let i = 0; i < 5; i++) assert.deepEqual((await ask(podns.port, 'web.shop.svc.cluster.local.')).addrs, ['10.96.100.10']);
    api.apply(service('web', '10.96.100.11'));
    api.apply(service('late', '10.96.100.30'));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual((await ask(podns.port, 'web.shop.svc.cluster.local.')).addrs, ['10.96.100.10']);
    await api.start();
    await until(podns.port, 'web.shop.svc.cluster.local.', ['10.96.100.11'], 15_000);
    await until(podns.port, 'late.shop.svc.cluster.local.', ['10.96.100.30'], 15_000);
    assert.equal(podns.child.exitCode, null);
  });

  test('history lost (410 Gone): podns lists again and converges, deletions included', async () => {
    await api.stop();
    api.remove('Service', 'shop', 'late');
    api.apply(service('fresh', '10.96.100.40'));
    api.compact();
    await api.start();
    await until(podns.port, 'fresh.shop.svc.cluster.local.', ['10.96.100.40'], 15_000);
    await until(podns.port, 'late.shop.svc.cluster.local.', Rcode.NXDOMAIN, 15_000);
    assert.match(podns.stderr(), /too old resource version/);
    assert.deepEqual((await ask(podns.port, 'web.shop.svc.cluster.local.')).addrs, ['10.96.100.11']);
  });

  test('a watch the server ends is resumed from where it was, without a new list', async () => {
    // Services only: after the 410 above, another resource's relist may still be on its back-off.
    const serviceLists = (): number => api.requests.filter((r) => !r.watch && r.path === '/api/v1/services').length;
    const lists = serviceLists();
    api.endWatches();
    api.apply(service('resumed', '10.96.100.50'));
    await until(podns.port, 'resumed.shop.svc.cluster.local.', ['10.96.100.50']);
    assert.equal(serviceLists(), lists, 'no relist');
  });

  test('metrics: requests, watch events, freshness, errors, DNS programming time', async () => {
    let text = '';
    const value = (line: string): number => Number(text.split('\n').find((l) => l.startsWith(`${line} `))?.split(' ')[1] ?? NaN);
    // Bookmarks come every 200 ms once the resourceVersion has moved past a watch's start.
    api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'moved' } });
    await eventually(async () => {
      text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return value('podns_kubernetes_watch_events_total{resource="services",type="BOOKMARK"}') >= 1;
    }, 5000, 100);
    const host = `127.0.0.1:${api.port}`;
    assert.ok(value(`coredns_kubernetes_rest_client_requests_total{code="200",method="GET",host="${host}"}`) >= 6);
    assert.ok(value('podns_kubernetes_watch_events_total{resource="services",type="ADDED"}') >= 1);
    assert.ok(value('podns_kubernetes_watch_events_total{resource="services",type="DELETED"}') >= 1);
    assert.ok(value('podns_kubernetes_watch_events_total{resource="services",type="BOOKMARK"}') >= 1);
    assert.ok(value('podns_kubernetes_api_errors_total{resource="services",code="410"}') >= 1);
    assert.ok(value('podns_kubernetes_api_errors_total{resource="services",code="0"}') >= 1, 'the API was down');
    assert.ok(Math.abs(value('podns_kubernetes_last_sync_timestamp_seconds{resource="services"}') - Date.now() / 1000) < 60);
    assert.ok(value('podns_kubernetes_objects{resource="namespaces"}') >= 1);
    assert.ok(value('coredns_kubernetes_dns_programming_duration_seconds_count{service_kind="headless_with_selector"}') >= 1);
  });
});

describe('podns serve: API permissions and readiness', () => {
  let api: ApiDouble;
  let podns: Running;
  let readyPort: number;
  before(async () => {
    api = await startApiDouble({ objects: [NS, service('web', '10.96.100.10')] });
    api.forbid('pods');
    readyPort = await freePort();
    podns = await startPodns(corefile(api.kubeconfig(), 'pods verified\n        startup_timeout 1s', `ready 127.0.0.1:${readyPort}`), []);
  });
  after(async () => {
    await podns?.stop();
    await api?.close();
  });

  test('a missing RBAC rule: logged, /ready names kubernetes, would-be NXDOMAIN is SERVFAIL; granted, it recovers', async () => {
    await podns.waitForLog(/plugin\/kubernetes: starting server with unsynced Kubernetes API \(not listed yet: pods\)/);
    assert.match(podns.stderr(), /\[ERROR\] plugin\/kubernetes: pods: pods is forbidden: User .* cannot list resource "pods"/);
    const ready = await fetch(`http://127.0.0.1:${readyPort}/ready`);
    assert.equal(ready.status, 503);
    assert.match(await ready.text(), /kubernetes/);
    assert.equal((await ask(podns.port, 'nope.shop.svc.cluster.local.')).rcode, Rcode.SERVFAIL);
    // What was listed is served meanwhile.
    assert.deepEqual((await ask(podns.port, 'web.shop.svc.cluster.local.')).addrs, ['10.96.100.10']);
    api.allow('pods');
    await eventually(async () => (await fetch(`http://127.0.0.1:${readyPort}/ready`)).status === 200, 15_000, 50);
    assert.equal((await ask(podns.port, 'nope.shop.svc.cluster.local.')).rcode, Rcode.NXDOMAIN);
    assert.match(podns.stderr(), /plugin\/kubernetes: pods: the API answers again/);
  });
});

describe('podns serve: labels and namespace_labels go to the API as selectors', () => {
  let api: ApiDouble;
  let podns: Running;
  before(async () => {
    api = await startApiDouble({
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { dns: 'on' } } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab' } },
        service('web', '10.96.100.10', { expose: 'yes' }), service('hidden', '10.96.100.11'),
        { ...(service('lab', '10.96.100.12', { expose: 'yes' }) as { metadata: object }), metadata: { name: 'lab', namespace: 'lab', labels: { expose: 'yes' } } },
      ],
    });
    podns = await startPodns(corefile(api.kubeconfig(), 'labels expose=yes\n        namespace_labels dns=on'), []);
  });
  after(async () => {
    await podns?.stop();
    await api?.close();
  });

  test('only matching Services in matching Namespaces are answered, and relabelling follows', async () => {
    await until(podns.port, 'web.shop.svc.cluster.local.', ['10.96.100.10']);
    assert.equal((await ask(podns.port, 'hidden.shop.svc.cluster.local.')).rcode, Rcode.NXDOMAIN);
    assert.equal((await ask(podns.port, 'lab.lab.svc.cluster.local.')).rcode, Rcode.NXDOMAIN);
    const services = api.requests.find((r) => r.path === '/api/v1/services' && r.watch);
    assert.equal(services?.query['labelSelector'], 'expose=yes');
    api.apply(service('hidden', '10.96.100.11', { expose: 'yes' }));
    await until(podns.port, 'hidden.shop.svc.cluster.local.', ['10.96.100.11']);
    api.apply(service('web', '10.96.100.10'));
    await until(podns.port, 'web.shop.svc.cluster.local.', Rcode.NXDOMAIN);
    api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab', labels: { dns: 'on' } } });
    await until(podns.port, 'lab.lab.svc.cluster.local.', ['10.96.100.12']);
  });
});
