/**
 * The kubelet's DNS settings for a pod: Configurer.GetPodDNS (pkg/kubelet/network/dns/dns.go),
 * kubelet 1.28 and later (expanded limits), as small steps in the kubelet's order:
 *
 * 1. `podDNSMode` (getPodDNSType): None → none; ClusterFirstWithHostNet → cluster; ClusterFirst →
 *    cluster, or host for a hostNetwork pod (silently); Default → host; anything else (the API
 *    server refuses it) → cluster, which the kubelet only logs.
 * 2. The start value is the host resolv.conf as the kubelet parsed it (resolvconf.ts), or empty
 *    lists when its resolvConf is "".
 * 3. none: everything empty. cluster with cluster DNS IPs: those IPs only; searches
 *    `<ns>.svc.<domain>`, `svc.<domain>`, `<domain>` then the host's, de-duplicated (the host's
 *    alone when the cluster domain is ""); options exactly `ndots:5`. cluster without cluster DNS
 *    IPs: two MissingClusterDNS warnings (Node, then Pod) and then host. host: the host lists; with
 *    resolvConf "" one loopback per node IP (127.0.0.1 or ::1 by family; 127.0.0.1 without node IPs)
 *    and the search list ".".
 * 4. `mergeDNSConfig` (appendDNSConfig), only when spec.dnsConfig is set (even `{}`): nameservers
 *    and searches appended and de-duplicated (exact strings, first wins); options folded by name
 *    (the text before the first ':'), the pod's overriding, written back as `name:value` or bare
 *    `name` when the value is absent or empty. The kubelet folds through a Go map, so the order it
 *    writes is random; podns keeps the first-seen order (the kubelet's tests compare options as a
 *    set, and so should anyone comparing podns with a running pod).
 * 5. `fitLimits` (formDNSConfigFitsLimits), last: more than 3 nameservers → the first 3 and a
 *    DNSConfigForming warning; searches cut to 32, then entries longer than 253 dropped, then
 *    entries dropped from the end until the space-joined line is at most 2048 bytes, and one
 *    DNSConfigForming warning if any of that changed something.
 */
import { goQuote, goLen } from './go.ts';
import { KubeletError } from './hosts.ts';
import { isIPv4Bytes, parseIPSloppy } from './ip.ts';
import type { DNSConfig, HostResolvConf } from './resolvconf.ts';
import {
  DNS1123_SUBDOMAIN_MAX_LENGTH, MAX_DNS_NAMESERVERS, MAX_DNS_SEARCH_LIST_CHARS, MAX_DNS_SEARCH_PATHS, aggregateMessage,
} from './resolvconf.ts';

export type DNSMode = 'cluster' | 'host' | 'none';

export interface DNSConfigOption {
  readonly name: string;
  /** null when the pod gives no value. */
  readonly value: string | null;
}

export interface PodDNSConfig {
  readonly nameservers: readonly string[];
  readonly searches: readonly string[];
  readonly options: readonly DNSConfigOption[];
}

export interface PodDNSInput {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  /** After the API server's defaulting ("" → ClusterFirst). */
  readonly dnsPolicy: string;
  readonly hostNetwork: boolean;
  /** null when the pod has no spec.dnsConfig. */
  readonly dnsConfig: PodDNSConfig | null;
}

export interface KubeletDNSSettings {
  /** The kubelet's cluster DNS IPs, as it writes them (Go's net.IP.String()). */
  readonly clusterDNS: readonly string[];
  readonly clusterDomain: string;
  /** The path of its host resolv.conf; "" for none. */
  readonly resolvConf: string;
}

export interface KubeletEvent {
  readonly type: 'Warning';
  readonly reason: string;
  readonly message: string;
  /** What the event is recorded on. */
  readonly object: 'Node' | 'Pod';
}

export interface PodDNSResult {
  readonly mode: DNSMode;
  /** The mode after the MissingClusterDNS fallback. */
  readonly effectiveMode: DNSMode;
  readonly config: DNSConfig;
  readonly events: readonly KubeletEvent[];
  /** True when the kubelet's option order is random (options folded through a Go map). */
  readonly optionsUnordered: boolean;
}

export const DEFAULT_DNS_OPTIONS: readonly string[] = ['ndots:5'];

/** getPodDNSType; `invalid` when the kubelet logs "invalid DNSPolicy" and falls back to cluster. */
export function podDNSMode(dnsPolicy: string, hostNetwork: boolean): { mode: DNSMode; invalid: boolean } {
  switch (dnsPolicy) {
    case 'None': return { mode: 'none', invalid: false };
    case 'ClusterFirstWithHostNet': return { mode: 'cluster', invalid: false };
    case 'ClusterFirst': return { mode: hostNetwork ? 'host' : 'cluster', invalid: false };
    case 'Default': return { mode: 'host', invalid: false };
    default: return { mode: 'cluster', invalid: true };
  }
}

/** omitDuplicates: first occurrence wins. */
export function omitDuplicates(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** generateSearchesForDNSClusterFirst. */
export function clusterFirstSearches(hostSearches: readonly string[], namespace: string, clusterDomain: string): string[] {
  if (clusterDomain === '') return [...hostSearches];
  return omitDuplicates([`${namespace}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain, ...hostSearches]);
}

/** mergeDNSOptions: folded by name, the pod's options last; first-seen order (the kubelet's is random). */
export function mergeDNSOptions(existing: readonly string[], pod: readonly DNSConfigOption[]): string[] {
  const byName = new Map<string, string>();
  for (const op of existing) {
    const i = op.indexOf(':');
    if (i >= 0) byName.set(op.slice(0, i), op.slice(i + 1));
    else byName.set(op, '');
  }
  for (const op of pod) byName.set(op.name, op.value ?? '');
  return [...byName].map(([name, value]) => (value !== '' ? `${name}:${value}` : name));
}

/** appendDNSConfig. */
export function mergeDNSConfig(base: DNSConfig, pod: PodDNSConfig): DNSConfig {
  return {
    servers: omitDuplicates([...base.servers, ...pod.nameservers]),
    searches: omitDuplicates([...base.searches, ...pod.searches]),
    options: mergeDNSOptions(base.options, pod.options),
  };
}

/** formDNSNameserversFitsLimits. */
export function fitNameservers(servers: readonly string[]): { servers: string[]; event: string | null } {
  if (servers.length <= MAX_DNS_NAMESERVERS) return { servers: [...servers], event: null };
  const kept = servers.slice(0, MAX_DNS_NAMESERVERS);
  return { servers: kept, event: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${kept.join(' ')}` };
}

/** formDNSSearchFitsLimits. */
export function fitSearches(searches: readonly string[]): { searches: string[]; event: string | null } {
  let exceeded = false;
  let out = [...searches];
  if (out.length > MAX_DNS_SEARCH_PATHS) {
    out = out.slice(0, MAX_DNS_SEARCH_PATHS);
    exceeded = true;
  }
  const short = out.filter((s) => goLen(s) <= DNS1123_SUBDOMAIN_MAX_LENGTH);
  if (short.length !== out.length) exceeded = true;
  out = short;
  const lineLen = goLen(out.join(' '));
  if (lineLen > MAX_DNS_SEARCH_LIST_CHARS) {
    let cutLen = 0;
    let cutNum = 0;
    for (let i = out.length - 1; i >= 0; i--) {
      cutLen += goLen(out[i]!) + 1;
      cutNum++;
      if (lineLen - cutLen <= MAX_DNS_SEARCH_LIST_CHARS) break;
    }
    out = out.slice(0, out.length - cutNum);
    exceeded = true;
  }
  return {
    searches: out,
    event: exceeded ? `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${out.join(' ')}` : null,
  };
}

/** format.Pod: `name_namespace(uid)`. */
export function formatPod(pod: { name: string; namespace: string; uid: string }): string {
  return `${pod.name}_${pod.namespace}(${pod.uid})`;
}

const MISSING_CLUSTER_DNS = 'kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.';

/**
 * GetPodDNS. `host` is the kubelet's parse of its resolvConf file (required unless resolvConf is
 * ""); `nodeIPs` matter only when resolvConf is "". Throws KubeletError when the host file has a
 * parse error (the kubelet then cannot create the pod's sandbox).
 */
export function getPodDNS(pod: PodDNSInput, kubelet: KubeletDNSSettings, host: HostResolvConf | null, nodeIPs: readonly string[] = []): PodDNSResult {
  let base: DNSConfig = { servers: [], searches: [], options: [] };
  if (kubelet.resolvConf !== '') {
    if (host === null) throw new TypeError(`getPodDNS: the kubelet's resolvConf ${kubelet.resolvConf} was not given`);
    if (host.errors.length > 0) throw new KubeletError(aggregateMessage(host.errors));
    base = { servers: [...host.nameservers], searches: [...host.searches], options: [...host.options] };
  }
  const events: KubeletEvent[] = [];
  const { mode } = podDNSMode(pod.dnsPolicy, pod.hostNetwork);
  let effectiveMode = mode;
  if (mode === 'none') {
    base = { servers: [], searches: [], options: [] };
  } else if (mode === 'cluster' && kubelet.clusterDNS.length > 0) {
    base = {
      servers: [...kubelet.clusterDNS],
      searches: clusterFirstSearches(base.searches, pod.namespace, kubelet.clusterDomain),
      options: [...DEFAULT_DNS_OPTIONS],
    };
  } else {
    if (mode === 'cluster') {
      events.push({ type: 'Warning', reason: 'MissingClusterDNS', message: MISSING_CLUSTER_DNS, object: 'Node' });
      events.push({ type: 'Warning', reason: 'MissingClusterDNS', message: `pod: ${goQuote(formatPod(pod))}. ${MISSING_CLUSTER_DNS}`, object: 'Pod' });
      effectiveMode = 'host';
    }
    if (kubelet.resolvConf === '') {
      const servers = [...base.servers];
      for (const ip of nodeIPs) {
        const parsed = parseIPSloppy(ip);
        servers.push(parsed !== null && !isIPv4Bytes(parsed.bytes) ? '::1' : '127.0.0.1');
      }
      if (servers.length === 0) servers.push('127.0.0.1');
      base = { servers, searches: ['.'], options: base.options };
    }
  }
  if (pod.dnsConfig !== null) base = mergeDNSConfig(base, pod.dnsConfig);
  const ns = fitNameservers(base.servers);
  if (ns.event !== null) events.push({ type: 'Warning', reason: 'DNSConfigForming', message: ns.event, object: 'Pod' });
  const search = fitSearches(base.searches);
  if (search.event !== null) events.push({ type: 'Warning', reason: 'DNSConfigForming', message: search.event, object: 'Pod' });
  const fromMap = pod.dnsConfig !== null || (effectiveMode === 'host' && kubelet.resolvConf !== '');
  return {
    mode,
    effectiveMode,
    config: { servers: ns.servers, searches: search.searches, options: base.options },
    events,
    optionsUnordered: fromMap && base.options.length >= 2,
  };
}
