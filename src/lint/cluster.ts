/**
 * The cluster as lint sees it, built from the objects of the manifests (source.ts):
 *
 * - workloads: Pods and the pod templates of Deployments, StatefulSets, DaemonSets, ReplicaSets,
 *   ReplicationControllers, Jobs and CronJobs (`spec.jobTemplate.spec.template`), each read with
 *   podconf's readPod (the API server's decoding and defaulting) and kept with its labels, its
 *   containers' strings and the path of its pod spec. A Pod or ReplicaSet or Job whose controller
 *   (ownerReferences, controller: true) is in the manifests too is `owned`: the pod-spec rules
 *   report its controller instead of every copy;
 * - services, pods (labels, IPs, readiness), EndpointSlices (real ones and legacy Endpoints
 *   mirrored, with only their ready endpoints) through cluster/convert, the same conversion
 *   `podns serve --manifests` uses, so an object it refuses is a `manifest-invalid` finding here;
 * - the names (namespaces, services) and the current addresses (Pod, Service, endpoint, Node IPs).
 */
import { assemble, convertDocument, ConvertError } from '../cluster/convert.ts';
import type { ApiItem } from '../cluster/convert.ts';
import type { EndpointSlice, Service } from '../cluster/model.ts';
import { canonicalIP } from '../dns/ip.ts';
import { DecodeError, readPod } from '../podconf/index.ts';
import type { Pod as PodconfPod } from '../podconf/index.ts';
import type { NameContext } from './names.ts';
import type { Path, SourceObject } from './source.ts';
import { groupOf } from './source.ts';
import type { Finding, ObjectRef } from './types.ts';
import { describeRef, parsePath } from './types.ts';

type Obj = Readonly<Record<string, unknown>>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function at(o: unknown, path: Path): unknown {
  let v = o;
  for (const seg of path) {
    if (typeof seg === 'number') v = Array.isArray(v) ? v[seg] : undefined;
    else v = isObj(v) ? v[seg] : undefined;
  }
  return v;
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObj(v)) for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

/** A string of a container (or a ConfigMap value it reads) that may name hosts. */
export interface TextField {
  readonly text: string;
  /** The field's path in the object (for a ConfigMap value: the env/envFrom entry that reads it). */
  readonly path: Path;
  /** For messages: `env API_URL of container app`, `args[1] of container app`. */
  readonly where: string;
  /** Whether `text` is the field's own value (offsets in it are offsets in the field). */
  readonly own: boolean;
  /** The environment variable it is the value of, if any. */
  readonly env?: string;
}

export interface Workload {
  readonly ref: ObjectRef;
  readonly source: SourceObject;
  /** Path of the pod spec in the object: ['spec'] for a Pod, ['spec', 'template', 'spec'] for a Deployment… */
  readonly specPath: Path;
  /** The pod as the API server reads it (dnsPolicy defaulted). */
  readonly pod: PodconfPod;
  /** The pod's (template's) labels. */
  readonly labels: Readonly<Record<string, string>>;
  readonly texts: readonly TextField[];
  /** A controller of this object is in the manifests too. */
  readonly owned: boolean;
}

export interface ServiceInfo {
  readonly ref: ObjectRef;
  readonly source: SourceObject;
  readonly service: Service;
  /** spec.selector; empty when none. */
  readonly selector: Readonly<Record<string, string>>;
  readonly publishNotReadyAddresses: boolean;
}

export interface PodInfo {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Succeeded, Failed or being deleted: no longer a pod of any Service. */
  readonly gone: boolean;
  /** Ready condition True → true, status without it → false, no status at all (a hand-written pod) → null. */
  readonly ready: boolean | null;
}

export interface LintCluster {
  readonly workloads: readonly Workload[];
  readonly services: readonly ServiceInfo[];
  readonly pods: readonly PodInfo[];
  /** Every EndpointSlice (mirrored ones included) with its ready endpoints, by `ns/service`. */
  readonly slices: ReadonlyMap<string, readonly EndpointSlice[]>;
  /** Current addresses: Pod IPs, Service cluster/external/load-balancer IPs, endpoint and Node addresses (canonical text). */
  readonly currentIPs: ReadonlySet<string>;
  /** Service cluster IPs and non-hostNetwork Pod IPs: where the cluster's own ranges are. */
  readonly clusterIPs: readonly string[];
  /** `ns/name` → data, for env values read from ConfigMaps. */
  readonly configMaps: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly names: NameContext;
  readonly findings: readonly Finding[];
}

/** Kinds with a pod template, by API group, and where the template is. */
const TEMPLATES: Readonly<Record<string, { groups: readonly string[]; template: Path }>> = {
  Deployment: { groups: ['apps', 'extensions'], template: ['spec', 'template'] },
  StatefulSet: { groups: ['apps'], template: ['spec', 'template'] },
  DaemonSet: { groups: ['apps', 'extensions'], template: ['spec', 'template'] },
  ReplicaSet: { groups: ['apps', 'extensions'], template: ['spec', 'template'] },
  ReplicationController: { groups: [''], template: ['spec', 'template'] },
  Job: { groups: ['batch'], template: ['spec', 'template'] },
  CronJob: { groups: ['batch'], template: ['spec', 'jobTemplate', 'spec', 'template'] },
};

const CLUSTER_SCOPED = new Set(['Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'CustomResourceDefinition', 'PriorityClass', 'IngressClass']);
const BUILTIN_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const GONE_PHASES = new Set(['Succeeded', 'Failed']);

export function refOf(o: SourceObject): ObjectRef {
  return { kind: o.kind, namespace: CLUSTER_SCOPED.has(o.kind) ? '' : (o.namespace || 'default'), name: o.name };
}

function invalid(o: SourceObject, line: number, message: string): Finding {
  return { rule: 'manifest-invalid', severity: 'error', file: o.file, line, object: refOf(o), field: null, message };
}

/** The strings of a pod spec's containers that can name hosts, with the ConfigMap values they read. */
function containerTexts(spec: Obj, specPath: Path, namespace: string, configMaps: ReadonlyMap<string, Readonly<Record<string, string>>>): TextField[] {
  const out: TextField[] = [];
  for (const list of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    containers.forEach((c: unknown, ci) => {
      if (!isObj(c)) return;
      const cname = typeof c['name'] === 'string' ? c['name'] : `${list}[${ci}]`;
      const base: Path = [...specPath, list, ci];
      const of = `of ${list === 'containers' ? 'container' : list === 'initContainers' ? 'init container' : 'ephemeral container'} ${cname}`;
      const strings = (v: unknown, path: Path, label: string): void => {
        if (!Array.isArray(v)) return;
        v.forEach((s, i) => { if (typeof s === 'string') out.push({ text: s, path: [...base, ...path, i], where: `${label}[${i}] ${of}`, own: true }); });
      };
      strings(c['command'], ['command'], 'command');
      strings(c['args'], ['args'], 'args');
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        strings(at(c, [probe, 'exec', 'command']), [probe, 'exec', 'command'], `${probe}.exec.command`);
      }
      for (const hook of ['postStart', 'preStop'] as const) {
        strings(at(c, ['lifecycle', hook, 'exec', 'command']), ['lifecycle', hook, 'exec', 'command'], `lifecycle.${hook}.exec.command`);
      }
      const env = c['env'];
      if (Array.isArray(env)) {
        env.forEach((e: unknown, ei) => {
          if (!isObj(e)) return;
          const name = typeof e['name'] === 'string' ? e['name'] : `env[${ei}]`;
          if (typeof e['value'] === 'string') out.push({ text: e['value'], path: [...base, 'env', ei, 'value'], where: `env ${name} ${of}`, own: true, env: name });
          const ref = at(e, ['valueFrom', 'configMapKeyRef']);
          if (isObj(ref) && typeof ref['name'] === 'string' && typeof ref['key'] === 'string') {
            const value = configMaps.get(`${namespace}/${ref['name']}`)?.[ref['key']];
            if (value !== undefined) out.push({ text: value, path: [...base, 'env', ei], where: `env ${name} ${of}, from ConfigMap ${ref['name']} key ${ref['key']}`, own: false, env: name });
          }
        });
      }
      const envFrom = c['envFrom'];
      if (Array.isArray(envFrom)) {
        envFrom.forEach((e: unknown, ei) => {
          const cmName = at(e, ['configMapRef', 'name']);
          if (typeof cmName !== 'string') return;
          const prefix = typeof at(e, ['prefix']) === 'string' ? at(e, ['prefix']) as string : '';
          for (const [key, value] of Object.entries(configMaps.get(`${namespace}/${cmName}`) ?? {})) {
            out.push({ text: value, path: [...base, 'envFrom', ei], where: `env ${prefix}${key} ${of}, from ConfigMap ${cmName} (envFrom)`, own: false, env: `${prefix}${key}` });
          }
        });
      }
    });
  }
  return out;
}

export function buildCluster(objects: readonly SourceObject[], names: { clusterDomain: string }): LintCluster {
  const findings: Finding[] = [];
  const items: ApiItem[] = [];
  const itemSource = new Map<ApiItem, SourceObject>();
  const present = new Set<string>();
  const namespaces = new Set<string>(BUILTIN_NAMESPACES);
  const configMaps = new Map<string, Record<string, string>>();
  const currentIPs = new Set<string>();
  const clusterIPs: string[] = [];
  const addIP = (ip: unknown): void => {
    const c = typeof ip === 'string' ? canonicalIP(ip) : null;
    if (c !== null) currentIPs.add(c);
  };

  for (const o of objects) {
    const ref = refOf(o);
    present.add(`${o.kind}/${ref.namespace}/${o.name}`);
    if (ref.namespace !== '') namespaces.add(ref.namespace);
    if (o.kind === 'Namespace' && groupOf(o) === '') namespaces.add(o.name);
    if (o.kind === 'ConfigMap' && groupOf(o) === '') configMaps.set(`${ref.namespace}/${o.name}`, stringMap(o.raw['data']));
    if (o.kind === 'Node' && groupOf(o) === '') {
      const addresses = at(o.raw, ['status', 'addresses']);
      if (Array.isArray(addresses)) for (const a of addresses) addIP(at(a, ['address']));
    }
    let converted: ApiItem[];
    try {
      converted = convertDocument(o.raw);
    } catch (err) {
      if (!(err instanceof ConvertError)) throw err;
      const own = `${describeRef(refOf(o))}: `;
      const reason = err.message.startsWith(own) ? err.message.slice(own.length) : err.message;
      // The reason starts with the field it is about (`spec.clusterIP: expected an IP address…`).
      const field = /^([a-zA-Z][\w.[\]]*): /.exec(reason)?.[1];
      const path = field === undefined ? null : parsePath(field);
      findings.push({ ...invalid(o, path === null ? o.line : o.lineOf(path), `podns serve --manifests refuses it: ${reason}`), field: field ?? null });
      continue;
    }
    for (const item of converted) { items.push(item); itemSource.set(item, o); }
  }

  // Services and pods from the conversion, with the raw fields DNS's model leaves out.
  const services: ServiceInfo[] = [];
  const pods: PodInfo[] = [];
  for (const item of items) {
    const o = itemSource.get(item)!;
    if (o.kind === 'Service' && item.type === 'object' && item.object.kind === 'Service') {
      const svc = item.object;
      for (const ip of [...svc.clusterIPs, ...svc.externalIPs]) currentIPs.add(ip);
      clusterIPs.push(...svc.clusterIPs);
      services.push({
        ref: refOf(o), source: o, service: svc,
        selector: stringMap(at(o.raw, ['spec', 'selector'])),
        publishNotReadyAddresses: at(o.raw, ['spec', 'publishNotReadyAddresses']) === true,
      });
    }
    if (o.kind === 'Pod' && (item.type === 'object' || item.type === 'dropped')) {
      const status = o.raw['status'];
      const conditions = at(status, ['conditions']);
      let ready: boolean | null = null;
      if (isObj(status)) {
        ready = Array.isArray(conditions) && conditions.some((c) => at(c, ['type']) === 'Ready' && at(c, ['status']) === 'True');
      }
      const gone = item.type === 'dropped' || GONE_PHASES.has(String(at(status, ['phase']) ?? ''));
      if (item.type === 'object' && item.object.kind === 'Pod') {
        for (const ip of item.object.ips) currentIPs.add(ip);
        if (!item.object.hostNetwork) clusterIPs.push(...item.object.ips);
      }
      pods.push({ namespace: item.namespace, name: o.name, labels: stringMap(at(o.raw, ['metadata', 'labels'])), gone, ready });
    }
  }
  const slices = new Map<string, EndpointSlice[]>();
  for (const obj of assemble(items, { implicitNamespaces: true })) {
    if (obj.kind !== 'EndpointSlice') continue;
    for (const ip of obj.ips) currentIPs.add(ip);
    const key = `${obj.namespace}/${obj.service}`;
    slices.set(key, [...(slices.get(key) ?? []), obj]);
  }

  // Workloads.
  const workloads: Workload[] = [];
  for (const o of objects) {
    const ref = refOf(o);
    let templatePath: Path;
    if (o.kind === 'Pod' && groupOf(o) === '') templatePath = [];
    else if (Object.hasOwn(TEMPLATES, o.kind) && TEMPLATES[o.kind]!.groups.includes(groupOf(o))) templatePath = TEMPLATES[o.kind]!.template;
    else continue;
    const template = templatePath.length === 0 ? o.raw : at(o.raw, templatePath);
    if (template === undefined || template === null) continue;
    const specPath: Path = [...templatePath, 'spec'];
    let pod: PodconfPod;
    try {
      const meta = templatePath.length === 0 ? o.raw['metadata'] : { name: o.name, namespace: ref.namespace };
      pod = readPod({ kind: 'Pod', apiVersion: 'v1', metadata: meta, spec: at(template, ['spec']) ?? {}, status: templatePath.length === 0 ? o.raw['status'] : undefined });
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      findings.push(invalid(o, o.lineOf(templatePath), templatePath.length === 0 ? err.message : `its pod template (${templatePath.join('.')}): ${err.message}`));
      continue;
    }
    const owners = at(o.raw, ['metadata', 'ownerReferences']);
    const owned = Array.isArray(owners) && owners.some((r) => at(r, ['controller']) === true
      && present.has(`${String(at(r, ['kind']))}/${ref.namespace}/${String(at(r, ['name']))}`));
    const spec = at(template, ['spec']);
    workloads.push({
      ref, source: o, specPath, pod,
      labels: stringMap(at(template, ['metadata', 'labels'])),
      texts: isObj(spec) ? containerTexts(spec, specPath, ref.namespace, configMaps) : [],
      owned,
    });
  }

  return {
    workloads, services, pods, slices, currentIPs, clusterIPs, configMaps, findings,
    names: {
      clusterDomain: names.clusterDomain,
      namespaces,
      services: new Set(services.map((s) => `${s.service.namespace}/${s.service.name}`)),
    },
  };
}
