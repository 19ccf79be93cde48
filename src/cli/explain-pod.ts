/**
 * `podns explain --pod NS/NAME`: the pod's /etc/resolv.conf and /etc/hosts as the kubelet would
 * write them (src/podconf), from the pod in manifests or on a live API server, and — with
 * manifests — an in-process DNS server over the same manifests that answers the queries sent to
 * the cluster DNS, through the Corefile's plugin chain, saying which plugin answered.
 *
 * Kubelet settings: --kubelet-config FILE, else clusterDNS from --cluster-dns or the Service
 * kube-system/kube-dns (as kubeadm names it), clusterDomain from --cluster-domain (default
 * cluster.local), and the node's resolv.conf from --host-resolv-conf (default: an empty one,
 * said in a note, since this machine's is not the node's).
 */
import type { ApiClient } from '../cluster/api/client.ts';
import { UsageError } from '../core/errors.ts';
import { parseSource } from '../lint/index.ts';
import type { SourceObject } from '../lint/index.ts';
import {
  DecodeError, KubeletError, formatInvalid, managedHostsFile, parseIPSloppy, podFiles, podHostnameAndDomain, readKubeletConfig, readPod, validatePod,
} from '../podconf/index.ts';
import type { KubeletDNSSettings, Pod } from '../podconf/index.ts';
import { InputError, getObject, manifestFiles } from './cluster-input.ts';
import { readObject, readText } from './pod.ts';

export interface PodFlags {
  readonly 'kubelet-config'?: string | undefined;
  readonly 'cluster-dns'?: string[] | undefined;
  readonly 'cluster-domain'?: string | undefined;
  readonly 'host-resolv-conf'?: string | undefined;
  readonly 'host-hosts'?: string | undefined;
}

/** The pod as explain needs it: its files, where it came from, and what was assumed. */
export interface PodView {
  readonly namespace: string;
  readonly name: string;
  readonly resolvConf: string;
  readonly hosts: string;
  /** The pod's kernel hostname (glibc and Go take a default search domain from it). */
  readonly hostname: string;
  /** The address its queries come from (the first pod IP), for autopath and `pods verified`; null when it has none. */
  readonly ip: string | null;
  /** The cluster DNS IPs the kubelet writes: queries to them are the cluster DNS server's. */
  readonly clusterDNS: readonly string[];
  readonly notes: readonly string[];
}

/** `NS/NAME` (or NAME, in default). */
export function parsePodRef(text: string): { namespace: string; name: string } {
  const parts = text.split('/');
  if (parts.length > 2 || parts.some((p) => p === '')) throw new UsageError(`explain: --pod: not NAMESPACE/NAME: ${text}`);
  return parts.length === 2 ? { namespace: parts[0]!, name: parts[1]! } : { namespace: 'default', name: parts[0]! };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The pod template of a workload kind, and where it sits. */
const TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template'], StatefulSet: ['spec', 'template'], DaemonSet: ['spec', 'template'], ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'], Job: ['spec', 'template'], CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

function at(o: unknown, path: readonly string[]): unknown {
  let v = o;
  for (const k of path) v = isObj(v) ? v[k] : undefined;
  return v;
}

/**
 * A Pod object for `ns/name` from the manifests' objects: the Pod itself; else a StatefulSet's
 * pod `set-N` (hostname and subdomain set as the StatefulSet controller sets them); else the pod
 * template of a workload named `name`.
 */
function findPod(objects: readonly SourceObject[], namespace: string, name: string): { raw: Obj; from: string; note: string | null } | null {
  const inNs = (o: SourceObject): boolean => (o.namespace === '' ? 'default' : o.namespace) === namespace;
  const where = (o: SourceObject): string => `${o.file}:${o.line}`;
  const pod = objects.find((o) => o.kind === 'Pod' && o.name === name && inNs(o));
  if (pod !== undefined) return { raw: { ...pod.raw, metadata: { ...(pod.raw['metadata'] as Obj | undefined), namespace } }, from: where(pod), note: null };
  const fromTemplate = (o: SourceObject, podName: string, extra: Obj): Obj => {
    const t = at(o.raw, TEMPLATES[o.kind]!);
    const meta = isObj(t) && isObj(t['metadata']) ? t['metadata'] : {};
    const spec = isObj(t) && isObj(t['spec']) ? t['spec'] : {};
    return { apiVersion: 'v1', kind: 'Pod', metadata: { ...meta, name: podName, namespace }, spec: { ...spec, ...extra } };
  };
  const ordinal = /^(.+)-(\d+)$/.exec(name);
  if (ordinal !== null) {
    const set = objects.find((o) => o.kind === 'StatefulSet' && o.name === ordinal[1] && inNs(o));
    if (set !== undefined) {
      const serviceName = at(set.raw, ['spec', 'serviceName']);
      const extra: Obj = { hostname: name, ...(typeof serviceName === 'string' && serviceName !== '' ? { subdomain: serviceName } : {}) };
      return { raw: fromTemplate(set, name, extra), from: where(set), note: `pod ${name} of StatefulSet ${namespace}/${set.name}: its template, with hostname ${name}${'subdomain' in extra ? ` and subdomain ${String(extra['subdomain'])}` : ''} as the StatefulSet controller sets them` };
    }
  }
  const workload = objects.find((o) => o.kind in TEMPLATES && o.name === name && inNs(o));
  if (workload !== undefined) {
    return { raw: fromTemplate(workload, name, {}), from: where(workload), note: `a pod of ${workload.kind} ${namespace}/${name}: its pod template; the real pod's name (and so its hostname) is generated, shown here as ${name}` };
  }
  return null;
}

/** The Service kube-system/kube-dns's cluster IPs in the manifests, or []. */
function kubeDnsIPs(service: Obj | undefined): string[] {
  const spec = isObj(service?.['spec']) ? service['spec'] : {};
  const ips = Array.isArray(spec['clusterIPs']) ? spec['clusterIPs'] : typeof spec['clusterIP'] === 'string' ? [spec['clusterIP']] : [];
  return ips.filter((ip): ip is string => typeof ip === 'string' && parseIPSloppy(ip) !== null);
}

/** Reads the pod and the kube-dns Service from manifest files and folders. */
export function podFromManifests(ref: { namespace: string; name: string }, paths: readonly string[], flags: PodFlags): PodView {
  const objects: SourceObject[] = [];
  for (const file of [...new Set(paths.flatMap(manifestFiles))]) objects.push(...parseSource(file, readText('--manifests', file)).objects);
  const found = findPod(objects, ref.namespace, ref.name);
  if (found === null) throw new InputError(`--pod ${ref.namespace}/${ref.name}: no such Pod in the manifests (nor a StatefulSet pod or a workload of that name)`);
  const kubeDns = objects.find((o) => o.kind === 'Service' && o.name === 'kube-dns' && o.namespace === 'kube-system');
  return view(ref, found.raw, [`pod ${ref.namespace}/${ref.name} from ${found.from}`, ...(found.note === null ? [] : [found.note])], flags,
    kubeDnsIPs(kubeDns?.raw), 'the Service kube-system/kube-dns of the manifests');
}

/** Reads the pod and the kube-dns Service from the API server. */
export async function podFromApi(ref: { namespace: string; name: string }, client: ApiClient, flags: PodFlags): Promise<PodView> {
  const raw = await getObject(client, { resource: 'pods', kind: 'Pod', apiVersion: 'v1' }, ref.namespace, ref.name);
  if (raw === null) throw new InputError(`--pod ${ref.namespace}/${ref.name}: no such Pod on ${client.access.server}`);
  let kubeDns: Obj | null = null;
  if (flags['cluster-dns'] === undefined && flags['kubelet-config'] === undefined) {
    kubeDns = await getObject(client, { resource: 'services', kind: 'Service', apiVersion: 'v1' }, 'kube-system', 'kube-dns');
  }
  return view(ref, { ...raw, apiVersion: 'v1', kind: 'Pod' }, [`pod ${ref.namespace}/${ref.name} from ${client.access.server} (${client.access.source})`], flags,
    kubeDnsIPs(kubeDns ?? undefined), `the Service kube-system/kube-dns on ${client.access.server}`);
}

function kubeletSettings(flags: PodFlags, kubeDns: readonly string[], kubeDnsFrom: string, notes: string[]): KubeletDNSSettings {
  if (flags['kubelet-config'] !== undefined) {
    const file = flags['kubelet-config'];
    let k;
    try {
      k = readKubeletConfig(readObject('--kubelet-config', file, 'KubeletConfiguration'));
    } catch (err) {
      if (err instanceof DecodeError) throw new InputError(`--kubelet-config ${file}: ${err.message}`);
      throw err;
    }
    for (const w of k.warnings) notes.push(`--kubelet-config: ${w}`);
    return { clusterDNS: k.clusterDNS, clusterDomain: k.clusterDomain, resolvConf: k.resolvConf };
  }
  let clusterDNS = flags['cluster-dns'] ?? [];
  for (const ip of clusterDNS) if (parseIPSloppy(ip) === null) throw new UsageError(`explain: --cluster-dns: not an IP address: ${ip}`);
  if (clusterDNS.length === 0) {
    if (kubeDns.length === 0) throw new UsageError(`explain: the cluster DNS address is unknown: ${kubeDnsFrom} has no cluster IP; give --cluster-dns IP or --kubelet-config FILE`);
    clusterDNS = [...kubeDns];
    notes.push(`clusterDNS ${clusterDNS.join(', ')}: ${kubeDnsFrom}`);
  }
  return { clusterDNS, clusterDomain: flags['cluster-domain'] ?? 'cluster.local', resolvConf: '/etc/resolv.conf' };
}

function view(ref: { namespace: string; name: string }, raw: Obj, notes: string[], flags: PodFlags, kubeDns: readonly string[], kubeDnsFrom: string): PodView {
  let pod: Pod;
  try {
    pod = readPod(raw);
  } catch (err) {
    if (err instanceof DecodeError) throw new InputError(`--pod ${ref.namespace}/${ref.name}: ${err.message}`);
    throw err;
  }
  const invalid = validatePod(pod);
  if (invalid.length > 0) throw new InputError(`--pod ${ref.namespace}/${ref.name}: the API server refuses this pod: ${formatInvalid('Pod', pod.name, invalid)}`);
  const kubelet = kubeletSettings(flags, kubeDns, kubeDnsFrom, notes);
  let hostResolvConf: string | null = null;
  if (kubelet.resolvConf !== '') {
    if (flags['host-resolv-conf'] !== undefined) hostResolvConf = readText('--host-resolv-conf', flags['host-resolv-conf']);
    else {
      hostResolvConf = '';
      notes.push('the node\'s resolv.conf is not given (--host-resolv-conf FILE): taken as empty, so no search domains or options come from the node');
    }
  }
  let nodeHosts: string | null = null;
  if (pod.hostNetwork) {
    if (flags['host-hosts'] !== undefined) nodeHosts = readText('--host-hosts', flags['host-hosts']);
    else {
      nodeHosts = '';
      notes.push('a hostNetwork pod gets the node\'s /etc/hosts, not given (--host-hosts FILE): taken as empty');
    }
  }
  let files;
  try {
    files = podFiles({ pod, kubelet, hostResolvConf, nodeHosts });
  } catch (err) {
    if (err instanceof KubeletError) throw new InputError(`--pod ${ref.namespace}/${ref.name}: the kubelet would not start this pod: ${err.message}`);
    throw err;
  }
  for (const e of files.events) notes.push(`kubelet event ${e.reason}: ${e.message}`);
  let hosts = files.hosts;
  if (hosts === null) {
    // The kubelet writes /etc/hosts once the pod has an IP; its aliases matter to the lookup already.
    const { hostname, domain } = podHostnameAndDomain(pod, kubelet.clusterDomain);
    hosts = managedHostsFile([], hostname, domain, pod.hostAliases);
    notes.push('the pod has no IP in its status: /etc/hosts shown without the pod\'s own line');
  }
  return {
    namespace: ref.namespace, name: ref.name, resolvConf: files.resolvConf, hosts,
    hostname: files.hostname, ip: pod.podIPs[0] ?? null, clusterDNS: files.dns.servers.filter((s) => kubelet.clusterDNS.includes(s)), notes,
  };
}
