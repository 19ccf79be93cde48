// ClusterStore: the indexes stay exact through applies, changes, removals and relists — in
// particular the compact ones (pods kept as IPs, IP indexes holding one owner directly).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endpoint, namespace, pod, service, slice } from '../testing/fixture.ts';
import { ClusterStore } from './store.ts';

const clock = (): { now: () => number; set(s: number): void } => {
  let t = 1_000_000;
  return { now: () => t * 1000, set(s) { t = s; } };
};

test('pods: podsByIP gives one entry per pod, by namespace and host network, through changes and removal', () => {
  const s = ClusterStore.from([
    pod('shop', 'a', ['10.0.0.1']),
    pod('shop', 'b', ['10.0.0.2', 'fd00::2']),
    pod('infra', 'node-agent', ['192.168.0.1'], true),
    pod('kube-system', 'proxy', ['192.168.0.1'], true),
  ]);
  assert.deepEqual(s.podsByIP('10.0.0.1'), [{ namespace: 'shop', hostNetwork: false }]);
  assert.deepEqual(s.podsByIP('fd00::2'), [{ namespace: 'shop', hostNetwork: false }]);
  assert.deepEqual(s.podsByIP('192.168.0.1'), [{ namespace: 'infra', hostNetwork: true }, { namespace: 'kube-system', hostNetwork: true }]);
  assert.deepEqual(s.podsByIP('10.9.9.9'), []);
  assert.equal(s.size, 4);
  // Two pods of one namespace at one address: two entries; removing one leaves one.
  s.apply(pod('shop', 'c', ['10.0.0.1']));
  assert.equal(s.podsByIP('10.0.0.1').length, 2);
  assert.equal(s.remove(pod('shop', 'a', [])), true);
  assert.deepEqual(s.podsByIP('10.0.0.1'), [{ namespace: 'shop', hostNetwork: false }]);
  // A new IP moves the pod.
  s.apply(pod('shop', 'b', ['10.0.0.3']));
  assert.deepEqual([s.podsByIP('10.0.0.2'), s.podsByIP('fd00::2'), s.podsByIP('10.0.0.3').length], [[], [], 1]);
  // Host network on, same IP: the entry changes.
  s.apply(pod('shop', 'b', ['10.0.0.3'], true));
  assert.deepEqual(s.podsByIP('10.0.0.3'), [{ namespace: 'shop', hostNetwork: true }]);
  assert.equal(s.remove(pod('shop', 'nope', [])), false);
  assert.deepEqual([...s.objects()].filter((o) => o.kind === 'Pod').map((o) => o.kind === 'Pod' && `${o.namespace}/${o.name} ${o.ips.join(',')} ${o.hostNetwork}`).sort(),
    ['infra/node-agent 192.168.0.1 true', 'kube-system/proxy 192.168.0.1 true', 'shop/b 10.0.0.3 true', 'shop/c 10.0.0.1 false']);
});

test('IP indexes: one owner directly, several in order, duplicates within a slice counted once', () => {
  const a = slice('shop', 'a-1', 'a', [endpoint('10.1.0.1'), endpoint('10.1.0.1', { hostname: 'again' })]);
  const b = slice('shop', 'b-1', 'b', [endpoint('10.1.0.1'), endpoint('10.1.0.2')]);
  const s = ClusterStore.from([service('shop', 'web', { clusterIPs: ['10.96.0.5'] }), a, b]);
  assert.deepEqual(s.slicesByIP('10.1.0.1'), [a, b]);
  assert.deepEqual(s.slicesByIP('10.1.0.2'), [b]);
  assert.deepEqual(s.servicesByIP('10.96.0.5').map((x) => x.name), ['web']);
  s.remove(a);
  assert.deepEqual(s.slicesByIP('10.1.0.1'), [b], 'a slice listing an address twice leaves no trace');
  s.apply(service('shop', 'web', { clusterIPs: ['10.96.0.6'] }));
  assert.deepEqual([s.servicesByIP('10.96.0.5'), s.servicesByIP('10.96.0.6').length], [[], 1]);
  assert.deepEqual(s.slicesOf('shop', 'b'), [b]);
  s.remove(b);
  assert.deepEqual([s.slicesOf('shop', 'b'), s.slicesByIP('10.1.0.2')], [[], []]);
});

test('podNames: false drops the endpoints\' pod names as slices arrive; the same slice again changes nothing', () => {
  const withNames = slice('shop', 'db-1', 'db', [endpoint('10.1.0.1', { podName: 'db-0' }), endpoint('10.1.0.2', { hostname: 'x', podName: 'db-1' })]);
  const lean = new ClusterStore({ podNames: false });
  assert.equal(lean.apply(withNames), true);
  const [kept] = lean.slicesOf('shop', 'db');
  assert.equal(kept!.podNames, null);
  assert.deepEqual([kept!.ips, kept!.hostnames], [withNames.ips, withNames.hostnames]);
  assert.deepEqual(lean.slicesByIP('10.1.0.2'), [kept]);
  const revision = lean.revision;
  assert.equal(lean.apply(withNames), false);
  assert.equal(lean.revision, revision);
  assert.deepEqual(new ClusterStore().apply(withNames) && ClusterStore.from([withNames]).slicesOf('shop', 'db')[0]!.podNames, ['db-0', 'db-1'], 'kept by default');
});

test('revision and modified: an equal object changes nothing; namespaces bump the revision only', () => {
  const c = clock();
  const s = new ClusterStore({ now: c.now });
  s.apply(service('shop', 'web', { clusterIPs: ['10.96.0.5'] }));
  const r = s.revision;
  assert.equal(s.modified, 1_000_000);
  assert.equal(s.apply(service('shop', 'web', { clusterIPs: ['10.96.0.5'] })), false, 'equal content: no change');
  assert.equal(s.revision, r);
  c.set(1_000_100);
  s.apply(namespace('shop'));
  assert.deepEqual([s.revision, s.modified], [r + 1, 1_000_000]);
  s.apply(pod('shop', 'a', ['10.0.0.1']));
  assert.equal(s.modified, 1_000_100);
  c.set(1_000_200);
  assert.equal(s.apply(pod('shop', 'a', ['10.0.0.1'], true)), true);
  assert.equal(s.modified, 1_000_100, 'host network alone is not a DNS change');
  s.apply(slice('shop', 'web-1', 'web', [endpoint('10.0.0.1', { podName: 'a' })]));
  assert.equal(s.modified, 1_000_200);
});

test('replace and replaceKind: only what differs changes; pods are relisted by key', () => {
  const s = ClusterStore.from([namespace('shop'), pod('shop', 'a', ['10.0.0.1']), pod('shop', 'b', ['10.0.0.2']), service('shop', 'web')]);
  const r = s.revision;
  assert.equal(s.replaceKind('Pod', [pod('shop', 'a', ['10.0.0.1'])]), true);
  assert.equal(s.revision, r + 1, 'one removal');
  assert.deepEqual(s.podsByIP('10.0.0.2'), []);
  assert.equal(s.service('shop', 'web')?.name, 'web', 'other kinds untouched');
  assert.equal(s.replaceKind('Pod', [pod('shop', 'a', ['10.0.0.1'])]), false);
  assert.equal(s.replace([namespace('shop'), pod('shop', 'z', ['10.0.0.9'])]), true);
  assert.deepEqual([s.service('shop', 'web'), s.podsByIP('10.0.0.1'), s.podsByIP('10.0.0.9').length, s.size], [undefined, [], 1, 2]);
});
