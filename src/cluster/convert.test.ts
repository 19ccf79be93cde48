/** Tests for convert.ts: API objects → slim model, per rule, plus the whole-set pass. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble, BUILTIN_NAMESPACES, canonicalIP, convertAll, convertDocument, ConvertError, toClusterObject } from './convert.ts';
import type { ClusterObject, EndpointSlice, Pod, Service } from './model.ts';
import { parseSelector } from './selector.ts';

type Json = Record<string, unknown>;

function service(name: string, spec: Json, extra: Json = {}): Json {
  const { metadata, ...rest } = extra;
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns', ...(metadata as Json | undefined) }, spec, ...rest };
}

function slice(name: string, body: Json, labels: Json = { 'kubernetes.io/service-name': 'svc' }): Json {
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, namespace: 'ns', labels }, ...body };
}

function pod(name: string, status: Json, extra: Json = {}): Json {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', ...(extra['metadata'] as Json | undefined) }, status, spec: extra['spec'] ?? {} };
}

function endpoints(name: string, subsets: unknown[], metadata: Json = {}): Json {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: 'ns', ...metadata }, subsets };
}

function one<T extends ClusterObject>(obj: unknown): T {
  const o = toClusterObject(obj);
  assert.ok(o !== undefined, 'expected an object');
  return o as T;
}

function find<K extends ClusterObject['kind']>(objects: readonly ClusterObject[], kind: K, name: string): Extract<ClusterObject, { kind: K }> | undefined {
  return objects.find((o) => o.kind === kind && o.name === name) as Extract<ClusterObject, { kind: K }> | undefined;
}

test('canonicalIP: IPv4 as is, IPv6 RFC 5952, garbage rejected', () => {
  const cases: [string, string | undefined][] = [
    ['10.96.0.10', '10.96.0.10'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['fd00:10:96:0:0:0:0:a', 'fd00:10:96::a'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'], // first of equal runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'], // the longest run
    ['::', '::'],
    ['::1', '::1'],
    ['2001:db8::', '2001:db8::'],
    ['::ffff:10.1.2.3', '::ffff:10.1.2.3'],
    ['0:0:0:0:0:ffff:0a01:0203', '::ffff:10.1.2.3'],
    ['64:ff9b::10.1.2.3', '64:ff9b::a01:203'],
    ['fe80::1%eth0', undefined],
    ['10.0.0.256', undefined],
    ['', undefined],
    ['None', undefined],
  ];
  for (const [input, want] of cases) assert.equal(canonicalIP(input), want, input);
});

test('Service: ClusterIP, ports, protocols, external IPs, selector', () => {
  const s = one<Service>(service('web', {
    clusterIP: '10.96.0.5', selector: { app: 'web' },
    ports: [{ name: 'http', port: 80 }, { port: 53, protocol: 'UDP' }, { name: 'sctp', port: 9, protocol: 'SCTP' }],
    externalIPs: ['203.0.113.1', '2001:DB8::5'],
  }, { status: { loadBalancer: { ingress: [{ ip: '198.51.100.1' }, { hostname: 'lb.example' }, { ip: '203.0.113.1' }] } } }));
  assert.deepEqual(s, {
    kind: 'Service', namespace: 'ns', name: 'web', type: 'ClusterIP', headless: false, clusterIPs: ['10.96.0.5'], externalName: '',
    ports: [{ name: 'http', port: 80, protocol: 'tcp' }, { name: '', port: 53, protocol: 'udp' }, { name: 'sctp', port: 9, protocol: 'sctp' }],
    externalIPs: ['203.0.113.1', '2001:db8::5', '198.51.100.1'], hasSelector: true,
  });
});

test('Service: dual stack, headless, ExternalName, type, selector presence, default namespace', () => {
  const dual = one<Service>(service('d', { type: 'NodePort', clusterIP: '10.96.0.6', clusterIPs: ['10.96.0.6', 'FD00:10:96:0:0:0:0:6'] }));
  assert.deepEqual(dual.clusterIPs, ['10.96.0.6', 'fd00:10:96::6']);
  assert.equal(dual.type, 'NodePort');
  assert.equal(dual.headless, false);
  assert.equal(dual.hasSelector, false);
  const v6first = one<Service>(service('v6', { clusterIPs: ['fd00::7', '10.96.0.7'] }));
  assert.deepEqual(v6first.clusterIPs, ['fd00::7', '10.96.0.7'], 'primary family first, as written');

  for (const spec of [{ clusterIP: 'None' }, { clusterIPs: ['None'] }, {}, { clusterIP: '' }]) {
    const h = one<Service>(service('h', { ...spec, selector: {} }));
    assert.equal(h.headless, true, JSON.stringify(spec));
    assert.deepEqual(h.clusterIPs, []);
    assert.equal(h.hasSelector, false, 'an empty selector is no selector');
  }

  const ext = one<Service>(service('pay', { type: 'ExternalName', externalName: 'api.stripe.com', clusterIP: '' }));
  assert.equal(ext.type, 'ExternalName');
  assert.equal(ext.externalName, 'api.stripe.com');
  assert.equal(ext.headless, false);
  assert.deepEqual(ext.clusterIPs, []);

  const noNs = one<Service>({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { clusterIP: '10.0.0.1' } });
  assert.equal(noNs.namespace, 'default');
});

test('Service: malformed ones are errors naming the object and field', () => {
  const bad: [unknown, RegExp][] = [
    [service('a', { ports: [{ port: 'http' }] }), /Service ns\/a: spec\.ports\[0\]\.port: expected a port number/],
    [service('a', { ports: [{ port: 70000 }] }), /spec\.ports\[0\]\.port/],
    [service('a', { ports: [{ port: 80, protocol: 'HTTP' }] }), /spec\.ports\[0\]\.protocol: expected TCP, UDP or SCTP/],
    [service('a', { ports: [{ name: 'Web_Port', port: 80 }] }), /spec\.ports\[0\]\.name/],
    [service('a', { ports: {} }), /spec\.ports: expected a list/],
    [service('a', { type: 'Weird' }), /spec\.type/],
    [service('a', { clusterIP: '10.0.0.300' }), /spec\.clusterIP: expected an IP address/],
    [service('a', { clusterIPs: ['10.0.0.1', '10.0.0.2'] }), /at most one IPv4 and one IPv6/],
    [service('a', { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.2'] }), /must equal spec\.clusterIPs\[0\]/],
    [service('a', { type: 'ExternalName' }), /spec\.externalName: is required/],
    [service('a', { externalIPs: ['nope'] }), /spec\.externalIPs\[0\]/],
    [service('Web', {}), /metadata\.name: invalid name "Web"/],
    [service('1abc', {}), /metadata\.name/],
    [{ apiVersion: 'v1', kind: 'Service', metadata: {}, spec: {} }, /metadata\.name: is not set/],
    [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', labels: { version: 2 } } }, /metadata\.labels\.version: expected a string/],
    [{ apiVersion: 'v2', kind: 'Service', metadata: { name: 'a' } }, /apiVersion: v2 is not supported \(expected v1\)/],
    [{ kind: 'Service', metadata: { name: 'a' } }, /apiVersion is not set/],
    [{ apiVersion: 'v1', metadata: { name: 'a' } }, /kind is not set/],
    ['just a string', /expected an API object/],
    [[1, 2], /expected an API object/],
  ];
  for (const [obj, re] of bad) assert.throws(() => convertDocument(obj), (err: unknown) => err instanceof ConvertError && re.test(err.message), re.source);
});

test('EndpointSlice: ready unset/null/true kept, false dropped; fields kept; FQDN skipped', () => {
  const s = one<EndpointSlice>(slice('svc-1', {
    addressType: 'IPv4',
    endpoints: [
      { addresses: ['10.0.0.1'], hostname: 'a', nodeName: 'n1', zone: 'z1', targetRef: { kind: 'Pod', name: 'pod-a' } },
      { addresses: ['10.0.0.2'], conditions: { ready: null } },
      { addresses: ['10.0.0.3'], conditions: { ready: true, serving: true, terminating: false } },
      { addresses: ['10.0.0.4'], conditions: { ready: false, serving: true, terminating: true } },
      { addresses: ['10.0.0.5'], conditions: {} },
      { addresses: ['10.0.0.6'], targetRef: { kind: 'Node', name: 'node-x' } },
      { addresses: ['10.0.0.7'], targetRef: { kind: 'Pod', name: `p${'x'.repeat(70)}` } },
    ],
    ports: [{ name: 'http', port: 8080 }, { port: 53, protocol: 'UDP' }, { name: 'all' }, { name: 'nullport', port: null }],
  }));
  assert.equal(s.service, 'svc');
  assert.equal(s.addressType, 'IPv4');
  assert.deepEqual(s.ips, ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.5', '10.0.0.6', '10.0.0.7']);
  assert.deepEqual([s.ips[0], s.hostnames?.[0], s.podNames?.[0]], ['10.0.0.1', 'a', 'pod-a'], 'node name and zone are not kept');
  assert.deepEqual([s.ips[1], s.hostnames?.[1], s.podNames?.[1]], ['10.0.0.2', '', '']);
  assert.equal(s.podNames?.[4], '', 'targetRef of another kind');
  assert.equal(s.podNames?.[5]?.length, 71, 'long pod names are kept (the plugin applies the < 64 rule)');
  assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'tcp' }, { name: '', port: 53, protocol: 'udp' }], 'ports without a number mean "all ports": skipped');

  const v6 = one<EndpointSlice>(slice('svc-2', { addressType: 'IPv6', endpoints: [{ addresses: ['FD00:0:0:0:0:0:0:1'] }] }));
  assert.deepEqual([v6.ips, v6.hostnames, v6.podNames], [['fd00::1'], null, null], 'no hostname, no pod: no column');
  assert.deepEqual(v6.ports, []);

  assert.deepEqual(convertDocument(slice('svc-3', { addressType: 'FQDN', endpoints: [{ addresses: ['db.example.com'] }] })), [{ type: 'dropped', namespace: 'ns' }]);
  assert.equal(toClusterObject(slice('svc-3', { addressType: 'FQDN', endpoints: [] })), undefined);

  const orphan = one<EndpointSlice>(slice('x', { addressType: 'IPv4', endpoints: [] }, {}));
  assert.equal(orphan.service, '', 'no service-name label');
});

test('EndpointSlice: malformed ones are errors', () => {
  const bad: [Json, RegExp][] = [
    [slice('a', { addressType: 'IPv5' }), /addressType: expected IPv4, IPv6 or FQDN/],
    [slice('a', {}), /addressType/],
    [slice('a', { addressType: 'IPv4', endpoints: [{ addresses: [] }] }), /endpoints\[0\]\.addresses: must list at least one/],
    [slice('a', { addressType: 'IPv4', endpoints: [{ addresses: ['fd00::1'] }] }), /fd00::1 is not an IPv4 address/],
    [slice('a', { addressType: 'IPv6', endpoints: [{ addresses: ['10.0.0.1'] }] }), /is not an IPv6 address/],
    [slice('a', { addressType: 'IPv4', endpoints: [{ addresses: ['x'] }] }), /endpoints\[0\]\.addresses\[0\]: expected an IP address/],
    [slice('a', { addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: 'yes' } }] }), /conditions\.ready: expected true or false/],
    [slice('a', { addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'], hostname: 'Not_A_Label' }] }), /hostname/],
    [slice('a', { addressType: 'IPv4', ports: [{ port: 0 }] }), /ports\[0\]\.port/],
    [{ apiVersion: 'discovery.k8s.io/v1beta1', kind: 'EndpointSlice', metadata: { name: 'a' } }, /v1beta1 is not supported \(expected discovery\.k8s\.io\/v1\)/],
  ];
  for (const [obj, re] of bad) assert.throws(() => convertDocument(obj), (err: unknown) => err instanceof ConvertError && re.test(err.message), re.source);
});

test('Pod: podIPs over podIP, hostNetwork, gone phases and terminating pods dropped', () => {
  assert.deepEqual(one<Pod>(pod('p', { phase: 'Running', podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }, { ip: 'FD00::1' }] })), {
    kind: 'Pod', namespace: 'ns', name: 'p', ips: ['10.0.0.1', 'fd00::1'], hostNetwork: false,
  });
  assert.deepEqual(one<Pod>(pod('p', { podIP: '10.0.0.2' }, { spec: { hostNetwork: true } })).ips, ['10.0.0.2']);
  assert.equal(one<Pod>(pod('p', { podIP: '10.0.0.2' }, { spec: { hostNetwork: true } })).hostNetwork, true);
  assert.deepEqual(one<Pod>(pod('p', { phase: 'Pending' })).ips, [], 'a pending pod without IP');
  for (const phase of ['Succeeded', 'Failed', 'Unknown']) {
    assert.deepEqual(convertDocument(pod('p', { phase, podIP: '10.0.0.3' })), [{ type: 'dropped', namespace: 'ns' }], phase);
  }
  assert.equal(toClusterObject(pod('p', { phase: 'Running', podIP: '10.0.0.4' }, { metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } })), undefined);
  assert.throws(() => convertDocument(pod('p', { podIPs: [{ ip: 'bad' }] })), /status\.podIPs\[0\]\.ip: expected an IP address/);
  assert.throws(() => convertDocument(pod('p', {}, { spec: { hostNetwork: 'yes' } })), /spec\.hostNetwork/);
});

test('Namespace, unknown kinds and other API groups', () => {
  assert.deepEqual(convertDocument({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'a' } } }),
    [{ type: 'object', namespace: '', object: { kind: 'Namespace', name: 'shop' }, labels: { team: 'a' } }]);
  for (const obj of [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} },
    { apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'x' }, spec: { ports: 'whatever' } },
    { apiVersion: 'v1', kind: 'Secret' },
  ]) assert.deepEqual(convertDocument(obj), [], `${obj.kind}`);
  assert.throws(() => convertDocument({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Shop' } }), /invalid namespace name/);
  assert.throws(() => convertDocument(service('a', {}, { metadata: { namespace: 'Bad_NS' } })), /metadata\.namespace: invalid namespace/);
});

test('List and typed *List flattening, recursively; item errors name the item', () => {
  const list = {
    apiVersion: 'v1', kind: 'List', items: [
      service('a', { clusterIP: '10.0.0.1' }),
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ignored' } },
      { apiVersion: 'v1', kind: 'ServiceList', items: [{ metadata: { name: 'b', namespace: 'ns' }, spec: { clusterIP: '10.0.0.2' } }] },
      { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSliceList', items: [{ metadata: { name: 's', namespace: 'ns' }, addressType: 'IPv4', endpoints: [] }] },
      { apiVersion: 'apps/v1', kind: 'DeploymentList', items: [{ bogus: true }] },
      { apiVersion: 'v1', kind: 'PodList', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'mixed' } }] },
    ],
  };
  const { objects, errors } = convertAll([list]);
  assert.deepEqual(errors, []);
  assert.deepEqual(objects.map((o) => `${o.kind}/${o.name}`), ['Service/a', 'Service/b', 'EndpointSlice/s', 'Namespace/mixed']);
  assert.throws(() => convertDocument({ apiVersion: 'v1', kind: 'List', items: [service('a', {}), service('b', { ports: [{ port: -1 }] })] }),
    /^ConvertError: items\[1\]: Service ns\/b: spec\.ports\[0\]\.port/);
  assert.throws(() => convertDocument({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'List', items: [{}] }] }), /^ConvertError: items\[0\]\.items\[0\]: kind is not set/);
  assert.throws(() => convertDocument({ apiVersion: 'v1', kind: 'List', items: 'x' }), /items: expected a list/);
  assert.deepEqual(convertDocument({ apiVersion: 'v1', kind: 'List' }), []);
});

test('convertAll: a bad document is reported by number, the others still convert', () => {
  const { objects, errors } = convertAll([service('a', {}), service('b', { type: 'Nope' }), service('c', {})]);
  assert.deepEqual(objects.map((o) => o.name), ['a', 'c']);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]?.document, 2);
  assert.match(errors[0]?.message ?? '', /Service ns\/b: spec\.type/);
});

test('later definitions of the same object win', () => {
  const { objects } = convertAll([service('a', { clusterIP: '10.0.0.1' }), service('a', { clusterIP: '10.0.0.2' })]);
  assert.deepEqual(objects.map((o) => (o as Service).clusterIPs), [['10.0.0.2']]);
});

test('mirroring: legacy Endpoints of a selector-less service become slices', () => {
  const { objects } = convertAll([
    service('legacy', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }),
    endpoints('legacy', [
      {
        addresses: [{ ip: '10.0.0.1', hostname: 'primary', nodeName: 'n1', targetRef: { kind: 'Pod', name: 'pod-1' } }, { ip: '2001:DB8::1' }, { ip: '10.0.0.1', hostname: 'primary', nodeName: 'n1', targetRef: { kind: 'Pod', name: 'pod-1' } }],
        notReadyAddresses: [{ ip: '10.0.0.2', hostname: 'replica' }],
        ports: [{ name: 'pg', port: 5432 }],
      },
      { addresses: [{ ip: '10.0.0.3' }], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }, // same port set: same slice
      { addresses: [{ ip: '10.0.0.4' }], ports: [{ name: 'metrics', port: 9187 }] }, // other port set: own slice
      { notReadyAddresses: [{ ip: '10.0.0.5' }] }, // nothing ready: an empty slice
    ], { labels: { team: 'db' } }),
  ]);
  const slices = objects.filter((o): o is EndpointSlice => o.kind === 'EndpointSlice');
  assert.equal(slices.length, 4);
  for (const s of slices) {
    assert.equal(s.service, 'legacy');
    assert.equal(s.namespace, 'ns');
    assert.match(s.name, /^legacy-[0-9a-f]{5}$/);
  }
  assert.equal(new Set(slices.map((s) => s.name)).size, 4, 'distinct names');
  const [v4, v6, metrics, empty] = slices;
  assert.equal(v4?.addressType, 'IPv4');
  assert.deepEqual([v4?.ips, v4?.hostnames, v4?.podNames], [['10.0.0.1', '10.0.0.3'], ['primary', ''], ['pod-1', '']]);
  assert.deepEqual(v4?.ports, [{ name: 'pg', port: 5432, protocol: 'tcp' }]);
  assert.equal(v6?.addressType, 'IPv6');
  assert.deepEqual(v6?.ips, ['2001:db8::1']);
  assert.deepEqual(metrics?.ports, [{ name: 'metrics', port: 9187, protocol: 'tcp' }]);
  assert.deepEqual(empty?.ips, []);
  assert.deepEqual(empty?.ports, []);
  // deterministic names across runs
  const again = convertAll([service('legacy', { clusterIP: 'None' }), endpoints('legacy', [{ addresses: [{ ip: '10.0.0.1' }] }])]).objects;
  const twice = convertAll([service('legacy', { clusterIP: 'None' }), endpoints('legacy', [{ addresses: [{ ip: '10.0.0.1' }] }])]).objects;
  assert.deepEqual(again, twice);
});

test('mirroring: not for services with a selector, missing services, skip-mirror or leader locks', () => {
  const eps = [{ addresses: [{ ip: '10.0.0.1' }] }];
  const count = (docs: unknown[]): number => convertAll(docs).objects.filter((o) => o.kind === 'EndpointSlice').length;
  assert.equal(count([service('a', {}), endpoints('a', eps)]), 1);
  assert.equal(count([endpoints('a', eps), service('a', {})]), 1, 'order does not matter');
  assert.equal(count([service('a', { selector: { app: 'a' } }), endpoints('a', eps)]), 0, 'selector present');
  assert.equal(count([endpoints('a', eps)]), 0, 'no service');
  assert.equal(count([service('b', {}), endpoints('a', eps)]), 0, 'another service');
  assert.equal(count([service('a', {}), endpoints('a', eps, { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } })]), 0, 'skip-mirror');
  assert.equal(count([service('a', {}), endpoints('a', eps, { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'false' } })]), 1, 'skip-mirror must be "true"');
  assert.equal(count([service('a', {}), endpoints('a', eps, { annotations: { 'control-plane.alpha.kubernetes.io/leader': '{}' } })]), 0, 'leader lock');
  // Real slices of the service stay; mirrored ones are added beside them.
  const both = convertAll([service('a', {}), slice('real', { addressType: 'IPv4', endpoints: [{ addresses: ['10.9.9.9'] }] }, { 'kubernetes.io/service-name': 'a' }), endpoints('a', eps)]).objects;
  const names = both.filter((o) => o.kind === 'EndpointSlice').map((o) => o.name);
  assert.equal(names.length, 2);
  assert.ok(names.includes('real') && names.some((n) => /^a-[0-9a-f]{5}$/.test(n)), names.join());
  assert.throws(() => convertDocument(endpoints('a', [{ addresses: [{ ip: 'nope' }] }])), /subsets\[0\]\.addresses\[0\]\.ip: expected an IP address/);
});

test('mirroring caps at 1000 addresses per subset and 1000 endpoints per slice', () => {
  const ip = (i: number): string => `10.${Math.floor(i / 65536) % 256}.${Math.floor(i / 256) % 256}.${i % 256}`;
  const many = Array.from({ length: 1200 }, (_, i) => ({ ip: ip(i) }));
  const objects = convertAll([service('big', {}), endpoints('big', [
    { addresses: many }, // 1000 taken
    { addresses: many.slice(0, 600).map((_a, i) => ({ ip: ip(5000 + i) })) }, // same (empty) port set: same group
  ])]).objects;
  const slices = objects.filter((o): o is EndpointSlice => o.kind === 'EndpointSlice');
  assert.deepEqual(slices.map((s) => s.ips.length), [1000, 600]);
});

test('labels selector filters Services, EndpointSlices (also mirrored) and Pods, not Namespaces', () => {
  const labels = parseSelector('team=a');
  const docs = [
    service('in', {}, { metadata: { labels: { team: 'a' } } }),
    service('out', {}, { metadata: { labels: { team: 'b' } } }),
    slice('in-1', { addressType: 'IPv4' }, { 'kubernetes.io/service-name': 'in', team: 'a' }),
    slice('out-1', { addressType: 'IPv4' }, { 'kubernetes.io/service-name': 'in' }),
    pod('in-pod', { podIP: '10.0.0.1' }, { metadata: { labels: { team: 'a' } } }),
    pod('out-pod', { podIP: '10.0.0.2' }),
    endpoints('in', [{ addresses: [{ ip: '10.0.0.3' }] }], { labels: { team: 'a' } }),
    endpoints('out', [{ addresses: [{ ip: '10.0.0.4' }] }]),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } },
  ];
  const { objects } = convertAll(docs, { labels });
  const names = objects.map((o) => `${o.kind}/${o.name}`);
  assert.ok(names.includes('Service/in') && names.includes('EndpointSlice/in-1') && names.includes('Pod/in-pod') && names.includes('Namespace/ns'));
  assert.ok(!names.includes('Service/out') && !names.includes('EndpointSlice/out-1') && !names.includes('Pod/out-pod'));
  assert.equal(objects.filter((o) => o.kind === 'EndpointSlice' && o.service === 'in').length, 2, 'mirrored slice carries the Endpoints labels');
  assert.ok(!objects.some((o) => o.kind === 'EndpointSlice' && o.service === 'out'), 'the service "out" is filtered but still exists for mirroring; its Endpoints lack the label');
  // The mirroring decision uses the unfiltered services: Endpoints labelled team=a of a filtered-out service still mirror.
  const mirroredOnly = convertAll([service('x', {}), endpoints('x', [{ addresses: [{ ip: '10.0.0.5' }] }], { labels: { team: 'a' } })], { labels }).objects;
  assert.deepEqual(mirroredOnly.map((o) => o.kind), ['EndpointSlice']);
  // A later filtered-out definition removes an earlier matching one.
  const redefined = convertAll([service('a', {}, { metadata: { labels: { team: 'a' } } }), service('a', {})], { labels }).objects;
  assert.deepEqual(redefined, []);
});

test('implicit namespaces: built-ins plus every namespace used; none with namespace_labels', () => {
  const docs = [
    service('a', {}, { metadata: { namespace: 'shop' } }),
    { ...pod('gone', { phase: 'Succeeded' }), metadata: { name: 'gone', namespace: 'jobs' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'explicit', labels: { dns: 'on' } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'quiet' } },
  ];
  const names = (objects: readonly ClusterObject[]): string[] => objects.filter((o) => o.kind === 'Namespace').map((o) => o.name).sort();
  assert.deepEqual(names(convertAll(docs).objects), ['explicit', 'quiet'], 'off by default (API source)');
  assert.deepEqual(names(convertAll(docs, { implicitNamespaces: true }).objects), [...BUILTIN_NAMESPACES, 'shop', 'jobs', 'explicit', 'quiet'].sort());
  const filtered = convertAll(docs, { implicitNamespaces: true, namespaceLabels: parseSelector('dns=on') }).objects;
  assert.deepEqual(names(filtered), ['explicit']);
  assert.ok(find(filtered, 'Service', 'a') !== undefined, 'namespace_labels filters Namespaces only');
});

test('assemble takes converted items directly', () => {
  const items = [...convertDocument(service('a', {})), ...convertDocument(endpoints('a', [{ addresses: [{ ip: '10.0.0.1' }] }]))];
  assert.equal(assemble(items).length, 2);
});
