/**
 * The benchmark's data, generated from a seed so every run (and every server) sees the same:
 *
 *   generateCluster()  a synthetic cluster: namespaces, ClusterIP and headless services with
 *                      named ports, one EndpointSlice per service, a Pod per endpoint, plus
 *                      hosts under a separate zone (`example.test.`) that podns forwards;
 *   manifestFiles()    that cluster as Kubernetes YAML, one file per namespace, for podns;
 *   clusterZone() /    the records podns answers for it (Kubernetes DNS spec, CoreDNS's SRV
 *   externalZone()     weights), as zone-file records for the peer servers;
 *   clusterMix() /     the query mixes, as weighted pools of questions, and drawQueries()
 *   externalMix()      which draws a dnsperf query file from a mix.
 *
 * Nothing here does I/O; bench/run.ts writes the files.
 */
import { stringify } from 'yaml';
import type { Rec } from './zone.ts';

export interface ClusterOptions {
  readonly namespaces: number;
  readonly services: number;
  /** Share of services that are headless (clusterIP: None), in percent. */
  readonly headlessPercent: number;
  /** Ready endpoints per headless service. */
  readonly headlessEndpoints: number;
  /** Ready endpoints per ClusterIP service (their hostnames answer A too, as in CoreDNS). */
  readonly clusterIPEndpoints: number;
  /** Hosts under `example.test.` (the forwarded zone). */
  readonly externalNames: number;
  readonly seed: number;
}

export const DEFAULT_CLUSTER: ClusterOptions = {
  namespaces: 50,
  services: 1000,
  headlessPercent: 20,
  headlessEndpoints: 3,
  clusterIPEndpoints: 2,
  externalNames: 1000,
  seed: 1,
};

export const CLUSTER_DOMAIN = 'cluster.local.';
export const EXTERNAL_ZONE = 'example.test.';
/** The TTL of the cluster records: the bench Corefile's `ttl 30`. */
export const CLUSTER_TTL = 30;
export const EXTERNAL_TTL = 300;

export interface PortSpec {
  /** '' for an unnamed port (no `_port._proto` SRV name). */
  readonly name: string;
  readonly protocol: 'TCP' | 'UDP';
  readonly port: number;
  readonly targetPort: number;
}

export interface EndpointSpec {
  readonly ip: string;
  /** The slice's `hostname` ('' when unset: the endpoint is named by its dashed IP). */
  readonly hostname: string;
  readonly ready: boolean;
  readonly pod: string;
}

export interface ServiceSpec {
  readonly namespace: string;
  readonly name: string;
  readonly headless: boolean;
  /** The ClusterIP, or 'None' for a headless service. */
  readonly clusterIP: string;
  readonly ports: readonly PortSpec[];
  readonly endpoints: readonly EndpointSpec[];
}

export interface ExternalHost {
  /** Absolute, lower case: `api-3.example.test.`. */
  readonly name: string;
  readonly a: string;
  readonly aaaa: string | null;
}

export interface Cluster {
  readonly options: ClusterOptions;
  readonly namespaces: readonly string[];
  readonly services: readonly ServiceSpec[];
  readonly external: readonly ExternalHost[];
}

/** mulberry32: a small seeded PRNG, so runs are reproducible. Returns floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

function ipv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Hands out consecutive IPv4 addresses from `base`, skipping .0 and .255. */
function allocator(base: string, limit: string): () => string {
  const toInt = (s: string): number => s.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  let next = toInt(base);
  const end = toInt(limit);
  return () => {
    while ((next & 255) === 0 || (next & 255) === 255) next++;
    if (next > end) throw new Error(`address range ${base}–${limit} exhausted: make the cluster smaller`);
    return ipv4(next++);
  };
}

const WORDS = ['web', 'api', 'auth', 'cart', 'checkout', 'search', 'billing', 'orders', 'users', 'catalog', 'payments', 'mail', 'queue', 'cache', 'db', 'kafka', 'redis', 'etcd', 'metrics', 'logs'];
const HEX = 'bcdfghjklmnpqrstvwxz2456789';

function podSuffix(rng: () => number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += pick(rng, [...HEX]);
  return s;
}

/** Whether item `i` of a sequence falls in the first `percent`% when spread evenly (exact counts). */
function spread(i: number, percent: number): boolean {
  return Math.floor(((i + 1) * percent) / 100) > Math.floor((i * percent) / 100);
}

export function generateCluster(options: ClusterOptions = DEFAULT_CLUSTER): Cluster {
  const rng = prng(options.seed);
  const namespaces = Array.from({ length: options.namespaces }, (_, i) => `ns-${i}`);
  const clusterIP = allocator('10.96.0.1', '10.111.255.254'); // the service CIDR 10.96.0.0/12
  const podIP = allocator('10.128.0.1', '10.191.255.254'); // the pod CIDR 10.128.0.0/10
  const services: ServiceSpec[] = [];
  let headlessCount = 0;
  for (let i = 0; i < options.services; i++) {
    const namespace = namespaces[i % namespaces.length]!;
    const name = `${WORDS[i % WORDS.length]}-${i}`;
    const headless = spread(i, options.headlessPercent);
    // Ports: every service has `http`; every third also `grpc`; every tenth also `dns` over UDP.
    // Every seventh ClusterIP service has one unnamed port instead (no `_port._proto` name).
    let ports: PortSpec[];
    if (!headless && i % 7 === 6) {
      ports = [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080 }];
    } else {
      ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }];
      if (i % 3 === 0) ports.push({ name: 'grpc', protocol: 'TCP', port: 9090, targetPort: 9090 });
      if (i % 10 === 5) ports.push({ name: 'dns', protocol: 'UDP', port: 53, targetPort: 5353 });
    }
    // Endpoints: headless services alternate between StatefulSet-style (hostname = pod name,
    // `web-0`) and Deployment-style (no hostname: named by the dashed IP). Every fourth service
    // has one more endpoint that is not ready (no DNS records; its hostname is NXDOMAIN).
    const statefulSet = headless && headlessCount % 2 === 0;
    if (headless) headlessCount++;
    const ready = headless ? options.headlessEndpoints : options.clusterIPEndpoints;
    const total = ready + (i % 4 === 3 ? 1 : 0);
    const deployment = podSuffix(rng, 10);
    const endpoints: EndpointSpec[] = [];
    for (let k = 0; k < total; k++) {
      const pod = statefulSet ? `${name}-${k}` : `${name}-${deployment}-${podSuffix(rng, 5)}`;
      endpoints.push({ ip: podIP(), hostname: statefulSet ? pod : '', ready: k < ready, pod });
    }
    services.push({ namespace, name, headless, clusterIP: headless ? 'None' : clusterIP(), ports, endpoints });
  }
  const hostIP = allocator('198.18.0.1', '198.19.255.254'); // RFC 2544's benchmarking range
  const external: ExternalHost[] = [];
  for (let i = 0; i < options.externalNames; i++) {
    external.push({
      name: `${WORDS[(i * 7) % WORDS.length]}-${i}.${EXTERNAL_ZONE}`,
      a: hostIP(),
      aaaa: i % 4 === 0 ? `2001:db8::${(i + 1).toString(16)}` : null,
    });
  }
  return { options, namespaces, services, external };
}

// ------------------------------------------------------------------------------------------------
// Manifests
// ------------------------------------------------------------------------------------------------

/** The cluster as Kubernetes manifests: file name → multi-document YAML, one file per namespace. */
export function manifestFiles(cluster: Cluster): Map<string, string> {
  const docs = new Map<string, object[]>();
  for (const ns of cluster.namespaces) docs.set(ns, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }]);
  for (const svc of cluster.services) {
    const out = docs.get(svc.namespace)!;
    const labels = { app: svc.name };
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: svc.name, namespace: svc.namespace, labels },
      spec: {
        type: 'ClusterIP',
        clusterIP: svc.clusterIP,
        clusterIPs: [svc.clusterIP],
        selector: labels,
        ports: svc.ports.map((p) => ({ ...(p.name !== '' ? { name: p.name } : {}), protocol: p.protocol, port: p.port, targetPort: p.targetPort })),
      },
    });
    out.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${svc.name}-abcde`,
        namespace: svc.namespace,
        labels: { 'kubernetes.io/service-name': svc.name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      },
      addressType: 'IPv4',
      ports: svc.ports.map((p) => ({ name: p.name, port: p.targetPort, protocol: p.protocol })),
      endpoints: svc.endpoints.map((e) => ({
        addresses: [e.ip],
        conditions: { ready: e.ready, serving: e.ready, terminating: false },
        ...(e.hostname !== '' ? { hostname: e.hostname } : {}),
        nodeName: 'worker-1',
        targetRef: { kind: 'Pod', namespace: svc.namespace, name: e.pod },
      })),
    });
    for (const e of svc.endpoints) {
      out.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: e.pod, namespace: svc.namespace, labels },
        spec: {
          nodeName: 'worker-1',
          ...(e.hostname !== '' ? { hostname: e.hostname, subdomain: svc.name } : {}),
          containers: [{ name: 'app', image: 'registry.example/app:1.0' }],
        },
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: e.ready ? 'True' : 'False' }],
          podIP: e.ip,
          podIPs: [{ ip: e.ip }],
        },
      });
    }
  }
  const files = new Map<string, string>();
  for (const [ns, list] of docs) files.set(`${ns}.yaml`, list.map((d) => stringify(d, { aliasDuplicateObjects: false })).join('---\n'));
  return files;
}

// ------------------------------------------------------------------------------------------------
// Records
// ------------------------------------------------------------------------------------------------

export function serviceName(svc: ServiceSpec): string {
  return `${svc.name}.${svc.namespace}.svc.${CLUSTER_DOMAIN}`;
}

/** CoreDNS's endpoint name: the slice hostname, else the IP with dashes. */
export function endpointName(svc: ServiceSpec, e: EndpointSpec): string {
  return `${e.hostname !== '' ? e.hostname : e.ip.replaceAll('.', '-')}.${serviceName(svc)}`;
}

export function srvName(svc: ServiceSpec, p: PortSpec): string {
  return `_${p.name}._${p.protocol.toLowerCase()}.${serviceName(svc)}`;
}

/** CoreDNS's SRV weight: floor(100 / number of SRV entries in the answer), at least 1. */
export function srvWeight(entries: number): number {
  return Math.max(1, Math.floor(100 / entries));
}

/**
 * Every record podns serves for the cluster zone that the query mixes can reach, plus the SOA,
 * NS and dns-version TXT at the apex. Not included: PTR records (reverse zones), pod records
 * (`a-b-c-d.<ns>.pod`: `pods insecure` answers any IP-shaped name) and `ns.dns`'s address
 * (podns answers its own local address) — the mixes ask for none of them.
 */
export function clusterZone(cluster: Cluster): Rec[] {
  const ttl = CLUSTER_TTL;
  const z = CLUSTER_DOMAIN;
  const recs: Rec[] = [
    { name: z, ttl, type: 'SOA', data: `ns.dns.${z} hostmaster.${z} 1 7200 1800 86400 ${ttl}` },
    { name: z, ttl, type: 'NS', data: `ns.dns.${z}` },
    { name: `ns.dns.${z}`, ttl, type: 'A', data: '127.0.0.1' },
    { name: `dns-version.${z}`, ttl: 28800, type: 'TXT', data: '"1.1.0"' },
  ];
  for (const svc of cluster.services) {
    const owner = serviceName(svc);
    const ready = svc.endpoints.filter((e) => e.ready);
    if (svc.headless) {
      // The service name: one A per ready endpoint address. SRV: one per (ready endpoint, port),
      // targeting the endpoint's name, on the endpoint (target) port.
      for (const e of ready) recs.push({ name: owner, ttl, type: 'A', data: e.ip });
      const all = svc.ports.length * ready.length;
      for (const e of ready) for (const p of svc.ports) recs.push({ name: owner, ttl, type: 'SRV', data: `0 ${srvWeight(all)} ${p.targetPort} ${endpointName(svc, e)}` });
      for (const p of svc.ports) {
        if (p.name === '') continue;
        for (const e of ready) recs.push({ name: srvName(svc, p), ttl, type: 'SRV', data: `0 ${srvWeight(ready.length)} ${p.targetPort} ${endpointName(svc, e)}` });
      }
    } else {
      // The ClusterIP; SRV per port targeting the service name, on the service port.
      recs.push({ name: owner, ttl, type: 'A', data: svc.clusterIP });
      for (const p of svc.ports) recs.push({ name: owner, ttl, type: 'SRV', data: `0 ${srvWeight(svc.ports.length)} ${p.port} ${owner}` });
      for (const p of svc.ports) {
        if (p.name === '') continue;
        recs.push({ name: srvName(svc, p), ttl, type: 'SRV', data: `0 100 ${p.port} ${owner}` });
      }
    }
    // Every ready endpoint's own name, for ClusterIP services too (CoreDNS answers those).
    for (const e of ready) recs.push({ name: endpointName(svc, e), ttl, type: 'A', data: e.ip });
  }
  return recs;
}

export function externalZone(cluster: Cluster): Rec[] {
  const ttl = EXTERNAL_TTL;
  const z = EXTERNAL_ZONE;
  const recs: Rec[] = [
    { name: z, ttl, type: 'SOA', data: `ns.${z} hostmaster.${z} 1 7200 1800 86400 ${ttl}` },
    { name: z, ttl, type: 'NS', data: `ns.${z}` },
    { name: `ns.${z}`, ttl, type: 'A', data: '127.0.0.1' },
  ];
  for (const h of cluster.external) {
    recs.push({ name: h.name, ttl, type: 'A', data: h.a });
    if (h.aaaa !== null) recs.push({ name: h.name, ttl, type: 'AAAA', data: h.aaaa });
  }
  return recs;
}

// ------------------------------------------------------------------------------------------------
// Query mixes
// ------------------------------------------------------------------------------------------------

export interface Question {
  /** Absolute, lower case. */
  readonly name: string;
  readonly type: 'A' | 'AAAA' | 'SRV';
}

export interface MixPart {
  readonly label: string;
  /** Share of the mix, in percent (the parts of a mix add up to 100). */
  readonly percent: number;
  readonly description: string;
  readonly pool: readonly Question[];
}

export type MixName = 'cluster' | 'external';

/**
 * In-cluster lookups, all answered from the cluster state (answer-cache hits in podns after the
 * first pass):
 *   60% A of a ClusterIP service          web-0.ns-0.svc.cluster.local. A
 *   10% A of a headless service           (one A per ready endpoint)
 *    5% A of an endpoint's own name        web-0-1.… or 10-128-0-7.… (headless and ClusterIP)
 *   10% SRV of a named port               _http._tcp.web-0.ns-0.svc.cluster.local. SRV
 *   15% NXDOMAIN, as a pod's search path produces them: a cross-namespace short name or an
 *       external name with the pod's namespace appended, a service that does not exist, the
 *       hostname of an endpoint that is not ready.
 */
export function clusterMix(cluster: Cluster): MixPart[] {
  const clusterIPs: Question[] = [];
  const headless: Question[] = [];
  const endpoints: Question[] = [];
  const srv: Question[] = [];
  const nx: Question[] = [];
  const ns = cluster.namespaces;
  cluster.services.forEach((svc, i) => {
    (svc.headless ? headless : clusterIPs).push({ name: serviceName(svc), type: 'A' });
    for (const e of svc.endpoints) if (e.ready) endpoints.push({ name: endpointName(svc, e), type: 'A' });
    for (const p of svc.ports) if (p.name !== '') srv.push({ name: srvName(svc, p), type: 'SRV' });
    const other = ns[(i + 1) % ns.length]!;
    const ext = cluster.external.length > 0 ? cluster.external[i % cluster.external.length]!.name : `www.${EXTERNAL_ZONE}`;
    nx.push({ name: `${svc.name}.${svc.namespace}.${other}.svc.${CLUSTER_DOMAIN}`, type: 'A' });
    nx.push({ name: `${ext}${svc.namespace}.svc.${CLUSTER_DOMAIN}`, type: 'A' });
    nx.push({ name: `${svc.name}-old.${svc.namespace}.svc.${CLUSTER_DOMAIN}`, type: 'A' });
    for (const e of svc.endpoints) if (!e.ready) nx.push({ name: endpointName(svc, e), type: 'A' });
  });
  return [
    { label: 'clusterip-a', percent: 60, description: 'A of a ClusterIP service', pool: clusterIPs },
    { label: 'headless-a', percent: 10, description: 'A of a headless service (one A per ready endpoint)', pool: headless },
    { label: 'endpoint-a', percent: 5, description: "A of an endpoint's own name", pool: endpoints },
    { label: 'srv', percent: 10, description: 'SRV of a named port (_port._proto)', pool: srv },
    { label: 'nxdomain', percent: 15, description: 'NXDOMAIN: search-path expansions, missing services, not-ready endpoints', pool: nx },
  ].filter((p) => p.pool.length > 0); // an empty part (no headless services, say) is left out; drawQueries() rescales the rest
}

/**
 * Names outside the cluster, forwarded by podns to an upstream and answered from its cache:
 *   80% A of a host under example.test.
 *   10% AAAA of a host that has one
 *   10% NXDOMAIN under example.test. (negative-cache hits)
 */
export function externalMix(cluster: Cluster): MixPart[] {
  const a = cluster.external.map((h): Question => ({ name: h.name, type: 'A' }));
  const aaaa = cluster.external.filter((h) => h.aaaa !== null).map((h): Question => ({ name: h.name, type: 'AAAA' }));
  const nx = Array.from({ length: Math.max(1, Math.ceil(cluster.external.length / 10)) }, (_, i): Question => ({ name: `gone-${i}.${EXTERNAL_ZONE}`, type: 'A' }));
  return [
    { label: 'external-a', percent: 80, description: 'A of a host under example.test.', pool: a },
    { label: 'external-aaaa', percent: 10, description: 'AAAA of a host under example.test.', pool: aaaa },
    { label: 'external-nxdomain', percent: 10, description: 'NXDOMAIN under example.test.', pool: nx },
  ].filter((p) => p.pool.length > 0);
}

export function mix(cluster: Cluster, name: MixName): MixPart[] {
  return name === 'cluster' ? clusterMix(cluster) : externalMix(cluster);
}

/** `count` questions drawn from the mix: a part by its share, then a question of it uniformly. */
export function drawQueries(parts: readonly MixPart[], count: number, seed: number): Question[] {
  const rng = prng(seed);
  const total = parts.reduce((s, p) => s + p.percent, 0);
  const out: Question[] = [];
  for (let i = 0; i < count; i++) {
    let r = rng() * total;
    let part = parts[parts.length - 1]!;
    for (const p of parts) {
      if (r < p.percent) { part = p; break; }
      r -= p.percent;
    }
    out.push(pick(rng, part.pool));
  }
  return out;
}

/** Every question of the mix once, shuffled: the warm-up pass (fills podns's caches). */
export function distinctQueries(parts: readonly MixPart[], seed: number): Question[] {
  const seen = new Map<string, Question>();
  for (const p of parts) for (const q of p.pool) seen.set(`${q.name} ${q.type}`, q);
  const out = [...seen.values()];
  const rng = prng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** dnsperf's input format: `name type`, one a line. */
export function dnsperfFile(questions: readonly Question[]): string {
  return questions.map((q) => `${q.name} ${q.type}\n`).join('');
}
