import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getPodDNS, mergeDNSConfig } from './dns.ts';
import type { KubeletDNSSettings, PodDNSInput } from './dns.ts';
import { KubeletError } from './hosts.ts';
import { parseHostResolvConf } from './resolvconf.ts';

const kubelet: KubeletDNSSettings = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', resolvConf: '/etc/resolv.conf' };
const pod = (p: Partial<PodDNSInput> = {}): PodDNSInput => ({ name: 'web-0', namespace: 'shop', uid: 'u1', dnsPolicy: 'ClusterFirst', hostNetwork: false, dnsConfig: null, ...p });
const host = parseHostResolvConf('nameserver 10.0.0.2\nsearch cluster.local corp.example\noptions ndots:1 rotate\n');

test('ClusterFirst: cluster searches first, the host\'s after, duplicates dropped', () => {
  const r = getPodDNS(pod(), kubelet, host);
  assert.deepEqual(r.config, { servers: ['10.96.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:5'] });
  assert.equal(r.optionsUnordered, false);
  assert.deepEqual(r.events, []);
});

test('host options come through a Go map: their order is random once there are two', () => {
  assert.equal(getPodDNS(pod({ dnsPolicy: 'Default' }), kubelet, host).optionsUnordered, true);
  assert.equal(getPodDNS(pod({ dnsPolicy: 'Default' }), kubelet, parseHostResolvConf('options ndots:1\n')).optionsUnordered, false);
  assert.equal(getPodDNS(pod({ dnsConfig: { nameservers: [], searches: [], options: [{ name: 'edns0', value: null }] } }), kubelet, host).optionsUnordered, true);
});

test('an invalid dnsPolicy (refused by the API) falls back to cluster, even on the host network', () => {
  const r = getPodDNS(pod({ dnsPolicy: 'Bogus', hostNetwork: true }), kubelet, host);
  assert.equal(r.mode, 'cluster');
  assert.deepEqual(r.config.servers, ['10.96.0.10']);
});

test('MissingClusterDNS: Node then Pod event, then the host lists', () => {
  const r = getPodDNS(pod(), { ...kubelet, clusterDNS: [] }, host);
  assert.equal(r.effectiveMode, 'host');
  assert.deepEqual(r.events.map((e) => [e.object, e.reason]), [['Node', 'MissingClusterDNS'], ['Pod', 'MissingClusterDNS']]);
  assert.equal(r.events[1]!.message, 'pod: "web-0_shop(u1)". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.');
  assert.deepEqual(r.config.servers, ['10.0.0.2']);
});

test('MissingClusterDNS with resolvConf "": loopbacks by node IP family', () => {
  const r = getPodDNS(pod(), { clusterDNS: [], clusterDomain: 'cluster.local', resolvConf: '' }, null, ['fd00::1', '10.0.0.1', 'not-an-ip']);
  assert.deepEqual(r.config, { servers: ['::1', '127.0.0.1', '127.0.0.1'], searches: ['.'], options: [] });
});

test('a broken host file fails the sandbox for every policy', () => {
  const broken = parseHostResolvConf('nameserver\n');
  for (const dnsPolicy of ['ClusterFirst', 'Default', 'None']) {
    assert.throws(() => getPodDNS(pod({ dnsPolicy }), kubelet, broken), (e: unknown) => e instanceof KubeletError && e.message === 'nameserver list is empty ');
  }
});

test('merging de-duplicates the base lists too, and writes empty values bare', () => {
  const merged = mergeDNSConfig({ servers: ['a', 'a'], searches: ['s', 's'], options: ['ndots:', 'x:1'] }, { nameservers: ['a', 'b'], searches: ['s.'], options: [{ name: 'x', value: '' }] });
  assert.deepEqual(merged, { servers: ['a', 'b'], searches: ['s', 's.'], options: ['ndots', 'x'] });
});
