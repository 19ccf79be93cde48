/**
 * Both files a pod gets, put together in the order the kubelet works:
 *
 * 1. Sandbox: GetPodDNS (dns.ts; a broken host resolv.conf fails it) → the CRI DNSConfig, which the
 *    runtime writes as the sandbox's resolv.conf (resolvconf.ts; all lists empty → a copy of the
 *    node's /etc/resolv.conf). The sandbox's hostname is set for pod-network pods only; hostNetwork
 *    pods keep the node's.
 * 2. Containers: GeneratePodHostNameAndDomain and GetNodenameForKernel for every pod (their errors
 *    stop every container), then the managed /etc/hosts (hosts.ts) — only once the pod has an IP
 *    (shouldMountHostsFile): the generated file for pod-network pods, the node's copy for
 *    hostNetwork pods.
 *
 * Throws KubeletError where the kubelet would fail to start the pod. The pod is assumed valid
 * (validate.ts).
 */
import type { DNSMode, KubeletDNSSettings, KubeletEvent } from './dns.ts';
import { getPodDNS } from './dns.ts';
import { hostNetworkHostsFile, managedHostsFile, nodenameForKernel, podHostnameAndDomain } from './hosts.ts';
import type { Pod } from './pod.ts';
import type { DNSConfig } from './resolvconf.ts';
import { parseHostResolvConf, renderResolvConf } from './resolvconf.ts';

export interface PodFilesInput {
  readonly pod: Pod;
  readonly kubelet: KubeletDNSSettings;
  /** The content of the kubelet's resolvConf file; null when its resolvConf is "". */
  readonly hostResolvConf: string | null;
  /** The node's /etc/hosts (copied for hostNetwork pods). */
  readonly nodeHosts?: string | null;
  /** The IPs the kubelet writes to /etc/hosts; default: the pod's status IPs. */
  readonly podIPs?: readonly string[];
  /** The kubelet's node IPs (used when its resolvConf is ""). */
  readonly nodeIPs?: readonly string[];
  /** The node's /etc/resolv.conf, which the runtime copies when the DNS lists are all empty; default: hostResolvConf. */
  readonly nodeResolvConf?: string | null;
}

export interface PodFiles {
  /** /etc/hosts, or null when the kubelet does not manage it (the pod has no IP yet). */
  readonly hosts: string | null;
  readonly resolvConf: string;
  /** The CRI DNSConfig the kubelet hands the runtime. */
  readonly dns: DNSConfig;
  /** The pod's kernel hostname; "" for hostNetwork pods, which see the node's. */
  readonly hostname: string;
  readonly events: readonly KubeletEvent[];
  readonly mode: DNSMode;
  readonly effectiveMode: DNSMode;
  /** The kubelet writes the options in random order (podns writes them in first-seen order). */
  readonly optionsUnordered: boolean;
  /** resolv.conf is the runtime's copy of the node's /etc/resolv.conf (every DNS list was empty). */
  readonly copiedNodeResolvConf: boolean;
}

export function podFiles(input: PodFilesInput): PodFiles {
  const { pod, kubelet } = input;
  const host = kubelet.resolvConf !== '' ? parseHostResolvConf(input.hostResolvConf ?? '') : null;
  const dns = getPodDNS(pod, kubelet, host, input.nodeIPs ?? []);
  const nodeResolvConf = input.nodeResolvConf !== undefined ? input.nodeResolvConf : input.hostResolvConf;
  const rendered = renderResolvConf(dns.config, nodeResolvConf);

  const { hostname, domain } = podHostnameAndDomain(pod, kubelet.clusterDomain);
  const nodename = nodenameForKernel(hostname, domain, pod.setHostnameAsFQDN);

  const podIPs = input.podIPs ?? pod.podIPs;
  let hosts: string | null = null;
  if (podIPs.length > 0) {
    if (pod.hostNetwork) {
      if (input.nodeHosts === undefined || input.nodeHosts === null) throw new TypeError('podFiles: a hostNetwork pod needs the node\'s /etc/hosts');
      hosts = hostNetworkHostsFile(input.nodeHosts, pod.hostAliases);
    } else {
      hosts = managedHostsFile(podIPs, hostname, domain, pod.hostAliases);
    }
  }
  return {
    hosts,
    resolvConf: rendered ?? '',
    dns: dns.config,
    hostname: pod.hostNetwork ? '' : nodename,
    events: dns.events,
    mode: dns.mode,
    effectiveMode: dns.effectiveMode,
    optionsUnordered: dns.optionsUnordered,
    copiedNodeResolvConf: dns.config.servers.length === 0 && dns.config.searches.length === 0 && dns.config.options.length === 0,
  };
}
