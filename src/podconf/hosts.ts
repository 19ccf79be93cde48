/**
 * The pod's /etc/hosts as the kubelet writes it (pkg/kubelet/kubelet_pods.go), and the names it
 * is built from:
 *
 * - `managedHostsFile`: managedHostsFileContent — the "# Kubernetes-managed hosts file." header,
 *   the fixed localhost and IPv6 lines (note the spaces, not tabs, between the ::1 aliases), one
 *   line per pod IP (`ip\thost.domain\thost` with a subdomain, `ip\thost` without), then the
 *   HostAliases block.
 * - `hostNetworkHostsFile`: nodeHostsFileContent — the "(host network)" header, the node's
 *   /etc/hosts copied byte for byte, then the HostAliases block.
 * - `hostAliasesBlock`: hostsEntriesFromHostAliases — nothing without aliases; otherwise a blank
 *   line, "# Entries added by HostAliases.", and one line per alias, its names joined by tabs,
 *   nothing sorted, de-duplicated or checked.
 * - `podHostnameAndDomain`: GeneratePodHostNameAndDomain and truncatePodHostnameIfNeeded — the
 *   hostname (spec.hostname, else metadata.name, cut to 63 characters and stripped of trailing
 *   '-' and '.') and the domain `<subdomain>.<namespace>.svc.<clusterDomain>`.
 * - `nodenameForKernel`: pkg/kubelet/util.GetNodenameForKernel — the UTS hostname, the FQDN when
 *   setHostnameAsFQDN is true and a domain exists (64 characters at most).
 *
 * The kubelet mounts the file only once the pod has an IP (shouldMountHostsFile); the caller
 * decides that (see files.ts).
 */
import { goLen, goQuote } from './go.ts';
import { dns1123LabelErrors } from './validate.ts';

export const MANAGED_HOSTS_HEADER = '# Kubernetes-managed hosts file.\n';
export const MANAGED_HOSTS_HEADER_HOST_NETWORK = '# Kubernetes-managed hosts file (host network).\n';

export interface HostAlias {
  readonly ip: string;
  readonly hostnames: readonly string[];
}

/** An error the kubelet raises while starting the pod (not an API validation error). */
export class KubeletError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeletError';
  }
}

export function hostAliasesBlock(aliases: readonly HostAlias[]): string {
  if (aliases.length === 0) return '';
  let out = '\n# Entries added by HostAliases.\n';
  for (const a of aliases) out += `${a.ip}\t${a.hostnames.join('\t')}\n`;
  return out;
}

export function managedHostsFile(podIPs: readonly string[], hostname: string, domain: string, aliases: readonly HostAlias[]): string {
  let out = MANAGED_HOSTS_HEADER
    + '127.0.0.1\tlocalhost\n'
    + '::1\tlocalhost ip6-localhost ip6-loopback\n'
    + 'fe00::0\tip6-localnet\n'
    + 'fe00::0\tip6-mcastprefix\n'
    + 'fe00::1\tip6-allnodes\n'
    + 'fe00::2\tip6-allrouters\n';
  for (const ip of podIPs) out += domain.length > 0 ? `${ip}\t${hostname}.${domain}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  return out + hostAliasesBlock(aliases);
}

export function hostNetworkHostsFile(nodeHosts: string, aliases: readonly HostAlias[]): string {
  return MANAGED_HOSTS_HEADER_HOST_NETWORK + nodeHosts + hostAliasesBlock(aliases);
}

const HOSTNAME_MAX = 63;

/** truncatePodHostnameIfNeeded. Throws KubeletError when nothing is left. */
export function truncatePodHostname(podName: string, hostname: string): string {
  if (goLen(hostname) <= HOSTNAME_MAX) return hostname;
  const bytes = new TextEncoder().encode(hostname).subarray(0, HOSTNAME_MAX);
  const truncated = new TextDecoder().decode(bytes).replace(/[-.]+$/, '');
  if (truncated.length === 0) throw new KubeletError(`hostname for pod ${goQuote(podName)} was invalid: ${goQuote(hostname)}`);
  return truncated;
}

export interface HostnameInput {
  readonly name: string;
  readonly namespace: string;
  readonly hostname: string;
  readonly subdomain: string;
}

/** GeneratePodHostNameAndDomain. Throws KubeletError as the kubelet fails. */
export function podHostnameAndDomain(pod: HostnameInput, clusterDomain: string): { hostname: string; domain: string } {
  let hostname = pod.name;
  if (pod.hostname.length > 0) {
    const msgs = dns1123LabelErrors(pod.hostname);
    if (msgs.length > 0) throw new KubeletError(`pod Hostname ${goQuote(pod.hostname)} is not a valid DNS label: ${msgs.join(';')}`);
    hostname = pod.hostname;
  }
  hostname = truncatePodHostname(pod.name, hostname);
  let domain = '';
  if (pod.subdomain.length > 0) {
    const msgs = dns1123LabelErrors(pod.subdomain);
    if (msgs.length > 0) throw new KubeletError(`pod Subdomain ${goQuote(pod.subdomain)} is not a valid DNS label: ${msgs.join(';')}`);
    domain = `${pod.subdomain}.${pod.namespace}.svc.${clusterDomain}`;
  }
  return { hostname, domain };
}

const FQDN_MAX = 64;

/** GetNodenameForKernel. Throws KubeletError when the FQDN does not fit the kernel's nodename. */
export function nodenameForKernel(hostname: string, domain: string, setHostnameAsFQDN: boolean): string {
  if (domain.length > 0 && setHostnameAsFQDN) {
    const fqdn = `${hostname}.${domain}`;
    if (goLen(fqdn) > FQDN_MAX) {
      throw new KubeletError(`failed to construct FQDN from pod hostname and cluster domain, FQDN ${fqdn} is too long (${FQDN_MAX} characters is the max, ${goLen(fqdn)} characters requested)`);
    }
    return fqdn;
  }
  return hostname;
}
