import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecodeError, readKubeletConfig, readPod } from './pod.ts';

const pod = (spec: unknown, extra: Record<string, unknown> = {}): unknown => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec, ...extra });

test('defaults: namespace "default", dnsPolicy ClusterFirst, IPs from status', () => {
  const p = readPod(pod({ dnsPolicy: null }, { status: { podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }] } }));
  assert.equal(p.namespace, 'default');
  assert.equal(p.dnsPolicy, 'ClusterFirst');
  assert.deepEqual(p.podIPs, ['10.0.0.1', 'fd00::1']);
  assert.deepEqual(readPod(pod({}, { status: { podIP: '10.0.0.2' } })).podIPs, ['10.0.0.2']);
  assert.equal(readPod(pod({})).dnsConfig, null);
  assert.deepEqual(readPod(pod({ dnsConfig: {} })).dnsConfig, { nameservers: [], searches: [], options: [] });
  assert.deepEqual(readPod(pod({ dnsConfig: { options: [{ name: 'a' }, { name: 'b', value: '' }] } })).dnsConfig?.options, [{ name: 'a', value: null }, { name: 'b', value: '' }]);
});

test('wrong types are refused with encoding/json\'s message', () => {
  const prefix = 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal ';
  const cases: [unknown, string][] = [
    [{ dnsConfig: { options: [{ name: 'ndots', value: 2 }] } }, 'number into Go struct field PodDNSConfigOption.spec.dnsConfig.options.value of type string'],
    [{ hostNetwork: 'true' }, 'string into Go struct field PodSpec.spec.hostNetwork of type bool'],
    [{ dnsPolicy: 1 }, 'number into Go struct field PodSpec.spec.dnsPolicy of type v1.DNSPolicy'],
    [{ hostAliases: { ip: '1.2.3.4' } }, 'object into Go struct field PodSpec.spec.hostAliases of type []v1.HostAlias'],
    [{ hostAliases: [{ ip: '1.2.3.4', hostnames: [1] }] }, 'number into Go struct field HostAlias.spec.hostAliases.hostnames of type string'],
    [{ dnsConfig: { nameservers: '1.1.1.1' } }, 'string into Go struct field PodDNSConfig.spec.dnsConfig.nameservers of type []string'],
    [{ dnsConfig: [] }, 'array into Go struct field PodSpec.spec.dnsConfig of type v1.PodDNSConfig'],
  ];
  for (const [spec, msg] of cases) assert.throws(() => readPod(pod(spec)), (e: unknown) => e instanceof DecodeError && e.message === prefix + msg, msg);
  assert.throws(() => readPod({ kind: 'Deployment' }), /kind "Deployment" is not Pod/);
});

test('KubeletConfiguration: resolvConf defaults, "" kept, bad cluster DNS IPs dropped as the kubelet does', () => {
  const base = { apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration' };
  assert.deepEqual(readKubeletConfig(base), { clusterDNS: [], clusterDomain: '', resolvConf: '/etc/resolv.conf', warnings: [] });
  assert.equal(readKubeletConfig({ ...base, resolvConf: '' }).resolvConf, '');
  const k = readKubeletConfig({ ...base, clusterDNS: ['10.96.0.10', 'nope', '::FFFF:10.0.0.1'] });
  assert.deepEqual(k.clusterDNS, ['10.96.0.10', '10.0.0.1']);
  assert.equal(k.warnings.length, 1);
  assert.throws(() => readKubeletConfig({ ...base, apiVersion: 'v1' }), DecodeError);
  // The /configz answer.
  assert.deepEqual(readKubeletConfig({ kubeletconfig: { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', resolvConf: '/run/systemd/resolve/resolv.conf' } }),
    { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', resolvConf: '/run/systemd/resolve/resolv.conf', warnings: [] });
});
