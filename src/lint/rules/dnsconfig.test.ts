import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lintManifests } from '../index.ts';
import type { Finding, LintOptions } from '../types.ts';

function lint(text: string, options: LintOptions = {}): Finding[] {
  return lintManifests([{ file: 't.yaml', text }], options).filter((f) => f.rule === 'dnsconfig-over-limits' || f.rule === 'pod-dns-invalid');
}

function deployment(spec: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: shop}
spec:
  template:
    spec:
${spec.split('\n').map((l) => `      ${l}`).join('\n')}
      containers: [{name: c}]
`;
}

const searches = (n: number): string => `[${Array.from({ length: n }, (_, i) => `s${i}.example`).join(', ')}]`;

test('dnsconfig-over-limits, error: what the API server refuses, with its message and the object\'s own field path', () => {
  const f = lint(deployment('dnsConfig:\n  nameservers: [10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4]'));
  assert.deepEqual(f.map((x) => [x.rule, x.severity, x.line, x.field]), [['dnsconfig-over-limits', 'error', 8, 'spec.template.spec.dnsConfig.nameservers']]);
  assert.equal(f[0]!.message, 'the API server refuses this Deployment: spec.template.spec.dnsConfig.nameservers: Invalid value: []string{"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"}: must not have more than 3 nameservers');
  assert.deepEqual(lint(deployment(`dnsConfig: {searches: ${searches(33)}}`)).map((x) => [x.severity, x.message.replace(/.*: /, '')]), [['error', 'must not have more than 32 search paths']]);
  const bad = lint(deployment('dnsConfig:\n  nameservers: [dns.example.com]\n  searches: [Bad_Domain]\n  options: [{value: "1"}]'));
  assert.deepEqual(bad.map((x) => [x.line, x.field]), [
    [8, 'spec.template.spec.dnsConfig.nameservers[0]'],
    [9, 'spec.template.spec.dnsConfig.searches[0]'],
    [10, 'spec.template.spec.dnsConfig.options[0]'],
  ]);
  assert.match(lint(deployment('dnsPolicy: None'))[0]!.message, /spec\.template\.spec\.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None$/);
});

test('dnsconfig-over-limits, warning: accepted, but cut by the kubelet with a DNSConfigForming event', () => {
  const ns = lint(deployment('dnsConfig:\n  nameservers: [10.0.0.1, 10.0.0.2, 10.0.0.3]'));
  assert.deepEqual(ns.map((x) => [x.severity, x.field]), [['warning', 'spec.template.spec.dnsConfig.nameservers']]);
  assert.equal(ns[0]!.message, 'the kubelet cuts this pod\'s nameserver list to 3 and reports it at every start (DNSConfigForming): "Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.96.0.10 10.0.0.1 10.0.0.2" (counted with one cluster DNS server, 10.96.0.10, the cluster\'s search domains, and no search line on the node)');
  // The kube-dns Service's IP, when the manifests have it.
  const kubeDNS = 'apiVersion: v1\nkind: Service\nmetadata: {name: kube-dns, namespace: kube-system}\nspec: {clusterIP: 10.43.0.10, selector: {k8s-app: kube-dns}}\n---\n';
  assert.match(lint(kubeDNS + deployment('dnsConfig:\n  nameservers: [10.0.0.1, 10.0.0.2, 10.0.0.3]'))[0]!.message, /line is: 10\.43\.0\.10 10\.0\.0\.1 10\.0\.0\.2".*10\.43\.0\.10/);
  // 30 searches pass the API server; with the cluster's 3 they are 33.
  const s = lint(deployment(`dnsConfig: {searches: ${searches(30)}}`));
  assert.deepEqual(s.map((x) => [x.severity, x.field]), [['warning', 'spec.template.spec.dnsConfig.searches']]);
  assert.match(s[0]!.message, /cuts this pod's search list .*"Search Line limits were exceeded, some search paths have been omitted, the applied search line is: shop\.svc\.cluster\.local svc\.cluster\.local cluster\.local s0\.example .* s28\.example"/);
  // Within the limits; Default pods count only their own entries; None pods have no cluster entries.
  assert.deepEqual(lint(deployment('dnsConfig:\n  nameservers: [10.0.0.1, 10.0.0.2]')), []);
  assert.deepEqual(lint(deployment('dnsPolicy: Default\ndnsConfig:\n  nameservers: [10.0.0.1, 10.0.0.2, 10.0.0.3]')), []);
  assert.deepEqual(lint(deployment(`dnsPolicy: None\ndnsConfig:\n  nameservers: [10.0.0.1]\n  searches: ${searches(32)}`)), []);
});

test('pod-dns-invalid: dnsPolicy, hostAliases, hostname and subdomain the API server refuses', () => {
  const f = lint(deployment('dnsPolicy: ClusterLast\nhostname: Web_1\nsubdomain: a.b\nhostAliases:\n- ip: 10.0.0.01\n  hostnames: [api.corp.example., Upper]'));
  assert.deepEqual(f.map((x) => [x.rule, x.severity, x.line, x.field]), [
    ['pod-dns-invalid', 'error', 7, 'spec.template.spec.dnsPolicy'],
    ['pod-dns-invalid', 'error', 8, 'spec.template.spec.hostname'],
    ['pod-dns-invalid', 'error', 9, 'spec.template.spec.subdomain'],
    ['pod-dns-invalid', 'error', 11, 'spec.template.spec.hostAliases[0].ip'],
    ['pod-dns-invalid', 'error', 12, 'spec.template.spec.hostAliases[0].hostnames[0]'],
    ['pod-dns-invalid', 'error', 12, 'spec.template.spec.hostAliases[0].hostnames[1]'],
  ]);
  assert.match(f[0]!.message, /^the API server refuses this Deployment: spec\.template\.spec\.dnsPolicy: Unsupported value: "ClusterLast": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"$/);
  assert.match(f[3]!.message, /hostAliases\[0\]\.ip: Invalid value: "10\.0\.0\.01": must not have leading 0s$/);
});

test('a pod template of the wrong shape is manifest-invalid with the API server\'s decoding error', () => {
  const f = lintManifests([{ file: 't.yaml', text: deployment('dnsConfig: {options: [{name: ndots, value: 2}]}') }]);
  assert.deepEqual(f.map((x) => [x.rule, x.line]), [['manifest-invalid', 5]]);
  assert.match(f[0]!.message, /^its pod template \(spec\.template\): Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field PodDNSConfigOption\.spec\.dnsConfig\.options\.value of type string$/);
});
