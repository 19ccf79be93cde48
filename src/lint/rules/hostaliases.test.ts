import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lintManifests } from '../index.ts';
import type { Finding, LintOptions, RuleId } from '../types.ts';

function lint(text: string, rule: RuleId, options: LintOptions = {}): Finding[] {
  return lintManifests([{ file: 't.yaml', text }], options).filter((f) => f.rule === rule);
}

const cluster = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, clusterIP: 10.96.10.10, externalIPs: [203.0.113.7]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-0, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c}]}
status: {podIP: 10.244.1.5}
---
apiVersion: v1
kind: Pod
metadata: {name: old, namespace: shop}
spec: {containers: [{name: c}]}
status: {phase: Succeeded, podIP: 10.244.1.99}
---
apiVersion: v1
kind: Node
metadata: {name: node-1}
status: {addresses: [{type: InternalIP, address: 10.244.0.1}]}
---
`;

function aliases(list: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: shop}
spec:
  template:
    spec:
      hostAliases: ${list}
      containers: [{name: c}]
`;
}

test('hostalias-stale-ip: an address in the cluster\'s ranges that nothing has', () => {
  const f = lint(cluster + aliases('[{ip: 10.96.77.77, hostnames: [billing, billing.internal]}]'), 'hostalias-stale-ip');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'error');
  assert.equal(f[0]!.line, 29);
  assert.equal(f[0]!.field, 'spec.template.spec.hostAliases[0].ip');
  assert.match(f[0]!.message, /^hostAliases\[0\] maps billing, billing\.internal to 10\.96\.77\.77, which no current Pod, Service or endpoint has, though it is in 10\.96\.0\.0\/16, where the cluster's Service and Pod IPs are/);
  // A finished pod's IP is not current.
  assert.equal(lint(cluster + aliases('[{ip: 10.244.1.99, hostnames: [x]}]'), 'hostalias-stale-ip').length, 1);
});

test('hostalias-stale-ip: current Pod, Service, external and Node addresses, and addresses outside the ranges, are fine', () => {
  for (const ip of ['10.96.10.10', '10.244.1.5', '203.0.113.7', '10.244.0.1', '192.168.50.20', '10.097.0.1']) {
    assert.deepEqual(lint(cluster + aliases(`[{ip: "${ip}", hostnames: [x]}]`), 'hostalias-stale-ip'), [], ip);
  }
  // Without any address in the manifests there is nothing to compare with.
  assert.deepEqual(lint(aliases('[{ip: 10.96.77.77, hostnames: [x]}]'), 'hostalias-stale-ip'), []);
});

test('hostalias-stale-ip: --cluster-cidr gives the ranges; leading zeros and IPv6 are compared canonically', () => {
  const f = lint(aliases('[{ip: 10.100.0.1, hostnames: [x]}]'), 'hostalias-stale-ip', { clusterCIDRs: ['10.96.0.0/12'] });
  assert.match(f[0]!.message, /it is in --cluster-cidr 10\.96\.0\.0\/12:/);
  assert.deepEqual(lint(aliases('[{ip: 10.112.0.1, hostnames: [x]}]'), 'hostalias-stale-ip', { clusterCIDRs: ['10.96.0.0/12'] }), []);
  assert.equal(lint(aliases('[{ip: "fd00:10:96::abcd", hostnames: [x]}]'), 'hostalias-stale-ip', { clusterCIDRs: ['fd00:10:96::/108'] }).length, 1);
  const v6 = 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {clusterIPs: ["fd00:10:96::a"]}\n---\n';
  assert.deepEqual(lint(v6 + aliases('[{ip: "FD00:10:96:0::A", hostnames: [x]}]'), 'hostalias-stale-ip'), []);
  assert.equal(lint(v6 + aliases('[{ip: "fd00:10:96::b", hostnames: [x]}]'), 'hostalias-stale-ip').length, 1);
  assert.throws(() => lint('', 'hostalias-stale-ip', { clusterCIDRs: ['10.96.0.0/33'] }), TypeError);
});

test('hostalias-shadows-cluster-name: names DNS would answer from the cluster', () => {
  const f = lint(cluster + aliases('[{ip: 10.96.10.10, hostnames: [web, web.shop, web.shop.svc, web.shop.svc.cluster.local, other.svc.cluster.local, x.svc, web-legacy, web.example.com]}]'), 'hostalias-shadows-cluster-name');
  assert.deepEqual(f.map((x) => [x.severity, x.field, x.message.replace(/: \/etc\/hosts.*/, '')]), [
    ['warning', 'spec.template.spec.hostAliases[0].hostnames[0]', 'hostAliases[0].hostnames[0] web is the short name of Service shop/web (the search list makes it web.shop.svc.cluster.local)'],
    ['warning', 'spec.template.spec.hostAliases[0].hostnames[1]', 'hostAliases[0].hostnames[1] web.shop is the name of Service shop/web'],
    ['warning', 'spec.template.spec.hostAliases[0].hostnames[2]', 'hostAliases[0].hostnames[2] web.shop.svc is the name of Service shop/web'],
    ['warning', 'spec.template.spec.hostAliases[0].hostnames[3]', 'hostAliases[0].hostnames[3] web.shop.svc.cluster.local is the cluster name of Service shop/web'],
    ['warning', 'spec.template.spec.hostAliases[0].hostnames[4]', 'hostAliases[0].hostnames[4] other.svc.cluster.local is in the cluster domain cluster.local'],
    ['warning', 'spec.template.spec.hostAliases[0].hostnames[5]', 'hostAliases[0].hostnames[5] x.svc is a cluster Service name (.svc)'],
  ]);
  assert.match(f[0]!.message, /this pod gets 10\.96\.10\.10 for it whatever the cluster answers/);
  // A bare Service name shadows only in the Service's namespace.
  const other = aliases('[{ip: 10.96.10.10, hostnames: [web]}]').replace('namespace: shop', 'namespace: other');
  assert.deepEqual(lint(cluster + other, 'hostalias-shadows-cluster-name'), []);
});
