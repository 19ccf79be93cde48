/**
 * Kubernetes API objects → the slim cluster model (model.ts). This is the ONLY file that knows API
 * object shapes; every source (manifest files, the API watch) goes through it.
 *
 * Two stages:
 *  1. convertDocument(doc): one parsed document (an object, a `kind: List` or a typed `*List`) →
 *     ApiItems. Validates the kinds DNS cares about (v1 Namespace, Service, Pod, Endpoints;
 *     discovery.k8s.io/v1 EndpointSlice) and throws ConvertError on a malformed one; every other
 *     kind (Deployment, ConfigMap, a Knative `Service` of another API group…) is ignored silently.
 *     Rules applied here (spec A.8, B.1): endpoints with `conditions.ready: false` are dropped
 *     (unset/null = ready); FQDN slices are dropped; pods in phase Succeeded/Failed/Unknown or with
 *     a deletionTimestamp are dropped (CoreDNS's pod watch); IPs are canonicalised.
 *  2. assemble(items, options): the whole-set pass. Applies the `labels` / `namespace_labels`
 *     selectors, mirrors legacy v1 Endpoints into EndpointSlices the way the EndpointSlice
 *     mirroring controller (kubernetes pkg/controller/endpointslicemirroring) would, and adds
 *     implicit namespaces when asked (see assemble).
 * convertAll(docs, options) runs both over a list of documents, collecting per-document errors.
 */
import { createHash } from 'node:crypto';
import { canonicalIP as canonicalText } from '../dns/ip.ts';
import { endpointColumns } from './model.ts';
import type { ClusterObject, Endpoint, EndpointSlice, Namespace, Pod, Port, Service, ServiceType } from './model.ts';
import { matchesSelector } from './selector.ts';
import type { Labels, Selector } from './selector.ts';

/** A malformed object of a kind we convert; the message says which object and which field. */
export class ConvertError extends Error {
  override readonly name = 'ConvertError';
}

/** A legacy v1 Endpoints address, canonicalised. */
export interface LegacyAddress {
  readonly ip: string;
  readonly hostname: string;
  readonly podName: string;
  readonly nodeName: string;
}

export interface LegacySubset {
  readonly addresses: readonly LegacyAddress[];
  readonly notReadyAddresses: readonly LegacyAddress[];
  readonly ports: readonly Port[];
}

/** A v1 Endpoints object that is a candidate for mirroring (skip-mirror ones are already dropped). */
export interface LegacyEndpoints {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly subsets: readonly LegacySubset[];
}

/**
 * One converted API object, before the whole-set pass. `namespace` is the object's namespace
 * ('' for a Namespace); a 'dropped' item is an object of a known kind that yields nothing (a
 * terminating pod, an FQDN slice, a skip-mirror Endpoints) but still shows its namespace is used.
 */
export type ApiItem =
  | { readonly type: 'object'; readonly namespace: string; readonly object: ClusterObject; readonly labels: Labels }
  | { readonly type: 'endpoints'; readonly namespace: string; readonly endpoints: LegacyEndpoints }
  | { readonly type: 'dropped'; readonly namespace: string };

export interface AssembleOptions {
  /** The plugin's `labels` option: filters Services, EndpointSlices (incl. mirrored) and Pods. */
  readonly labels?: Selector | undefined;
  /** The plugin's `namespace_labels` option: only matching Namespace objects are kept. */
  readonly namespaceLabels?: Selector | undefined;
  /**
   * Add the namespaces a real cluster always has (default, kube-system, kube-public,
   * kube-node-lease) and every namespace that a Service, EndpointSlice, Pod or Endpoints of the set
   * lives in. For a folder of manifests: `kubectl apply` of those objects would fail without their
   * namespace, so their presence implies it exists, and developers' manifests often lack the
   * Namespace objects. Ignored when namespaceLabels is set (then only real, matching Namespace
   * objects count). The API watch source leaves this off.
   */
  readonly implicitNamespaces?: boolean | undefined;
}

export interface DocumentError {
  /** 1-based index into the documents given to convertAll. */
  readonly document: number;
  readonly message: string;
}

export const BUILTIN_NAMESPACES: readonly string[] = Object.freeze(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
const LABEL_SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';
const MIRRORING_CONTROLLER = 'endpointslicemirroring-controller.k8s.io';
/** Endpoints carrying this annotation are leader-election locks, never mirrored. */
const ANNOTATION_LEADER = 'control-plane.alpha.kubernetes.io/leader';
/** Mirroring caps: addresses taken per subset, endpoints per mirrored slice. */
const MAX_ENDPOINTS_PER_SUBSET = 1000;
const MAX_ENDPOINTS_PER_SLICE = 1000;

/** The canonical text form of an IP address (dns/ip.ts: RFC 5952), or undefined when `text` is not one. */
export function canonicalIP(text: string): string | undefined {
  return canonicalText(text) ?? undefined;
}

function familyOf(ip: string): 'IPv4' | 'IPv6' {
  return ip.includes(':') ? 'IPv6' : 'IPv4';
}

// ---------------------------------------------------------------------------------------------
// Field readers. `where` is the field path used in error messages.

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return JSON.stringify(v) ?? String(v);
}

class Fields {
  readonly #prefix: string;
  constructor(prefix: string) { this.#prefix = prefix; }

  fail(where: string, message: string): never {
    throw new ConvertError(`${this.#prefix}${where}: ${message}`);
  }
  obj(v: unknown, where: string): Obj | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) this.fail(where, `expected an object, got ${show(v)}`);
    return v;
  }
  arr(v: unknown, where: string): readonly unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(where, `expected a list, got ${show(v)}`);
    return v;
  }
  str(v: unknown, where: string): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(where, `expected a string, got ${show(v)}`);
    return v;
  }
  bool(v: unknown, where: string): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(where, `expected true or false, got ${show(v)}`);
    return v;
  }
  port(v: unknown, where: string): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
      this.fail(where, `expected a port number 1-65535, got ${show(v)}`);
    }
    return v;
  }
  ip(v: unknown, where: string): string {
    const s = this.str(v, where);
    const ip = s === undefined ? undefined : canonicalIP(s);
    if (ip === undefined) this.fail(where, `expected an IP address, got ${show(v)}`);
    return ip;
  }
  labels(v: unknown, where: string): Labels {
    const o = this.obj(v, where);
    if (o === undefined) return {};
    for (const [k, val] of Object.entries(o)) {
      if (typeof val !== 'string') this.fail(`${where}.${k}`, `expected a string, got ${show(val)}`);
    }
    return o as Labels;
  }
  protocol(v: unknown, where: string): string {
    const s = this.str(v, where) ?? 'TCP';
    // The constants, not toLowerCase()'s copy: one string per port otherwise.
    switch (s.toLowerCase()) {
      case 'tcp': return 'tcp';
      case 'udp': return 'udp';
      case 'sctp': return 'sctp';
      default: return this.fail(where, `expected TCP, UDP or SCTP, got ${show(v)}`);
    }
  }
  portName(v: unknown, where: string): string {
    const s = this.str(v, where) ?? '';
    if (s !== '' && !DNS_LABEL_RE.test(s)) this.fail(where, `invalid port name ${show(s)}: must be a lower-case DNS label`);
    return s;
  }
}

const DNS_LABEL_RE = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL_RE = /^(?=.{1,63}$)[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN_RE = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

// ---------------------------------------------------------------------------------------------
// Stage 1: one document → ApiItems.

type KnownKind = 'Namespace' | 'Service' | 'Pod' | 'Endpoints' | 'EndpointSlice';

/** The group a kind must belong to for us to convert it (other groups: a different kind). */
const KNOWN: Readonly<Record<KnownKind, { group: string; version: string }>> = {
  Namespace: { group: '', version: 'v1' },
  Service: { group: '', version: 'v1' },
  Pod: { group: '', version: 'v1' },
  Endpoints: { group: '', version: 'v1' },
  EndpointSlice: { group: 'discovery.k8s.io', version: 'v1' },
};

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function knownKind(kind: string, group: string): KnownKind | undefined {
  return Object.hasOwn(KNOWN, kind) && KNOWN[kind as KnownKind].group === group ? (kind as KnownKind) : undefined;
}

/**
 * Converts one parsed document (an API object, a v1 `List`, or a typed list such as
 * `ServiceList`, flattened recursively) into ApiItems. Throws ConvertError when the document is
 * not an object, lacks apiVersion/kind, or holds a malformed object of a kind we convert.
 */
export function convertDocument(doc: unknown): ApiItem[] {
  const out: ApiItem[] = [];
  collect(doc, undefined, '', out);
  return out;
}

function collect(raw: unknown, defaults: { apiVersion: string; kind: string } | undefined, where: string, out: ApiItem[]): void {
  const at = where === '' ? '' : `${where}: `;
  if (!isObj(raw)) throw new ConvertError(`${at}expected an API object, got ${show(raw)}`);
  const apiVersion = raw['apiVersion'] ?? defaults?.apiVersion;
  const kind = raw['kind'] ?? defaults?.kind;
  if (typeof kind !== 'string' || kind === '') throw new ConvertError(`${at}kind is not set`);
  if (typeof apiVersion !== 'string' || apiVersion === '') throw new ConvertError(`${at}apiVersion is not set`);
  const { group, version } = splitApiVersion(apiVersion);

  if (kind.endsWith('List')) {
    const base = kind.slice(0, -'List'.length);
    let itemDefaults: { apiVersion: string; kind: string } | undefined;
    if (kind === 'List') {
      if (group !== '') return; // not the core v1 List
    } else {
      const known = knownKind(base, group);
      if (known === undefined) return; // a list of something we don't convert
      itemDefaults = { apiVersion, kind: base };
    }
    const items = raw['items'];
    if (items === undefined || items === null) return;
    if (!Array.isArray(items)) throw new ConvertError(`${at}${kind} items: expected a list, got ${show(items)}`);
    items.forEach((item, i) => collect(item, itemDefaults, `${where === '' ? '' : `${where}.`}items[${i}]`, out));
    return;
  }

  const known = knownKind(kind, group);
  if (known === undefined) return;
  const meta = isObj(raw['metadata']) ? raw['metadata'] : undefined;
  const rawName = meta?.['name'];
  const rawNamespace = meta?.['namespace'];
  const ident = known === 'Namespace'
    ? `${kind} ${typeof rawName === 'string' ? rawName : '?'}`
    : `${kind} ${typeof rawNamespace === 'string' && rawNamespace !== '' ? rawNamespace : 'default'}/${typeof rawName === 'string' ? rawName : '?'}`;
  const f = new Fields(`${at}${ident}: `);
  if (version !== KNOWN[known].version) {
    f.fail('apiVersion', `${apiVersion} is not supported (expected ${KNOWN[known].group === '' ? '' : `${KNOWN[known].group}/`}${KNOWN[known].version})`);
  }
  if (raw['metadata'] !== undefined && !isObj(raw['metadata'])) f.fail('metadata', `expected an object, got ${show(raw['metadata'])}`);
  const name = f.str(rawName, 'metadata.name') ?? '';
  if (name === '') f.fail('metadata.name', 'is not set');
  const labels = f.labels(meta?.['labels'], 'metadata.labels');
  if (known === 'Namespace') {
    if (!DNS_LABEL_RE.test(name)) f.fail('metadata.name', `invalid namespace name ${show(name)}: must be a lower-case DNS label`);
    const ns: Namespace = { kind: 'Namespace', name };
    out.push({ type: 'object', namespace: '', object: ns, labels });
    return;
  }
  const namespace = f.str(rawNamespace, 'metadata.namespace') || 'default';
  if (!DNS_LABEL_RE.test(namespace)) f.fail('metadata.namespace', `invalid namespace ${show(namespace)}: must be a lower-case DNS label`);
  const nameRe = known === 'Service' ? DNS1035_LABEL_RE : DNS_SUBDOMAIN_RE;
  if (!nameRe.test(name)) f.fail('metadata.name', `invalid name ${show(name)}: must be a lower-case DNS ${known === 'Service' ? 'label starting with a letter' : 'subdomain'}`);
  switch (known) {
    case 'Service': {
      out.push({ type: 'object', namespace, object: toService(raw, namespace, name, f), labels });
      return;
    }
    case 'EndpointSlice': {
      const slice = toSlice(raw, namespace, name, labels, f);
      out.push(slice === undefined ? { type: 'dropped', namespace } : { type: 'object', namespace, object: slice, labels });
      return;
    }
    case 'Pod': {
      const pod = toPod(raw, meta, namespace, name, f);
      out.push(pod === undefined ? { type: 'dropped', namespace } : { type: 'object', namespace, object: pod, labels });
      return;
    }
    case 'Endpoints': {
      const eps = toLegacyEndpoints(raw, meta, namespace, name, labels, f);
      out.push(eps === undefined ? { type: 'dropped', namespace } : { type: 'endpoints', namespace, endpoints: eps });
      return;
    }
  }
}

const SERVICE_TYPES: readonly ServiceType[] = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];

const NO_STRINGS: readonly string[] = Object.freeze([]);
const NO_PORTS: readonly Port[] = Object.freeze([]);

/**
 * Port lists are shared: most services and slices of a cluster list one of a few (`http/80/tcp`),
 * and one list with its Port objects is ~200 bytes (10k services and 10k slices: ~4 MB). Model
 * objects are immutable, so a list can be anyone's. Emptied when it holds PORT_LISTS lists.
 */
const portLists = new Map<string, readonly Port[]>();
const PORT_LISTS = 4096;

function sharedPorts(ports: readonly Port[]): readonly Port[] {
  if (ports.length === 0) return NO_PORTS;
  let key = '';
  for (const p of ports) key += `${p.name}/${p.port}/${p.protocol},`;
  let shared = portLists.get(key);
  if (shared === undefined) {
    if (portLists.size >= PORT_LISTS) portLists.clear();
    shared = Object.freeze(ports.map((p) => Object.freeze({ name: p.name, port: p.port, protocol: p.protocol })));
    portLists.set(key, shared);
  }
  return shared;
}

function toPorts(raw: unknown, where: string, f: Fields, portOptional: boolean): readonly Port[] {
  const ports: Port[] = [];
  f.arr(raw, where).forEach((p, i) => {
    const w = `${where}[${i}]`;
    const o = f.obj(p, w) ?? f.fail(w, 'expected an object, got null');
    const name = f.portName(o['name'], `${w}.name`);
    const protocol = f.protocol(o['protocol'], `${w}.protocol`);
    // An EndpointSlice port without a number means "all ports": nothing DNS can publish.
    if (portOptional && (o['port'] === undefined || o['port'] === null)) return;
    ports.push({ name, port: f.port(o['port'], `${w}.port`), protocol });
  });
  return sharedPorts(ports);
}

function toService(raw: Obj, namespace: string, name: string, f: Fields): Service {
  const spec = f.obj(raw['spec'], 'spec') ?? {};
  const typeText = f.str(spec['type'], 'spec.type') ?? 'ClusterIP';
  if (!(SERVICE_TYPES as readonly string[]).includes(typeText)) {
    f.fail('spec.type', `expected one of ${SERVICE_TYPES.join(', ')}, got ${show(typeText)}`);
  }
  const type = typeText as ServiceType;
  const listed = f.arr(spec['clusterIPs'], 'spec.clusterIPs').map((v, i) => f.str(v, `spec.clusterIPs[${i}]`) ?? '');
  const single = f.str(spec['clusterIP'], 'spec.clusterIP') ?? '';
  const rawIPs = listed.length > 0 ? listed : single !== '' ? [single] : [];
  if (listed.length > 0 && single !== '' && single !== listed[0]) {
    f.fail('spec.clusterIP', `${show(single)} must equal spec.clusterIPs[0] ${show(listed[0])}`);
  }
  let headless = false;
  let clusterIPs: readonly string[] = NO_STRINGS;
  let externalName = '';
  if (type === 'ExternalName') {
    externalName = f.str(spec['externalName'], 'spec.externalName') ?? '';
    if (externalName === '') f.fail('spec.externalName', 'is required for type ExternalName');
  } else if (rawIPs.length === 0 || rawIPs[0] === 'None') {
    headless = true;
    if (rawIPs.length > 1) f.fail('spec.clusterIPs', '"None" must be the only entry');
  } else {
    clusterIPs = rawIPs.map((ip, i) => f.ip(ip, listed.length > 0 ? `spec.clusterIPs[${i}]` : 'spec.clusterIP'));
    if (clusterIPs.length > 2 || (clusterIPs.length === 2 && familyOf(clusterIPs[0] as string) === familyOf(clusterIPs[1] as string))) {
      f.fail('spec.clusterIPs', 'expected at most one IPv4 and one IPv6 address');
    }
  }
  const ports = toPorts(spec['ports'], 'spec.ports', f, false);
  const externalIPs: string[] = [];
  const addExternal = (ip: string): void => { if (!externalIPs.includes(ip)) externalIPs.push(ip); };
  f.arr(spec['externalIPs'], 'spec.externalIPs').forEach((v, i) => addExternal(f.ip(v, `spec.externalIPs[${i}]`)));
  const status = f.obj(raw['status'], 'status');
  const lb = f.obj(status?.['loadBalancer'], 'status.loadBalancer');
  f.arr(lb?.['ingress'], 'status.loadBalancer.ingress').forEach((v, i) => {
    const w = `status.loadBalancer.ingress[${i}]`;
    const ing = f.obj(v, w);
    if (ing !== undefined && ing['ip'] !== undefined && ing['ip'] !== null && ing['ip'] !== '') addExternal(f.ip(ing['ip'], `${w}.ip`));
  });
  const selector = f.obj(spec['selector'], 'spec.selector');
  const hasSelector = selector !== undefined && Object.keys(selector).length > 0;
  return {
    kind: 'Service', namespace, name, type, headless, clusterIPs, externalName, ports,
    externalIPs: externalIPs.length === 0 ? NO_STRINGS : externalIPs.slice(), hasSelector,
  };
}

function toSlice(raw: Obj, namespace: string, name: string, labels: Labels, f: Fields): EndpointSlice | undefined {
  const addressType = f.str(raw['addressType'], 'addressType');
  if (addressType === 'FQDN') return undefined; // deprecated; CoreDNS ignores FQDN slices
  if (addressType !== 'IPv4' && addressType !== 'IPv6') f.fail('addressType', `expected IPv4, IPv6 or FQDN, got ${show(addressType)}`);
  const endpoints: Endpoint[] = [];
  f.arr(raw['endpoints'], 'endpoints').forEach((e, i) => {
    const w = `endpoints[${i}]`;
    const o = f.obj(e, w) ?? f.fail(w, 'expected an object, got null');
    const rawAddresses = f.arr(o['addresses'], `${w}.addresses`);
    if (rawAddresses.length === 0) f.fail(`${w}.addresses`, 'must list at least one address');
    const addresses = rawAddresses.map((a, j) => {
      const ip = f.ip(a, `${w}.addresses[${j}]`);
      if (familyOf(ip) !== addressType) f.fail(`${w}.addresses[${j}]`, `${ip} is not an ${addressType} address`);
      return ip;
    });
    const conditions = f.obj(o['conditions'], `${w}.conditions`);
    const ready = f.bool(conditions?.['ready'], `${w}.conditions.ready`);
    const hostname = f.str(o['hostname'], `${w}.hostname`) ?? '';
    if (hostname !== '' && !DNS_LABEL_RE.test(hostname)) f.fail(`${w}.hostname`, `invalid hostname ${show(hostname)}: must be a lower-case DNS label`);
    const targetRef = f.obj(o['targetRef'], `${w}.targetRef`);
    const podName = targetRef?.['kind'] === 'Pod' ? (f.str(targetRef['name'], `${w}.targetRef.name`) ?? '') : '';
    // Validated, not kept: no answer depends on them.
    f.str(o['nodeName'], `${w}.nodeName`);
    f.str(o['zone'], `${w}.zone`);
    if (ready === false) return; // unset/null means unknown and counts as ready (A.8)
    endpoints.push({ addresses, hostname, podName });
  });
  const ports = toPorts(raw['ports'], 'ports', f, true);
  return { kind: 'EndpointSlice', namespace, name, service: labels[LABEL_SERVICE_NAME] ?? '', addressType, ...endpointColumns(endpoints), ports };
}

const GONE_PHASES = new Set(['Succeeded', 'Failed', 'Unknown']);

function toPod(raw: Obj, meta: Obj | undefined, namespace: string, name: string, f: Fields): Pod | undefined {
  const spec = f.obj(raw['spec'], 'spec');
  const status = f.obj(raw['status'], 'status');
  const hostNetwork = f.bool(spec?.['hostNetwork'], 'spec.hostNetwork') ?? false;
  const phase = f.str(status?.['phase'], 'status.phase') ?? '';
  const ips: string[] = [];
  f.arr(status?.['podIPs'], 'status.podIPs').forEach((v, i) => {
    const w = `status.podIPs[${i}]`;
    const o = f.obj(v, w) ?? f.fail(w, 'expected an object, got null');
    const ip = f.ip(o['ip'], `${w}.ip`);
    if (!ips.includes(ip)) ips.push(ip);
  });
  const single = f.str(status?.['podIP'], 'status.podIP') ?? '';
  if (ips.length === 0 && single !== '') ips.push(f.ip(single, 'status.podIP'));
  if (GONE_PHASES.has(phase)) return undefined;
  const deletion = meta?.['deletionTimestamp'];
  if (deletion !== undefined && deletion !== null) return undefined;
  return { kind: 'Pod', namespace, name, ips, hostNetwork };
}

function toLegacyAddress(v: unknown, w: string, f: Fields): LegacyAddress {
  const o = f.obj(v, w) ?? f.fail(w, 'expected an object, got null');
  const ip = f.ip(o['ip'], `${w}.ip`);
  const hostname = f.str(o['hostname'], `${w}.hostname`) ?? '';
  if (hostname !== '' && !DNS_LABEL_RE.test(hostname)) f.fail(`${w}.hostname`, `invalid hostname ${show(hostname)}: must be a lower-case DNS label`);
  const targetRef = f.obj(o['targetRef'], `${w}.targetRef`);
  const podName = targetRef?.['kind'] === 'Pod' ? (f.str(targetRef['name'], `${w}.targetRef.name`) ?? '') : '';
  const nodeName = f.str(o['nodeName'], `${w}.nodeName`) ?? '';
  return { ip, hostname, podName, nodeName };
}

function toLegacyEndpoints(raw: Obj, meta: Obj | undefined, namespace: string, name: string, labels: Labels, f: Fields): LegacyEndpoints | undefined {
  const annotations = f.labels(meta?.['annotations'], 'metadata.annotations');
  const subsets = f.arr(raw['subsets'], 'subsets').map((s, i): LegacySubset => {
    const w = `subsets[${i}]`;
    const o = f.obj(s, w) ?? f.fail(w, 'expected an object, got null');
    return {
      addresses: f.arr(o['addresses'], `${w}.addresses`).map((a, j) => toLegacyAddress(a, `${w}.addresses[${j}]`, f)),
      notReadyAddresses: f.arr(o['notReadyAddresses'], `${w}.notReadyAddresses`).map((a, j) => toLegacyAddress(a, `${w}.notReadyAddresses[${j}]`, f)),
      ports: toPorts(o['ports'], `${w}.ports`, f, false),
    };
  });
  // The mirroring controller's shouldMirror(): never skip-mirror ones nor leader-election locks.
  if (labels[LABEL_SKIP_MIRROR] === 'true' || Object.hasOwn(annotations, ANNOTATION_LEADER)) return undefined;
  return { namespace, name, labels, subsets };
}

/**
 * Converts one API object (not a List) for a watch source: the slim object, or undefined when the
 * object is of a kind we don't convert, is dropped by the rules above (then a watch source should
 * remove any object it holds under that key), or is a legacy Endpoints (mirroring is the
 * cluster's job when watching a real API server). Throws ConvertError when malformed.
 */
export function toClusterObject(obj: unknown): ClusterObject | undefined {
  const items = convertDocument(obj);
  const first = items[0];
  return items.length === 1 && first !== undefined && first.type === 'object' ? first.object : undefined;
}

// ---------------------------------------------------------------------------------------------
// Stage 2: the whole-set pass.

function keyOf(o: ClusterObject): string {
  return o.kind === 'Namespace' ? `Namespace/${o.name}` : `${o.kind}/${o.namespace}/${o.name}`;
}

function portsKey(ports: readonly Port[]): string {
  return ports.map((p) => `${p.name}/${p.port}/${p.protocol}`).sort().join(',');
}

/**
 * Mirrored slices of one Endpoints object. Like the mirroring controller: addresses are grouped by
 * (port set, address family) across subsets, at most 1000 addresses are taken per subset (ready
 * first), duplicates collapse, and a group is split into slices of at most 1000 endpoints. Not-ready
 * addresses become ready:false endpoints, i.e. are dropped from the model. Names are deterministic
 * (`<endpoints-name>-<5 hex of a hash>`, the controller's generateName shape) so reloads don't churn.
 */
function mirror(eps: LegacyEndpoints, labels: Selector | undefined): EndpointSlice[] {
  const sliceLabels: Labels = { ...eps.labels, [LABEL_SERVICE_NAME]: eps.name, [LABEL_MANAGED_BY]: MIRRORING_CONTROLLER };
  if (labels !== undefined && !matchesSelector(labels, sliceLabels)) return [];
  interface Group { readonly family: 'IPv4' | 'IPv6'; readonly ports: readonly Port[]; readonly seen: Set<string>; readonly endpoints: (Endpoint | null)[] }
  const groups = new Map<string, Group>();
  for (const subset of eps.subsets) {
    const pk = portsKey(subset.ports);
    let taken = 0;
    const add = (a: LegacyAddress, ready: boolean): void => {
      if (taken >= MAX_ENDPOINTS_PER_SUBSET) return;
      const family = familyOf(a.ip);
      const key = `${family}|${pk}`;
      let g = groups.get(key);
      if (g === undefined) groups.set(key, g = { family, ports: subset.ports, seen: new Set(), endpoints: [] });
      const id = JSON.stringify([a.ip, a.hostname, a.podName, a.nodeName, ready]);
      if (g.seen.has(id)) return;
      g.seen.add(id);
      taken++;
      // A not-ready endpoint still occupies room in the slice, as in the controller.
      g.endpoints.push(ready ? { addresses: [a.ip], hostname: a.hostname, podName: a.podName } : null);
    };
    for (const a of subset.addresses) add(a, true);
    for (const a of subset.notReadyAddresses) add(a, false);
  }
  const slices: EndpointSlice[] = [];
  for (const [key, g] of groups) {
    for (let start = 0, chunk = 0; start < g.endpoints.length; start += MAX_ENDPOINTS_PER_SLICE, chunk++) {
      const hash = createHash('sha256').update(`${eps.name}|${key}|${chunk}`).digest('hex').slice(0, 5);
      slices.push({
        kind: 'EndpointSlice',
        namespace: eps.namespace,
        name: `${`${eps.name}-`.slice(0, 58)}${hash}`,
        service: eps.name,
        addressType: g.family,
        ...endpointColumns(g.endpoints.slice(start, start + MAX_ENDPOINTS_PER_SLICE).filter((e): e is Endpoint => e !== null)),
        ports: g.ports,
      });
    }
  }
  return slices;
}

/**
 * The whole-set pass over converted items: label filtering, Endpoints mirroring, implicit
 * namespaces. Later items replace earlier ones with the same kind/namespace/name.
 *
 * Mirroring: a legacy Endpoints object is mirrored only when a Service of the same namespace/name
 * exists in the set (before label filtering: the cluster's controller doesn't see CoreDNS's
 * options) and has no selector. Real EndpointSlices for that service are kept too and the
 * mirrored ones are added beside them, as the controller does; a mirrored slice whose name is
 * already taken by a real slice is left out. Endpoints of a service with a selector are ignored:
 * the EndpointSlice controller would derive that service's slices from pods, so a manifest set
 * must carry them as EndpointSlices.
 */
export function assemble(items: Iterable<ApiItem>, options: AssembleOptions = {}): ClusterObject[] {
  const { labels, namespaceLabels } = options;
  const all = [...items];
  const selectorless = new Set<string>();
  for (const item of all) {
    if (item.type !== 'object' || item.object.kind !== 'Service') continue;
    const key = `${item.object.namespace}/${item.object.name}`;
    if (item.object.hasSelector) selectorless.delete(key); else selectorless.add(key);
  }
  const out = new Map<string, ClusterObject>();
  const usedNamespaces = new Set<string>();
  const legacy: LegacyEndpoints[] = [];
  for (const item of all) {
    if (item.namespace !== '') usedNamespaces.add(item.namespace);
    if (item.type === 'dropped') continue;
    if (item.type === 'endpoints') { legacy.push(item.endpoints); continue; }
    const o = item.object;
    if (o.kind === 'Namespace') {
      if (namespaceLabels !== undefined && !matchesSelector(namespaceLabels, item.labels)) continue;
    } else if (labels !== undefined && !matchesSelector(labels, item.labels)) {
      out.delete(keyOf(o)); // a later, filtered-out version replaces an earlier one
      continue;
    }
    const key = keyOf(o);
    out.delete(key); // keep the latest definition's position
    out.set(key, o);
  }
  const latestLegacy = new Map<string, LegacyEndpoints>();
  for (const eps of legacy) latestLegacy.set(`${eps.namespace}/${eps.name}`, eps);
  for (const [key, eps] of latestLegacy) {
    if (!selectorless.has(key)) continue;
    for (const slice of mirror(eps, labels)) {
      const sk = keyOf(slice);
      if (!out.has(sk)) out.set(sk, slice);
    }
  }
  if (options.implicitNamespaces === true && namespaceLabels === undefined) {
    for (const ns of [...BUILTIN_NAMESPACES, ...usedNamespaces]) {
      const key = `Namespace/${ns}`;
      if (!out.has(key)) out.set(key, { kind: 'Namespace', name: ns });
    }
  }
  return [...out.values()];
}

/** Converts a list of parsed documents and runs the whole-set pass; bad documents are skipped and reported. */
export function convertAll(docs: Iterable<unknown>, options: AssembleOptions = {}): { objects: ClusterObject[]; errors: DocumentError[] } {
  const items: ApiItem[] = [];
  const errors: DocumentError[] = [];
  let n = 0;
  for (const doc of docs) {
    n++;
    try {
      items.push(...convertDocument(doc));
    } catch (err) {
      if (!(err instanceof ConvertError)) throw err;
      errors.push({ document: n, message: err.message });
    }
  }
  return { objects: assemble(items, options), errors };
}
