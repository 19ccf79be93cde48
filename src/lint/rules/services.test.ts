import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lintManifests } from '../index.ts';
import type { Finding, LintOptions, RuleId } from '../types.ts';

function lint(text: string, rule: RuleId, options: LintOptions = {}): Finding[] {
  return lintManifests([{ file: 't.yaml', text }], options).filter((f) => f.rule === rule);
}

function service(name: string, spec: string): string {
  return `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: shop}\nspec: ${spec}\n---\n`;
}

test('externalname-ip: IPv4 and IPv6 addresses, with or without a trailing dot', () => {
  for (const ip of ['10.20.30.40', '10.20.30.40.', '2001:db8::1']) {
    const f = lint(service('old-db', `{type: ExternalName, externalName: "${ip}"}`), 'externalname-ip');
    assert.deepEqual(f.map((x) => [x.severity, x.line, x.field]), [['error', 4, 'spec.externalName']], ip);
  }
  assert.match(lint(service('old-db', '{type: ExternalName, externalName: 10.20.30.40}'), 'externalname-ip')[0]!.message,
    /^externalName 10\.20\.30\.40 is an IP address, but an ExternalName Service is a CNAME: old-db\.shop\.svc\.cluster\.local answers with a CNAME to the name "10\.20\.30\.40\.", which does not resolve/);
  assert.deepEqual(lint(service('mail', '{type: ExternalName, externalName: smtp.example.com}'), 'externalname-ip'), []);
});

test('externalname-self: its own name, and loops through other ExternalName Services', () => {
  assert.match(lint(service('a', '{type: ExternalName, externalName: A.shop.svc.cluster.local.}'), 'externalname-self')[0]!.message, /is this Service's own name: a CNAME to itself/);
  const three = service('a', '{type: ExternalName, externalName: b.shop.svc.cluster.local}')
    + service('b', '{type: ExternalName, externalName: c.shop.svc.cluster.local}')
    + service('c', '{type: ExternalName, externalName: a.shop.svc.cluster.local}')
    + service('d', '{type: ExternalName, externalName: a.shop.svc.cluster.local}');
  const f = lint(three, 'externalname-self');
  assert.deepEqual(f.map((x) => x.object?.name), ['a', 'b', 'c']);
  assert.match(f[0]!.message, /leads back to this Service \(shop\/a → shop\/b → shop\/c → shop\/a\): a CNAME loop/);
  // A chain that ends somewhere else, another cluster domain, or a name that is not a Service's.
  const fine = service('e', '{type: ExternalName, externalName: f.shop.svc.cluster.local}')
    + service('f', '{clusterIP: 10.96.0.9}')
    + service('g', '{type: ExternalName, externalName: g.shop.svc.other.domain}')
    + service('h', '{type: ExternalName, externalName: h.shop}');
  assert.deepEqual(lint(fine, 'externalname-self'), []);
  assert.equal(lint(service('g', '{type: ExternalName, externalName: g.shop.svc.other.domain}'), 'externalname-self', { clusterDomain: 'other.domain' }).length, 1);
});

const pod = (name: string, status: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: shop, labels: {app: kafka}}\nspec: {containers: [{name: c}]}\n${status}\n---\n`;

test('headless-no-ready-endpoints: EndpointSlices without a ready endpoint', () => {
  const slice = (ready: string): string => `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: kafka-1, namespace: shop, labels: {kubernetes.io/service-name: kafka}}
addressType: IPv4
endpoints: [{addresses: [10.244.0.7], conditions: {ready: ${ready}}}]
---
`;
  const f = lint(service('kafka', '{clusterIP: None, selector: {app: kafka}}') + slice('false'), 'headless-no-ready-endpoints');
  assert.deepEqual(f.map((x) => [x.severity, x.line, x.field]), [['warning', 4, 'spec.clusterIP']]);
  assert.match(f[0]!.message, /^headless Service with no ready endpoint: its EndpointSlice \(kafka-1\) lists no ready endpoint, so kafka\.shop\.svc\.cluster\.local is NXDOMAIN/);
  assert.deepEqual(lint(service('kafka', '{clusterIP: None, selector: {app: kafka}}') + slice('true'), 'headless-no-ready-endpoints'), []);
  assert.deepEqual(lint(service('kafka', '{clusterIP: 10.96.0.7, selector: {app: kafka}}') + slice('false'), 'headless-no-ready-endpoints'), []);
});

test('headless-no-ready-endpoints: legacy Endpoints of a selector-less Service, mirrored', () => {
  const eps = (list: string): string => `apiVersion: v1\nkind: Endpoints\nmetadata: {name: ext, namespace: shop}\nsubsets: [{${list}: [{ip: 10.1.2.3}], ports: [{port: 5432}]}]\n---\n`;
  assert.equal(lint(service('ext', '{clusterIP: None}') + eps('notReadyAddresses'), 'headless-no-ready-endpoints').length, 1);
  assert.deepEqual(lint(service('ext', '{clusterIP: None}') + eps('addresses'), 'headless-no-ready-endpoints'), []);
  assert.match(lint(service('ext', '{clusterIP: None}'), 'headless-no-ready-endpoints')[0]!.message, /it has no selector and the manifests hold no EndpointSlice or Endpoints for it/);
});

test('headless-no-ready-endpoints: without slices, the selected pods\' readiness', () => {
  const headless = service('kafka', '{clusterIP: None, selector: {app: kafka}}');
  const notReady = 'status: {phase: Running, podIP: 10.244.0.7, conditions: [{type: Ready, status: "False"}]}';
  const ready = 'status: {phase: Running, podIP: 10.244.0.8, conditions: [{type: Ready, status: "True"}]}';
  const f = lint(headless + pod('kafka-0', notReady) + pod('kafka-1', 'status: {phase: Pending}'), 'headless-no-ready-endpoints');
  assert.match(f[0]!.message, /the pods its selector picks \(kafka-0, kafka-1\) are not ready/);
  assert.deepEqual(lint(headless + pod('kafka-0', notReady) + pod('kafka-1', ready), 'headless-no-ready-endpoints'), []);
  assert.deepEqual(lint(headless + pod('kafka-0', ''), 'headless-no-ready-endpoints'), []); // no status: written by hand
  assert.deepEqual(lint(service('kafka', '{clusterIP: None, selector: {app: kafka}, publishNotReadyAddresses: true}') + pod('kafka-0', notReady), 'headless-no-ready-endpoints'), []);
  // Nothing selected: selector-matches-no-pod says it.
  assert.deepEqual(lint(headless, 'headless-no-ready-endpoints'), []);
  assert.equal(lint(headless, 'selector-matches-no-pod').length, 1);
});

test('selector-matches-no-pod: Pods and pod templates of the namespace, every label', () => {
  const svc = service('search', '{clusterIP: 10.96.0.20, selector: {app: search, tier: web}}');
  const f = lint(svc, 'selector-matches-no-pod');
  assert.deepEqual(f.map((x) => [x.severity, x.line, x.field]), [['warning', 4, 'spec.selector']]);
  assert.equal(f[0]!.message, 'selector app=search,tier=web matches no Pod and no pod template in namespace shop: the Service gets no endpoints, so search.shop.svc.cluster.local resolves to a ClusterIP that refuses every connection; fix the selector or the pods\' labels');
  const deploy = (ns: string, labels: string): string => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: search, namespace: ${ns}}\nspec:\n  template:\n    metadata: {labels: ${labels}}\n    spec: {containers: [{name: c}]}\n---\n`;
  assert.deepEqual(lint(svc + deploy('shop', '{app: search, tier: web, v: "2"}'), 'selector-matches-no-pod'), []);
  assert.equal(lint(svc + deploy('shop', '{app: search}'), 'selector-matches-no-pod').length, 1);
  assert.equal(lint(svc + deploy('other', '{app: search, tier: web}'), 'selector-matches-no-pod').length, 1);
  const cron = 'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c, namespace: shop}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        metadata: {labels: {app: search, tier: web}}\n        spec: {containers: [{name: c}]}\n---\n';
  assert.deepEqual(lint(svc + cron, 'selector-matches-no-pod'), []);
  const p = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop, labels: {app: search, tier: web}}\nspec: {containers: [{name: c}]}\n';
  assert.deepEqual(lint(svc + p, 'selector-matches-no-pod'), []);
  assert.equal(lint(svc + p.replace('spec:', 'status: {phase: Succeeded}\nspec:'), 'selector-matches-no-pod').length, 1);
  // Ready endpoints in the manifests: the pods exist, elsewhere.
  const slice = 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s-1, namespace: shop, labels: {kubernetes.io/service-name: search}}\naddressType: IPv4\nendpoints: [{addresses: [10.244.0.9]}]\n';
  assert.deepEqual(lint(svc + slice, 'selector-matches-no-pod'), []);
  // No selector, or ExternalName: nothing to match.
  assert.deepEqual(lint(service('x', '{clusterIP: 10.96.0.21}') + service('y', '{type: ExternalName, externalName: a.example.com, selector: {app: y}}'), 'selector-matches-no-pod'), []);
  assert.match(lint(service('h', '{clusterIP: None, selector: {app: h}}'), 'selector-matches-no-pod')[0]!.message, /so h\.shop\.svc\.cluster\.local is NXDOMAIN;/);
});
