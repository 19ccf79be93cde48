import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSource } from './source.ts';

const yaml = `# a comment
apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: shop
spec:
  hostAliases:
  - ip: 10.0.0.1
    hostnames:
    - a
    - b
  containers:
  - name: c
    args:
    - |
      first line
      curl https://api.example.com/
---
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: s}
  spec:
    externalName: x
`;

test('objects with their document, first line and the lines of their fields', () => {
  const { objects, findings } = parseSource('f.yaml', yaml);
  assert.deepEqual(findings, []);
  assert.deepEqual(objects.map((o) => [o.kind, o.namespace, o.name, o.document, o.line, o.base]), [
    ['Pod', 'shop', 'p', 1, 2, []],
    ['Service', '', 's', 3, 24, ['items', 0]],
  ]);
  const pod = objects[0]!;
  assert.equal(pod.lineOf(['spec']), 7);
  assert.equal(pod.lineOf(['spec', 'hostAliases', 0, 'ip']), 9);
  assert.equal(pod.lineOf(['spec', 'hostAliases', 0, 'hostnames', 1]), 12);
  assert.equal(pod.lineOf(['spec', 'containers', 0, 'args', 0]), 16);
  // In a block literal, an offset in the value picks its line.
  const arg = pod.raw['spec'] as { containers: { args: string[] }[] };
  const text = arg.containers[0]!.args[0]!;
  assert.equal(pod.lineOf(['spec', 'containers', 0, 'args', 0], text.indexOf('curl')), 18);
  assert.equal(pod.lineOf(['spec', 'containers', 0, 'args', 0], 0), 17);
  // A missing field: its deepest ancestor's line.
  assert.equal(pod.lineOf(['spec', 'dnsConfig', 'nameservers']), 7);
  const svc = objects[1]!;
  assert.equal(svc.lineOf(['spec', 'externalName']), 28);
});

test('typed lists give their items kind and apiVersion; YAML 1.1 scalars as kubectl reads them', () => {
  const { objects } = parseSource('f.yaml', 'apiVersion: v1\nkind: ServiceList\nitems:\n- metadata: {name: a}\n  spec: {publishNotReadyAddresses: yes}\n');
  assert.equal(objects.length, 1);
  assert.equal(objects[0]!.kind, 'Service');
  assert.equal(objects[0]!.apiVersion, 'v1');
  assert.equal((objects[0]!.raw['spec'] as Record<string, unknown>)['publishNotReadyAddresses'], true);
  assert.equal(objects[0]!.line, 4);
});

test('JSON: lines through the YAML parser when it reads the same value', () => {
  const json = '{\n  "apiVersion": "v1",\n  "kind": "Service",\n  "metadata": {"name": "s"},\n  "spec": {\n    "externalName": "x"\n  }\n}\n';
  const { objects } = parseSource('s.json', json);
  assert.equal(objects[0]!.line, 1);
  assert.equal(objects[0]!.lineOf(['spec', 'externalName']), 6);
  // JSON the YAML parser reads differently (a duplicate key, which JSON.parse lets the last win): line 1.
  const dup = parseSource('d.json', '{\n "apiVersion": "v1",\n "kind": "Service",\n "metadata": {"name": "a", "name": "b"}\n}\n');
  assert.deepEqual(dup.findings, []);
  assert.equal(dup.objects[0]!.name, 'b');
  assert.equal(dup.objects[0]!.lineOf(['metadata', 'name']), 1);
  const bad = parseSource('s.json', '{"kind": ');
  assert.equal(bad.findings.length, 1);
  assert.match(bad.findings[0]!.message, /^invalid JSON/);
});

test('documents that are not API objects are manifest-invalid, at their line', () => {
  const { objects, findings } = parseSource('f.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\n- a list\n---\nmetadata: {name: x}\n---\nkind: Pod\n---\na: [1\n');
  assert.equal(objects.length, 1);
  assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.line, f.message.replace(/ at line.*/, '')]), [
    ['manifest-invalid', 'error', 5, 'document 2: expected an API object, got a list'],
    ['manifest-invalid', 'error', 7, 'document 3: kind is not set'],
    ['manifest-invalid', 'error', 9, 'document 4: apiVersion is not set'],
    ['manifest-invalid', 'error', 12, 'document 5: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]'],
  ]);
});

test('empty files and documents give nothing', () => {
  assert.deepEqual(parseSource('f.yaml', ''), { objects: [], findings: [] });
  assert.deepEqual(parseSource('f.yaml', '---\n---\n# only a comment\n'), { objects: [], findings: [] });
  assert.deepEqual(parseSource('f.json', '  \n'), { objects: [], findings: [] });
});
