import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lintManifests } from '../index.ts';
import type { Finding, LintOptions, RuleId } from '../types.ts';
import { ndotsOf } from './names.ts';

function lint(text: string, rule: RuleId, options: LintOptions = {}): Finding[] {
  return lintManifests([{ file: 't.yaml', text }], options).filter((f) => f.rule === rule);
}

function pod(spec: string, env: string, name = 'p'): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: shop}
spec:
${spec.split('\n').filter((l) => l !== '').map((l) => `  ${l}`).join('\n')}
  containers:
  - name: c
    env:
${env.split('\n').filter((l) => l !== '').map((v, i) => `    - {name: V${i}, value: "${v}"}`).join('\n')}
`;
}

test('ndotsOf reads options as glibc does', () => {
  assert.equal(ndotsOf(['ndots:5']), 5);
  assert.equal(ndotsOf(['ndots:2', 'timeout:1']), 2);
  assert.equal(ndotsOf(['ndots']), 1); // no "ndots:": the default
  assert.equal(ndotsOf([]), 1);
  assert.equal(ndotsOf(['ndots:20']), 15);
  assert.equal(ndotsOf(['ndots:x']), 0); // atoi
});

test('ndots-amplification: an external name in a ClusterFirst pod, with the query count', () => {
  const f = lint(pod('', 'https://api.example.com/v1'), 'ndots-amplification');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'warning');
  assert.equal(f[0]!.line, 9);
  assert.equal(f[0]!.field, 'spec.containers[0].env[0].value');
  assert.deepEqual(f[0]!.object, { kind: 'Pod', namespace: 'shop', name: 'p' });
  assert.match(f[0]!.message, /^api\.example\.com \(env V0 of container c\) has 2 dots, fewer than ndots:5, so a ClusterFirst pod tries it in each of its 3 search domains first \(shop\.svc\.cluster\.local svc\.cluster\.local cluster\.local, then any the node's resolv\.conf adds\): 8 queries \(A and AAAA\), 6 of them NXDOMAIN/);
  assert.match(f[0]!.message, /write api\.example\.com\. \(with the trailing dot\) or set the dnsConfig option ndots:2$/);
});

test('ndots-amplification: dnsConfig searches lengthen the walk; ndots comes from dnsConfig', () => {
  const searches = lint(pod('dnsConfig: {searches: [corp.example, eu.corp.example]}', 'api.example.com'), 'ndots-amplification');
  assert.match(searches[0]!.message, /its 5 search domains first .*: 12 queries \(A and AAAA\), 10 of them NXDOMAIN/);
  const ndots2 = 'dnsConfig: {options: [{name: ndots, value: "2"}]}';
  assert.deepEqual(lint(pod(ndots2, 'api.example.com'), 'ndots-amplification'), []);
  const one = lint(pod(ndots2, 'example.com'), 'ndots-amplification');
  assert.match(one[0]!.message, /has 1 dot, fewer than ndots:2.*ndots:1$/);
  // An option without a value is written as a bare `ndots`, which glibc ignores: ndots 1.
  assert.deepEqual(lint(pod('dnsConfig: {options: [{name: ndots}]}', 'example.com'), 'ndots-amplification'), []);
});

test('ndots-amplification: only pods that use the cluster\'s search list', () => {
  assert.equal(lint(pod('dnsPolicy: ClusterFirst', 'api.example.com'), 'ndots-amplification').length, 1);
  assert.equal(lint(pod('hostNetwork: true\ndnsPolicy: ClusterFirstWithHostNet', 'api.example.com'), 'ndots-amplification').length, 1);
  assert.deepEqual(lint(pod('dnsPolicy: Default', 'api.example.com'), 'ndots-amplification'), []);
  assert.deepEqual(lint(pod('hostNetwork: true', 'api.example.com'), 'ndots-amplification'), []);
  assert.deepEqual(lint(pod('dnsPolicy: None\ndnsConfig: {nameservers: [1.1.1.1]}', 'api.example.com'), 'ndots-amplification'), []);
  assert.deepEqual(lint(pod('', 'api.example.com'), 'ndots-amplification', { clusterDomain: '' }), []);
});

test('ndots-amplification: cluster names, absolute names, hostAliases names and non-hosts are left alone', () => {
  const env = 'web.shop.svc.cluster.local\nweb.shop\napi.example.com.\nhttps://api.example.com./x\n/etc/x.conf\nlegacy.corp.example\nhttp://minio.storage:9000';
  assert.deepEqual(lint(pod('hostAliases: [{ip: 192.168.1.1, hostnames: [legacy.corp.example]}]', env), 'ndots-amplification'), []);
  const custom = lint(pod('', 'web.shop.svc.k8s.example\napi.example.com'), 'ndots-amplification', { clusterDomain: 'k8s.example' });
  assert.equal(custom.length, 1);
  assert.match(custom[0]!.message, /shop\.svc\.k8s\.example svc\.k8s\.example k8s\.example/);
});

test('ndots-amplification: variables whose values are not looked up (NO_PROXY, ALLOWED_HOSTS, CORS…)', () => {
  const text = pod('', '').replace('    env:\n', `    env:
    - {name: NO_PROXY, value: "localhost,.svc,api.example.com"}
    - {name: no_proxy, value: "api.example.com"}
    - {name: DJANGO_ALLOWED_HOSTS, value: "shop.example.com"}
    - {name: CORS_ORIGINS, value: "https://shop.example.com"}
    - {name: SESSION_COOKIE_DOMAIN, value: "shop.example.com"}
    - {name: HTTPS_PROXY, value: "http://proxy.corp.example:3128"}
`);
  assert.deepEqual(lint(text, 'ndots-amplification').map((f) => f.message.split(' ')[0]), ['proxy.corp.example']);
});

test('ndots-amplification: one finding per name and workload, at its first mention', () => {
  const f = lint(pod('', 'http://api.example.com\napi.example.com:443\nmq.example.net'), 'ndots-amplification');
  assert.deepEqual(f.map((x) => [x.line, x.message.split(' ')[0]]), [[9, 'api.example.com'], [11, 'mq.example.net']]);
});

test('ndots-amplification: a pod whose controller is in the manifests is reported through it', () => {
  const rs = `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-1, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, args: [api.example.com]}]
---
apiVersion: v1
kind: Pod
metadata:
  name: web-1-x
  namespace: shop
  ownerReferences: [{kind: ReplicaSet, name: web-1, controller: true}]
spec:
  containers: [{name: c, args: [api.example.com]}]
`;
  assert.deepEqual(lint(rs, 'ndots-amplification').map((f) => f.object?.kind), ['ReplicaSet']);
  // Without the ReplicaSet, the pod is reported.
  assert.deepEqual(lint(rs.split('---\n')[1]!, 'ndots-amplification').map((f) => f.object?.kind), ['Pod']);
});

test('ndots-amplification: commands, probes, hooks and ConfigMap values', () => {
  const text = `apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop}
data: {A: a.example.com, B: b.example.com}
---
apiVersion: batch/v1
kind: Job
metadata: {name: j, namespace: shop}
spec:
  template:
    spec:
      initContainers:
      - name: wait
        command: [sh, -c, "until nc -z c.example.com 443; do sleep 1; done"]
      containers:
      - name: c
        readinessProbe: {exec: {command: [curl, https://d.example.com/]}}
        lifecycle: {preStop: {exec: {command: [curl, https://e.example.com/]}}}
        env:
        - name: A
          valueFrom: {configMapKeyRef: {name: cfg, key: A}}
        envFrom:
        - configMapRef: {name: cfg}
          prefix: X_
`;
  assert.deepEqual(lint(text, 'ndots-amplification').map((f) => [f.line, f.message.replace(/\) has .*/, ')')]), [
    [14, 'c.example.com (command[2] of init container wait)'],
    [17, 'd.example.com (readinessProbe.exec.command[1] of container c)'],
    [18, 'e.example.com (lifecycle.preStop.exec.command[1] of container c)'],
    [20, 'a.example.com (env A of container c, from ConfigMap cfg key A)'],
    [23, 'b.example.com (env X_B of container c, from ConfigMap cfg (envFrom))'],
  ]);
});

test('default-policy-cluster-name: cluster names in a pod resolving with the node\'s resolver', () => {
  const svc = 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {selector: {app: web}, clusterIP: 10.96.0.5}\n---\n';
  const f = lint(svc + pod('dnsPolicy: Default', 'db.shop.svc.cluster.local:5432\nhttp://web.shop/\napi.example.com\nx.y.svc\nfoo.bar'), 'default-policy-cluster-name');
  assert.deepEqual(f.map((x) => [x.severity, x.message.replace(/ \(env.*? is /, ': ').replace(/, but .*/, '')]), [
    ['warning', 'db.shop.svc.cluster.local: a name in the cluster domain cluster.local'],
    ['warning', 'web.shop: the name of Service shop/web'],
    ['warning', 'x.y.svc: a cluster Service name'],
  ]);
  assert.match(f[0]!.message, /use dnsPolicy ClusterFirst \(the default\)$/);
  const hostNet = lint(pod('hostNetwork: true', 'db.shop.svc.cluster.local'), 'default-policy-cluster-name');
  assert.match(hostNet[0]!.message, /treats as Default.*set dnsPolicy ClusterFirstWithHostNet$/);
  assert.deepEqual(lint(pod('hostNetwork: true\ndnsPolicy: ClusterFirstWithHostNet', 'db.shop.svc.cluster.local'), 'default-policy-cluster-name'), []);
  assert.deepEqual(lint(pod('', 'db.shop.svc.cluster.local'), 'default-policy-cluster-name'), []);
});
