// deploy/ and the Dockerfile, checked without a cluster or a Docker engine (neither exists where
// the tests run):
// - each kustomization is built by the subset of kustomize it uses (resources, namespace,
//   images; any other field fails the test, so this build cannot silently differ from
//   `kubectl apply -k`);
// - every object is validated against the Kubernetes API's own schemas twice: kubernetes-models'
//   validators (compiled from the upstream OpenAPI document: required fields, types, formats,
//   enums), and a strict pass that rejects fields the API does not define (what `kubectl apply`'s
//   server-side field validation rejects), walked over @kubernetes/client-node's models, which
//   are generated from the same OpenAPI document;
// - the properties that make the deployment work are asserted against their sources of truth:
//   the Corefiles (parsed by podns's own parser, and accepted by `podns validate`), the API
//   resources podns's API source lists and watches, `podns nodecache`'s own flag parser and
//   placeholder filling, kubeadm's Corefile and NodeLocal DNSCache's template;
// - the Dockerfile is linted by dockerfile-utils and its instructions checked.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { validate as lintDockerfile, ValidationSeverity } from 'dockerfile-utils';
import { parseAllDocuments } from 'yaml';
import { kubeadmCorefile } from '../../src/cli/default-corefile.ts';
import { resources as apiResources } from '../../src/cluster/api/source.ts';
import { parseCorefile } from '../../src/corefile/index.ts';
import type { Directive, ServerBlock } from '../../src/corefile/index.ts';
import { NODECACHE_FLAGS, expandBooleanFlags, nodeCacheConfig } from '../../src/nodecache/index.ts';
import type { NodeCacheConfig } from '../../src/nodecache/index.ts';
import { CLUSTER_DNS, UPSTREAM_SERVERS, pillarValues, serviceHostVariable, substitutePillars } from '../../src/nodecache/pillars.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEPLOY = join(ROOT, 'deploy');
const CLI = join(ROOT, 'src/cli/main.ts');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string>; devDependencies: Record<string, string> };

// ---------------------------------------------------------------------------------------------
// Objects as plain JSON, and small typed accessors (a wrong shape fails the test with the path).

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

function isObj(v: Json | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at a dotted path (`spec.template.spec`); array indexes as numbers (`containers.0`). */
function at(o: Json | undefined, path: string): Json | undefined {
  let v: Json | undefined = o;
  for (const key of path.split('.')) {
    if (Array.isArray(v)) v = v[Number(key)];
    else if (isObj(v)) v = v[key];
    else return undefined;
  }
  return v;
}
function obj(o: Json | undefined, path: string): Obj {
  const v = at(o, path);
  assert.ok(isObj(v), `${path}: expected an object, got ${JSON.stringify(v)}`);
  return v;
}
function arr(o: Json | undefined, path: string): Json[] {
  const v = at(o, path);
  assert.ok(Array.isArray(v), `${path}: expected a list, got ${JSON.stringify(v)}`);
  return v;
}
function objs(o: Json | undefined, path: string): Obj[] {
  return arr(o, path).map((v, i) => { assert.ok(isObj(v), `${path}.${i}: expected an object`); return v; });
}
function str(o: Json | undefined, path: string): string {
  const v = at(o, path);
  assert.equal(typeof v, 'string', `${path}: expected a string, got ${JSON.stringify(v)}`);
  return v as string;
}
function strs(o: Json | undefined, path: string): string[] {
  return arr(o, path).map((v, i) => { assert.equal(typeof v, 'string', `${path}.${i}: expected a string`); return v as string; });
}
function num(o: Json | undefined, path: string): number {
  const v = at(o, path);
  assert.equal(typeof v, 'number', `${path}: expected a number, got ${JSON.stringify(v)}`);
  return v as number;
}
function labels(o: Json | undefined, path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(o, path))) { assert.equal(typeof v, 'string', `${path}.${k}`); out[k] = v as string; }
  return out;
}
function matches(selector: Record<string, string>, podLabels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => podLabels[k] === v);
}

// ---------------------------------------------------------------------------------------------
// The subset of kustomize that deploy/ uses.

/** Kinds that have no namespace (of those kustomize knows; enough for what deploy/ holds). */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass', 'StorageClass', 'CustomResourceDefinition', 'Node', 'PersistentVolume']);

interface Built { readonly kustomization: Obj; readonly objects: Obj[]; readonly files: string[] }

/** Parses YAML as `kubectl` would, failing on any syntax error, warning or duplicate key. */
function yamlDocuments(file: string): Obj[] {
  const out: Obj[] = [];
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: true, prettyErrors: true })) {
    assert.deepEqual([...doc.errors, ...doc.warnings].map((e) => e.message), [], `${relative(ROOT, file)}: YAML problems`);
    const v = doc.toJS({ maxAliasCount: 0 }) as Json;
    if (v === null) continue;
    assert.ok(isObj(v), `${relative(ROOT, file)}: a document that is not an object`);
    out.push(v);
  }
  return out;
}

/** Splits an image reference into name and tag/digest as kustomize's image transformer does. */
function splitImage(image: string): { name: string; suffix: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { name: image.slice(0, at), suffix: image.slice(at) };
  const colon = image.lastIndexOf(':');
  if (colon > image.lastIndexOf('/')) return { name: image.slice(0, colon), suffix: image.slice(colon) };
  return { name: image, suffix: '' };
}

/** Every container list in an object (pod templates and pods), for the image transformer. */
function containerLists(o: Json, out: Obj[][] = []): Obj[][] {
  if (Array.isArray(o)) for (const v of o) containerLists(v, out);
  else if (isObj(o)) {
    for (const [k, v] of Object.entries(o)) {
      if ((k === 'containers' || k === 'initContainers') && Array.isArray(v)) out.push(v.filter(isObj));
      containerLists(v, out);
    }
  }
  return out;
}

function build(dir: string): Built {
  const file = join(dir, 'kustomization.yaml');
  const [kustomization, ...more] = yamlDocuments(file);
  assert.ok(kustomization !== undefined && more.length === 0, `${relative(ROOT, file)}: one document`);
  assert.equal(kustomization.apiVersion, 'kustomize.config.k8s.io/v1beta1');
  assert.equal(kustomization.kind, 'Kustomization');
  const unsupported = Object.keys(kustomization).filter((k) => !['apiVersion', 'kind', 'namespace', 'resources', 'images'].includes(k));
  assert.deepEqual(unsupported, [], `${relative(ROOT, file)}: fields this test's kustomize does not implement`);

  const objects: Obj[] = [];
  const files: string[] = [file];
  for (const entry of strs(kustomization, 'resources')) {
    assert.doesNotMatch(entry, /^[a-z]+:\/\//, 'remote resources are not used');
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      const sub = build(path);
      objects.push(...sub.objects);
      files.push(...sub.files);
    } else {
      objects.push(...yamlDocuments(path));
      files.push(path);
    }
  }

  const namespace = at(kustomization, 'namespace');
  if (namespace !== undefined) {
    assert.equal(typeof namespace, 'string');
    for (const o of objects) {
      const kind = str(o, 'kind');
      if (CLUSTER_SCOPED.has(kind)) {
        assert.equal(at(o, 'metadata.namespace'), undefined, `${kind} ${str(o, 'metadata.name')} is cluster-scoped: no namespace`);
        // kustomize versions differ in which ServiceAccount subjects they re-namespace; with the
        // subjects already in the kustomization's namespace, all give the same result.
        if (kind.endsWith('RoleBinding')) {
          for (const s of objs(o, 'subjects')) if (s.kind === 'ServiceAccount') assert.equal(s.namespace, namespace, `${str(o, 'metadata.name')}: subject ${String(s.name)}`);
        }
      } else {
        obj(o, 'metadata').namespace = namespace;
      }
    }
  }

  const images = at(kustomization, 'images');
  if (images !== undefined) {
    for (const image of objs(kustomization, 'images')) {
      const unknown = Object.keys(image).filter((k) => !['name', 'newName', 'newTag', 'digest'].includes(k));
      assert.deepEqual(unknown, [], 'images: fields this test does not implement');
      const name = str(image, 'name');
      let used = false;
      for (const list of objects.flatMap((o) => containerLists(o))) {
        for (const c of list) {
          if (typeof c.image !== 'string') continue;
          const current = splitImage(c.image);
          if (current.name !== name) continue;
          used = true;
          const newName = typeof image.newName === 'string' ? image.newName : current.name;
          const suffix = typeof image.digest === 'string' ? `@${image.digest}` : typeof image.newTag === 'string' ? `:${image.newTag}` : current.suffix;
          c.image = newName + suffix;
        }
      }
      assert.ok(used, `images: ${name} names no container's image`);
    }
  }

  const ids = objects.map((o) => `${str(o, 'apiVersion')} ${str(o, 'kind')} ${String(at(o, 'metadata.namespace') ?? '')}/${str(o, 'metadata.name')}`);
  assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), [], 'duplicate objects (kustomize refuses them)');
  return { kustomization, objects, files };
}

function find(objects: readonly Obj[], kind: string, name: string): Obj {
  const found = objects.filter((o) => o.kind === kind && at(o, 'metadata.name') === name);
  assert.equal(found.length, 1, `${kind} ${name}: expected exactly one, found ${found.length}`);
  return found[0]!;
}

// ---------------------------------------------------------------------------------------------
// Validation against the Kubernetes API's schemas.

type ModelClass = new (data: object) => { validate(): void };

/** kubernetes-models' model for apiVersion/kind: `apps/v1` → kubernetes-models/apps/v1. */
async function model(apiVersion: string, kind: string): Promise<ModelClass> {
  const mod = (await import(`kubernetes-models/${apiVersion}`)) as Record<string, ModelClass | undefined>;
  const cls = mod[kind];
  assert.ok(cls !== undefined, `kubernetes-models has no ${apiVersion} ${kind}`);
  return cls;
}

/** The schema errors of kubernetes-models' validator, as strings ('' when valid). */
async function schemaErrors(o: Obj): Promise<string> {
  const Cls = await model(str(o, 'apiVersion'), str(o, 'kind'));
  try {
    new Cls(structuredClone(o)).validate();
    return '';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

interface Attribute { readonly baseName: string; readonly type: string }
const MODELS = k8s as unknown as Record<string, { getAttributeTypeMap?: () => Attribute[] } | undefined>;

/** Paths of fields the API does not define, walking client-node's generated models. */
function unknownFields(value: Json | undefined, type: string, path: string, out: string[] = []): string[] {
  if (value === null || value === undefined) return out;
  const list = /^Array<(.+)>$/.exec(type);
  if (list !== null) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, list[1]!, `${path}[${i}]`, out));
    return out;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map !== null) {
    if (isObj(value)) for (const [k, v] of Object.entries(value)) unknownFields(v, map[1]!, `${path}[${JSON.stringify(k)}]`, out);
    return out;
  }
  const attributes = MODELS[type]?.getAttributeTypeMap?.();
  if (attributes === undefined || !isObj(value)) return out; // a scalar type (string, IntOrString…): the schema validator checks it
  for (const [k, v] of Object.entries(value)) {
    const a = attributes.find((x) => x.baseName === k);
    if (a === undefined) out.push(`${path}.${k}`);
    else unknownFields(v, a.type, `${path}.${k}`, out);
  }
  return out;
}

function strictErrors(o: Obj): string[] {
  const version = str(o, 'apiVersion').split('/').pop()!;
  const type = `${version.charAt(0).toUpperCase()}${version.slice(1)}${str(o, 'kind')}`;
  assert.ok(MODELS[type]?.getAttributeTypeMap !== undefined, `@kubernetes/client-node has no model ${type}`);
  return unknownFields(o, type, str(o, 'kind'));
}

// ---------------------------------------------------------------------------------------------
// Corefiles.

function directives(block: ServerBlock, name: string): Directive[] {
  return block.directives.filter((d) => d.name === name);
}
/** The port of a plugin's `[HOST]:PORT` argument, or its default. */
function listenPort(d: Directive | undefined, fallback: number): number {
  const address = d?.args[0];
  if (address === undefined) return fallback;
  const m = /:(\d+)$/.exec(address);
  assert.ok(m !== null, `${d!.name} ${address}: no port`);
  return Number(m[1]);
}
function listenHost(d: Directive): string {
  return (d.args[0] ?? '').replace(/:\d+$/, '');
}

/** `podns validate FILE` on the text: its exit status, stdout and stderr. */
function podnsValidate(text: string, name: string): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'podns-deploy-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  const r = spawnSync(process.execPath, [CLI, 'validate', file], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** NodeLocal DNSCache's ConfigMap template, kubernetes cluster/addons/dns/nodelocaldns/nodelocaldns.yaml. */
const NODELOCALDNS_TEMPLATE = `__PILLAR__DNS__DOMAIN__:53 {
    errors
    cache {
            success 9984 30
            denial 9984 5
    }
    reload
    loop
    bind __PILLAR__LOCAL__DNS__ __PILLAR__DNS__SERVER__
    forward . __PILLAR__CLUSTER__DNS__ {
            force_tcp
    }
    prometheus :9253
    health __PILLAR__LOCAL__DNS__:8080
    }
in-addr.arpa:53 {
    errors
    cache 30
    reload
    loop
    bind __PILLAR__LOCAL__DNS__ __PILLAR__DNS__SERVER__
    forward . __PILLAR__CLUSTER__DNS__ {
            force_tcp
    }
    prometheus :9253
    }
ip6.arpa:53 {
    errors
    cache 30
    reload
    loop
    bind __PILLAR__LOCAL__DNS__ __PILLAR__DNS__SERVER__
    forward . __PILLAR__CLUSTER__DNS__ {
            force_tcp
    }
    prometheus :9253
    }
.:53 {
    errors
    cache 30
    reload
    loop
    bind __PILLAR__LOCAL__DNS__ __PILLAR__DNS__SERVER__
    forward . __PILLAR__UPSTREAM__SERVERS__
    prometheus :9253
    }
`;

// ---------------------------------------------------------------------------------------------
// Pod specs.

/** The container's security context with the pod's as defaults, as the kubelet applies them. */
function effectiveSecurity(podSpec: Obj, container: Obj): Obj {
  const pod = isObj(podSpec.securityContext) ? podSpec.securityContext : {};
  const own = isObj(container.securityContext) ? container.securityContext : {};
  const out: Obj = {};
  for (const k of ['runAsNonRoot', 'runAsUser', 'runAsGroup', 'seccompProfile', 'seLinuxOptions', 'appArmorProfile']) {
    const v = own[k] ?? pod[k];
    if (v !== undefined) out[k] = v;
  }
  for (const k of ['allowPrivilegeEscalation', 'readOnlyRootFilesystem', 'capabilities', 'privileged']) if (own[k] !== undefined) out[k] = own[k]!;
  return out;
}

/** The file a container reads at `path`: [configMap name, key] through its volume mounts. */
function configMapFile(podSpec: Obj, container: Obj, path: string): [string, string] {
  for (const m of objs(container, 'volumeMounts')) {
    const mountPath = str(m, 'mountPath');
    if (!path.startsWith(`${mountPath}/`)) continue;
    const volume = objs(podSpec, 'volumes').find((v) => v.name === m.name);
    assert.ok(volume !== undefined, `volume ${String(m.name)}`);
    const cm = obj(volume, 'configMap');
    const rest = path.slice(mountPath.length + 1);
    const item = objs(cm, 'items').find((i) => i.path === rest);
    assert.ok(item !== undefined, `${path}: no item of configMap ${String(cm.name)} is mounted there`);
    return [str(cm, 'name'), str(item, 'key')];
  }
  assert.fail(`${path}: not under any volume mount`);
}

function portNamed(container: Obj, name: string): Obj {
  const p = objs(container, 'ports').find((x) => x.name === name);
  assert.ok(p !== undefined, `container port ${name}`);
  return p;
}

/** Rules as a comparable set: "group resource verb" lines, sorted. */
function ruleLines(role: Obj): string[] {
  const out: string[] = [];
  for (const r of objs(role, 'rules')) {
    assert.equal(r.resourceNames, undefined);
    assert.equal(r.nonResourceURLs, undefined);
    for (const g of strs(r, 'apiGroups')) for (const res of strs(r, 'resources')) for (const v of strs(r, 'verbs')) out.push(`${g} ${res} ${v}`);
  }
  return out.sort();
}

// ---------------------------------------------------------------------------------------------

const main = build(DEPLOY);
const nodecache = build(join(DEPLOY, 'nodecache'));

describe('deploy/: the kustomizations', () => {
  test('every YAML file under deploy/ is part of a kustomization, once', () => {
    const all: string[] = [];
    const walk = (dir: string): void => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.ya?ml$/.test(f)) all.push(p);
      }
    };
    walk(DEPLOY);
    const used = [...main.files, ...nodecache.files];
    assert.deepEqual(all.filter((f) => !used.includes(f)).map((f) => relative(ROOT, f)), []);
    assert.deepEqual(used.filter((f, i) => used.indexOf(f) !== i).map((f) => relative(ROOT, f)), []);
  });

  for (const [name, built] of [['deploy/', main], ['deploy/nodecache/', nodecache]] as const) {
    test(`${name}: every object is valid against the Kubernetes OpenAPI schemas, with no unknown field`, async () => {
      assert.ok(built.objects.length > 0);
      const problems: string[] = [];
      for (const o of built.objects) {
        const id = `${str(o, 'kind')} ${str(o, 'metadata.name')}`;
        const schema = await schemaErrors(o);
        if (schema !== '') problems.push(`${id}: ${schema}`);
        for (const f of strictErrors(o)) problems.push(`${id}: unknown field ${f}`);
        if (!CLUSTER_SCOPED.has(str(o, 'kind'))) assert.equal(at(o, 'metadata.namespace'), 'kube-system', id);
      }
      assert.deepEqual(problems, []);
    });

    test(`${name}: the image is podns, set by images: to package.json's version`, () => {
      const images = objs(built.kustomization, 'images');
      assert.equal(images.length, 1);
      const [image] = images;
      assert.equal(image!.name, 'podns');
      assert.equal(image!.newTag, PACKAGE.version);
      const podnsImages = built.objects.flatMap((o) => containerLists(o)).flat().map((c) => str(c, 'image')).filter((i) => !i.startsWith('registry.k8s.io/'));
      assert.ok(podnsImages.length > 0);
      for (const i of podnsImages) assert.equal(i, `${str(image, 'newName')}:${PACKAGE.version}`);
    });
  }

  test('the validators catch a broken manifest (an unknown field, a wrong type, a missing field)', async () => {
    const deployment = structuredClone(find(main.objects, 'Deployment', 'podns'));
    const container = objs(deployment, 'spec.template.spec.containers')[0]!;
    container.readinesProbe = { httpGet: { path: '/ready', port: 8181 } };
    assert.deepEqual(strictErrors(deployment), ['Deployment.spec.template.spec.containers[0].readinesProbe']);
    objs(container, 'ports')[0]!.containerPort = '53';
    assert.match(await schemaErrors(deployment), /containerPort must be integer/);
    const service = structuredClone(find(main.objects, 'Service', 'kube-dns'));
    delete objs(service, 'spec.ports')[0]!.port;
    assert.match(await schemaErrors(service), /ports\/0 must have required property '?port'?/);
  });
});

describe('deploy/: podns in place of CoreDNS', () => {
  let deployment!: Obj;
  let podSpec!: Obj;
  let podLabels!: Record<string, string>;
  let containers!: Obj[];
  let container!: Obj;
  let args!: string[];
  let cmName!: string;
  let corefile!: string;
  let blocks!: readonly ServerBlock[];
  before(() => {
    deployment = find(main.objects, 'Deployment', 'podns');
    podSpec = obj(deployment, 'spec.template.spec');
    podLabels = labels(deployment, 'spec.template.metadata.labels');
    containers = objs(podSpec, 'containers');
    container = containers[0]!;
    args = strs(container, 'args');
    let cmKey: string;
    [cmName, cmKey] = configMapFile(podSpec, container, args[args.indexOf('--conf') + 1] ?? '');
    corefile = str(find(main.objects, 'ConfigMap', cmName), `data.${cmKey}`);
    blocks = parseCorefile(corefile, { file: 'deploy/configmap.yaml' });
  });

  test("the ConfigMap's Corefile is kubeadm's default Corefile, unchanged, and `podns validate` accepts it", () => {
    assert.equal(cmName, 'podns');
    assert.equal(corefile, kubeadmCorefile);
    const r = podnsValidate(corefile, 'Corefile');
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /valid, 1 server block/);
  });

  test('the Deployment: podns serve, 2 replicas, labels and scheduling as CoreDNS', () => {
    assert.equal(containers.length, 1);
    assert.deepEqual(args, ['serve', '--conf', '/etc/podns/Corefile']);
    assert.equal(at(deployment, 'spec.replicas'), 2);
    assert.ok(matches(labels(deployment, 'spec.selector.matchLabels'), podLabels), 'the selector matches the template');
    assert.equal(podLabels['k8s-app'], 'kube-dns', 'the label the kube-dns Service selects');
    assert.deepEqual(labels(deployment, 'spec.selector.matchLabels'), { 'k8s-app': 'kube-dns', 'app.kubernetes.io/name': 'podns' }, "not CoreDNS's selector alone");
    assert.equal(podSpec.priorityClassName, 'system-cluster-critical');
    assert.equal(podSpec.dnsPolicy, 'Default');
    const tolerations = objs(podSpec, 'tolerations');
    assert.ok(tolerations.some((t) => t.key === 'CriticalAddonsOnly' && t.operator === 'Exists'));
    assert.ok(tolerations.some((t) => t.key === 'node-role.kubernetes.io/control-plane' && t.effect === 'NoSchedule'));
    const anti = objs(podSpec, 'affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution');
    assert.equal(at(podSpec, 'affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution'), undefined, 'preferred, not required');
    assert.equal(str(anti[0], 'podAffinityTerm.topologyKey'), 'kubernetes.io/hostname');
    assert.deepEqual(at(anti[0], 'podAffinityTerm.labelSelector.matchExpressions'), [{ key: 'k8s-app', operator: 'In', values: ['kube-dns'] }]);
    assert.equal(deployment.kind, 'Deployment');
    assert.equal(at(deployment, 'apiVersion'), 'apps/v1');
  });

  test("the probes and ports are the Corefile's health, ready, prometheus and DNS listeners", () => {
    assert.equal(blocks.length, 1);
    const block = blocks[0]!;
    assert.equal(block.keys[0]!.port ?? 53, 53);
    const health = listenPort(directives(block, 'health')[0], 8080);
    const ready = listenPort(directives(block, 'ready')[0], 8181);
    const metrics = listenPort(directives(block, 'prometheus')[0], 9153);
    assert.deepEqual([health, ready, metrics], [8080, 8181, 9153]);
    assert.deepEqual(obj(container, 'livenessProbe'), {
      httpGet: { path: '/health', port: health, scheme: 'HTTP' },
      initialDelaySeconds: 60, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 5,
    }, "CoreDNS's liveness probe");
    assert.deepEqual(obj(container, 'readinessProbe'), { httpGet: { path: '/ready', port: ready, scheme: 'HTTP' } });
    assert.deepEqual(objs(container, 'ports').map((p) => `${String(p.name)} ${String(p.containerPort)}/${String(p.protocol)}`),
      ['dns 53/UDP', 'dns-tcp 53/TCP', `metrics ${metrics}/TCP`]);
  });

  test('the kube-dns Service: 10.96.0.10, dns/dns-tcp/metrics to the pod, Prometheus annotations', () => {
    const service = find(main.objects, 'Service', 'kube-dns');
    assert.equal(at(service, 'spec.clusterIP'), '10.96.0.10');
    assert.deepEqual(labels(service, 'spec.selector'), { 'k8s-app': 'kube-dns' }, "kubeadm's selector, so CoreDNS's and podns's pods both serve during a swap");
    assert.ok(matches(labels(service, 'spec.selector'), podLabels));
    const ports = objs(service, 'spec.ports');
    assert.deepEqual(ports.map((p) => `${String(p.name)} ${String(p.port)}/${String(p.protocol)}`), ['dns 53/UDP', 'dns-tcp 53/TCP', 'metrics 9153/TCP']);
    for (const p of ports) {
      const target = p.targetPort ?? p.port;
      const cp = objs(container, 'ports').find((c) => (typeof target === 'string' ? c.name === target : c.containerPort === target) && c.protocol === p.protocol);
      assert.ok(cp !== undefined, `Service port ${String(p.name)} reaches a container port`);
    }
    assert.deepEqual(labels(service, 'metadata.annotations'), { 'prometheus.io/port': String(num(portNamed(container, 'metrics'), 'containerPort')), 'prometheus.io/scrape': 'true' });
  });

  test('RBAC: list and watch, exactly, on what the API source lists and watches; the pod mounts the token it needs', () => {
    const role = find(main.objects, 'ClusterRole', 'system:podns');
    assert.deepEqual(ruleLines(role), [
      ' namespaces list', ' namespaces watch', ' pods list', ' pods watch', ' services list', ' services watch',
      'discovery.k8s.io endpointslices list', 'discovery.k8s.io endpointslices watch',
    ]);
    // What src/cluster/api/source.ts lists and watches (pods with `pods verified`): the same set.
    const used = apiResources(true, undefined, undefined).flatMap((r) => {
      const group = r.apiVersion.includes('/') ? r.apiVersion.split('/')[0]! : '';
      return [`${group} ${r.name} list`, `${group} ${r.name} watch`];
    }).sort();
    assert.deepEqual(ruleLines(role), used);
    const binding = find(main.objects, 'ClusterRoleBinding', 'system:podns');
    assert.deepEqual(obj(binding, 'roleRef'), { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:podns' });
    assert.deepEqual(objs(binding, 'subjects'), [{ kind: 'ServiceAccount', name: 'podns', namespace: 'kube-system' }]);
    assert.equal(podSpec.serviceAccountName, 'podns');
    assert.equal(at(find(main.objects, 'ServiceAccount', 'podns'), 'automountServiceAccountToken'), false, 'no token unless a pod asks');
    assert.equal(podSpec.automountServiceAccountToken, true, 'podns needs it for the API');
  });

  test('the security context: non-root 65532, no escalation, read-only root, only NET_BIND_SERVICE, RuntimeDefault seccomp', () => {
    assert.deepEqual(effectiveSecurity(podSpec, container), {
      runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' },
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
    });
    assert.deepEqual(at(podSpec, 'securityContext.sysctls'), [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '53' }],
      'binding :53 as non-root needs the sysctl (no ambient capabilities) up to the Corefile\'s lowest port');
    assert.equal(at(podSpec, 'hostNetwork'), undefined);
    for (const m of objs(container, 'volumeMounts')) assert.equal(m.readOnly, true);
  });

  test('resources: requests and a memory limit, with the V8 heap cap below the limit', () => {
    const mib = (q: string): number => {
      const m = /^(\d+)(Mi|Gi)$/.exec(q);
      assert.ok(m !== null, `${q}: expected Mi or Gi`);
      return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
    };
    const request = mib(str(container, 'resources.requests.memory'));
    const limit = mib(str(container, 'resources.limits.memory'));
    assert.ok(request <= limit);
    assert.equal(str(container, 'resources.requests.cpu'), '100m');
    const nodeOptions = objs(container, 'env').find((e) => e.name === 'NODE_OPTIONS');
    const heap = /--max-old-space-size=(\d+)/.exec(str(nodeOptions, 'value'));
    assert.ok(heap !== null);
    assert.ok(Number(heap[1]) <= limit * 0.7, `old space ${heap[1]} MiB leaves room under the ${limit} MiB limit`);
  });

  test('the PodDisruptionBudget keeps all but one podns pod, and selects only podns', () => {
    const pdb = find(main.objects, 'PodDisruptionBudget', 'podns');
    assert.ok(at(pdb, 'spec.maxUnavailable') === 1 || at(pdb, 'spec.minAvailable') === 1);
    assert.deepEqual(labels(pdb, 'spec.selector.matchLabels'), labels(deployment, 'spec.selector.matchLabels'));
  });

  test("the cluster-proportional-autoscaler: the dns-horizontal-autoscaler's linear parameters, aimed at podns", () => {
    const autoscaler = find(main.objects, 'Deployment', 'podns-autoscaler');
    const spec = obj(autoscaler, 'spec.template.spec');
    const [c] = objs(spec, 'containers');
    const command = strs(c, 'command');
    const flag = (name: string): string => {
      const f = command.find((a) => a.startsWith(`--${name}=`));
      assert.ok(f !== undefined, `--${name}`);
      return f.slice(name.length + 3);
    };
    const params = { coresPerReplica: 256, nodesPerReplica: 16, min: 2, preventSinglePointFailure: true };
    const cm = find(main.objects, 'ConfigMap', flag('configmap'));
    assert.deepEqual(JSON.parse(str(cm, 'data.linear')), params);
    assert.deepEqual(JSON.parse(flag('default-params')), { linear: params });
    assert.equal(flag('target'), `Deployment/${str(deployment, 'metadata.name')}`);
    assert.equal(flag('namespace'), 'kube-system');
    assert.equal(command[0], '/cluster-proportional-autoscaler');
    assert.equal(spec.priorityClassName, 'system-cluster-critical');
    const role = find(main.objects, 'ClusterRole', 'system:podns-autoscaler');
    assert.deepEqual(ruleLines(role), [
      ' configmaps create', ' configmaps get', ' nodes list', ' nodes watch',
      ' replicationcontrollers/scale get', ' replicationcontrollers/scale update',
      'apps deployments/scale get', 'apps deployments/scale update', 'apps replicasets/scale get', 'apps replicasets/scale update',
    ]);
    const binding = find(main.objects, 'ClusterRoleBinding', 'system:podns-autoscaler');
    assert.equal(at(binding, 'roleRef.name'), 'system:podns-autoscaler');
    assert.deepEqual(objs(binding, 'subjects'), [{ kind: 'ServiceAccount', name: str(spec, 'serviceAccountName'), namespace: 'kube-system' }]);
    find(main.objects, 'ServiceAccount', str(spec, 'serviceAccountName'));
    assert.deepEqual(effectiveSecurity(spec, c!), {
      runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' },
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
    });
  });
});

describe('deploy/nodecache/: node-local-dns with podns nodecache', () => {
  let daemonset!: Obj;
  let podSpec!: Obj;
  let container!: Obj;
  let args!: string[];
  let conf!: string | undefined;
  let config!: NodeCacheConfig;
  let localIps!: readonly string[];
  let template!: string;
  let upstream!: Obj;
  let clusterDnsService!: Obj;
  let filled!: string;
  let blocks!: readonly ServerBlock[];
  before(() => {
    daemonset = find(nodecache.objects, 'DaemonSet', 'node-local-dns');
    podSpec = obj(daemonset, 'spec.template.spec');
    container = objs(podSpec, 'containers')[0]!;
    args = strs(container, 'args');
    // Parsed as `podns nodecache` parses its command line (src/cli/main.ts, src/nodecache/options.ts).
    const { values } = parseArgs({
      args: expandBooleanFlags(args.slice(1)),
      options: { conf: { type: 'string' }, manifests: { type: 'string', multiple: true }, 'dns.port': { type: 'string' }, ...NODECACHE_FLAGS },
      strict: true,
    });
    conf = values.conf;
    config = nodeCacheConfig(values);
    localIps = config.network.localIps;
    const [cmName, cmKey] = configMapFile(podSpec, container, conf ?? '');
    template = str(find(nodecache.objects, 'ConfigMap', cmName), `data.${cmKey}`);
    upstream = find(nodecache.objects, 'Service', config.upstreamService);
    clusterDnsService = find(main.objects, 'Service', 'kube-dns');
    // The pod's environment as the kubelet sets it: the upstream Service's ClusterIP (any address).
    filled = substitutePillars(template, 'deploy/nodecache/configmap.yaml', pillarValues(localIps, config.upstreamService, { [serviceHostVariable(config.upstreamService)]: '10.96.0.53' }));
    blocks = parseCorefile(filled, { file: 'deploy/nodecache/configmap.yaml' });
  });

  test('args: podns nodecache --localip 169.254.20.10,10.96.0.10 --conf /etc/coredns/Corefile, the upstream Service named', () => {
    assert.equal(args[0], 'nodecache');
    assert.deepEqual(localIps, ['169.254.20.10', '10.96.0.10']);
    assert.equal(conf, '/etc/coredns/Corefile');
    assert.equal(localIps[1], str(clusterDnsService, 'spec.clusterIP'), 'the cache takes over the kube-dns ClusterIP');
    assert.notEqual(config.upstreamService, 'kube-dns', "kube-dns's IP is held by the cache itself: misses would loop");
    assert.ok(config.network.setupInterface && config.network.setupIptables && !config.skipTeardown);
  });

  test("the ConfigMap is NodeLocal DNSCache's Corefile with the install-time placeholders filled, and podns validates it filled", () => {
    const sed = NODELOCALDNS_TEMPLATE.replaceAll('__PILLAR__DNS__DOMAIN__', 'cluster.local')
      .replaceAll('__PILLAR__LOCAL__DNS__', '169.254.20.10').replaceAll('__PILLAR__DNS__SERVER__', '10.96.0.10');
    assert.equal(template, sed);
    assert.deepEqual([...new Set(template.match(/__PILLAR__[A-Z_]+?__(?=\W)/g))].sort(), [CLUSTER_DNS, UPSTREAM_SERVERS].sort(), 'only what the pod fills is left');
    const r = podnsValidate(filled, 'Corefile');
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /valid, 4 server blocks/);
  });

  test("every server block binds exactly --localip; health, probe and metrics ports agree", () => {
    assert.equal(blocks.length, 4);
    for (const b of blocks) {
      const bind = directives(b, 'bind');
      assert.equal(bind.length, 1, b.keys[0]!.raw);
      assert.deepEqual([...bind[0]!.args].sort(), [...localIps].sort(), `${b.keys[0]!.raw}: bind`);
      assert.equal(b.keys[0]!.port ?? 53, config.network.dnsPort);
      assert.equal(listenPort(directives(b, 'prometheus')[0], 9153), num(portNamed(container, 'metrics'), 'containerPort'));
    }
    const health = blocks.flatMap((b) => directives(b, 'health'));
    assert.equal(health.length, 1);
    assert.equal(listenHost(health[0]!), localIps[0]);
    assert.equal(listenPort(health[0], 8080), config.network.healthPort);
    assert.deepEqual(obj(container, 'livenessProbe.httpGet'), { host: localIps[0]!, path: '/health', port: config.network.healthPort });
    assert.equal(labels(daemonset, 'spec.template.metadata.annotations')['prometheus.io/port'], String(num(portNamed(container, 'metrics'), 'containerPort')));
    assert.deepEqual(objs(container, 'ports').map((p) => `${String(p.name)} ${String(p.containerPort)}/${String(p.protocol)}`), ['dns 53/UDP', 'dns-tcp 53/TCP', 'metrics 9253/TCP']);
  });

  test('kube-dns-upstream reaches the cluster DNS pods; the pod is on the host network with NET_ADMIN, no token', () => {
    assert.equal(config.upstreamService, 'kube-dns-upstream');
    const podnsPods = labels(find(main.objects, 'Deployment', 'podns'), 'spec.template.metadata.labels');
    assert.ok(matches(labels(upstream, 'spec.selector'), podnsPods));
    assert.equal(at(upstream, 'spec.clusterIP'), undefined, 'a ClusterIP allocated by the cluster');
    assert.deepEqual(objs(upstream, 'spec.ports').map((p) => `${String(p.name)} ${String(p.port)}/${String(p.protocol)}`), ['dns 53/UDP', 'dns-tcp 53/TCP']);
    assert.equal(podSpec.hostNetwork, true);
    assert.equal(podSpec.dnsPolicy, 'Default');
    assert.equal(podSpec.priorityClassName, 'system-node-critical');
    assert.equal(podSpec.automountServiceAccountToken, false);
    find(nodecache.objects, 'ServiceAccount', str(podSpec, 'serviceAccountName'));
    const security = effectiveSecurity(podSpec, container);
    assert.equal(security.runAsUser, 0, 'capabilities are granted to root only');
    assert.equal(security.allowPrivilegeEscalation, false);
    assert.equal(security.readOnlyRootFilesystem, true);
    assert.deepEqual(at(security, 'seccompProfile'), { type: 'RuntimeDefault' });
    assert.deepEqual(at(security, 'capabilities.drop'), ['ALL']);
    assert.deepEqual([...strs(security, 'capabilities.add')].sort(), ['NET_ADMIN', 'NET_BIND_SERVICE', 'NET_RAW']);
    const lock = objs(container, 'volumeMounts').find((m) => m.mountPath === '/run/xtables.lock');
    assert.ok(lock !== undefined, 'the xtables lock shared with kube-proxy');
    assert.deepEqual(at(objs(podSpec, 'volumes').find((v) => v.name === lock.name), 'hostPath'), { path: '/run/xtables.lock', type: 'FileOrCreate' });
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  /** Instructions with continuation lines joined: [keyword, rest]. */
  const instructions = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => { const m = /^(\S+)\s+(.*)$/.exec(l); assert.ok(m !== null, l); return [m[1]!.toUpperCase(), m[2]!] as const; });
  const stages: Array<Array<readonly [string, string]>> = [];
  for (const i of instructions) {
    if (i[0] === 'FROM') stages.push([]);
    stages.at(-1)?.push(i);
  }

  test('dockerfile-utils finds nothing to report, every check as an error', () => {
    const all = ValidationSeverity.ERROR;
    const diagnostics = lintDockerfile(text, {
      deprecatedMaintainer: all, directiveCasing: all, emptyContinuationLine: all, instructionCasing: all,
      instructionCmdMultiple: all, instructionEntrypointMultiple: all, instructionHealthcheckMultiple: all,
      instructionJSONInSingleQuotes: all, instructionWorkdirRelative: all,
    });
    assert.deepEqual(diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`), []);
  });

  test("multi-stage on Node 24 slim (package.json's pinned Node): npm ci, build, prune; non-root runtime", () => {
    const arg = instructions.find(([k, v]) => k === 'ARG' && v.startsWith('NODE_IMAGE='));
    assert.ok(arg !== undefined);
    assert.equal(arg[1], `NODE_IMAGE=node:${PACKAGE.devDependencies.node}-bookworm-slim`);
    assert.match(PACKAGE.devDependencies.node!, /^24\.\d+\.\d+$/);
    assert.equal(stages.length, 2);
    assert.deepEqual(stages.map((s) => s[0]![1]), ['${NODE_IMAGE} AS build', '${NODE_IMAGE} AS runtime']);
    const runs = stages[0]!.filter(([k]) => k === 'RUN').map(([, v]) => v).join(' && ');
    for (const step of ['npm ci', 'npm run build', 'npm prune --omit=dev']) assert.ok(runs.includes(step), step);
    assert.ok(runs.indexOf('npm ci') < runs.indexOf('npm run build') && runs.indexOf('npm run build') < runs.indexOf('npm prune'));
    const runtime = stages[1]!;
    assert.deepEqual(runtime.filter(([k]) => k === 'USER').map(([, v]) => v), ['65532:65532']);
    // The batched-UDP addon: compiled in the build stage, a failed build failing the image.
    assert.ok(/\bgcc\b/.test(runs) && runs.includes('PODNS_REQUIRE_NATIVE=1 npm ci'), 'the addon is built, or the image fails');
    for (const need of ['/app/package.json', '/app/node_modules', '/app/dist', '/app/build']) {
      assert.ok(runtime.some(([k, v]) => k === 'COPY' && v.startsWith('--from=build ') && v.includes(`${need} `)), `COPY --from=build ${need}`);
    }
    assert.ok(runtime.some(([k, v]) => k === 'RUN' && /\biptables\b/.test(v) && /\biproute2\b/.test(v)), 'podns nodecache runs ip and iptables');
  });

  test('ENTRYPOINT runs the package bin with node; CMD is the Deployment\'s args', () => {
    const [entrypoint] = stages[1]!.filter(([k]) => k === 'ENTRYPOINT').map(([, v]) => JSON.parse(v) as unknown);
    const [cmd] = stages[1]!.filter(([k]) => k === 'CMD').map(([, v]) => JSON.parse(v) as unknown);
    assert.deepEqual(entrypoint, ['node', '/app/dist/cli/main.js']);
    assert.equal(join('/app', PACKAGE.bin.podns!), '/app/dist/cli/main.js');
    assert.deepEqual(cmd, ['serve', '--conf', '/etc/podns/Corefile']);
    const deployment = find(main.objects, 'Deployment', 'podns');
    assert.deepEqual(cmd, strs(deployment, 'spec.template.spec.containers.0.args'));
  });

  test('.dockerignore lets in what the build stage copies, and nothing else', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    assert.equal(ignore[0], '*');
    const copied = stages[0]!.filter(([k]) => k === 'COPY').flatMap(([, v]) => v.split(/\s+/).slice(0, -1));
    for (const c of copied) assert.ok(ignore.includes(`!${c}`) || ignore.includes(`!${c}/`), `${c} is excluded from the build context`);
  });
});

