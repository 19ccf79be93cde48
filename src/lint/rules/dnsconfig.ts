/**
 * Rules about the pod fields the API server validates and the kubelet limits (podconf does both):
 *
 * - dnsconfig-over-limits, error: the API server refuses spec.dnsConfig (more than 3 nameservers
 *   or 32 searches, a search line over 2048 characters, a nameserver that is not an IP, a search
 *   that is not a domain, an option without a name, dnsPolicy None without a nameserver), with
 *   its message, the field path written as it is in the object (spec.template.spec… for a
 *   Deployment). Warning: the API server accepts it but the kubelet cuts it, with a
 *   DNSConfigForming event at every pod start: a ClusterFirst pod with 3 dnsConfig nameservers
 *   has 4 with the cluster DNS server; 30 dnsConfig searches are 33 after the cluster's 3. The
 *   node's resolv.conf is not known from manifests: counted with one cluster DNS server (the
 *   kube-dns Service's IP when the manifests have it) and no search line on the node.
 * - pod-dns-invalid, error: the API server refuses spec.dnsPolicy, spec.hostAliases (an IP that
 *   is not one, a trailing-dot or upper-case name), spec.hostname or spec.subdomain.
 */
import { formatFieldError, getPodDNS, parseHostResolvConf, validatePod } from '../../podconf/index.ts';
import type { Finding } from '../types.ts';
import { formatPath, parsePath } from '../types.ts';
import type { Path } from '../source.ts';
import type { Rule, RuleContext } from './common.ts';
import { finding } from './common.ts';

const POD_DNS_FIELDS = ['spec.dnsPolicy', 'spec.hostAliases', 'spec.hostname', 'spec.subdomain'];
const DEFAULT_CLUSTER_DNS = '10.96.0.10';

function under(field: string, prefix: string): boolean {
  return field === prefix || field.startsWith(`${prefix}.`) || field.startsWith(`${prefix}[`);
}

export const podDNSChecks: Rule = (ctx: RuleContext): Finding[] => {
  const out: Finding[] = [];
  const kubeDNS = ctx.cluster.services.find((s) => s.service.namespace === 'kube-system' && s.service.name === 'kube-dns')?.service.clusterIPs[0];
  const clusterDNS = kubeDNS ?? DEFAULT_CLUSTER_DNS;
  for (const w of ctx.cluster.workloads) {
    if (w.owned) continue;
    let dnsConfigRefused = false;
    for (const e of validatePod(w.pod)) {
      const dnsConfig = under(e.field, 'spec.dnsConfig');
      if (!dnsConfig && !POD_DNS_FIELDS.some((f) => under(e.field, f))) continue;
      dnsConfigRefused ||= dnsConfig;
      const path: Path = [...w.specPath, ...parsePath(e.field).slice(1)];
      out.push(finding(dnsConfig ? 'dnsconfig-over-limits' : 'pod-dns-invalid', 'error', w.source, w.ref, path,
        `the API server refuses this ${w.ref.kind}: ${formatFieldError({ ...e, field: formatPath(path) })}`));
    }
    if (dnsConfigRefused || w.pod.dnsConfig === null) continue;
    const result = getPodDNS(
      { name: w.pod.name, namespace: w.ref.namespace, uid: '', dnsPolicy: w.pod.dnsPolicy, hostNetwork: w.pod.hostNetwork, dnsConfig: w.pod.dnsConfig },
      { clusterDNS: [clusterDNS], clusterDomain: ctx.clusterDomain, resolvConf: '/etc/resolv.conf' },
      parseHostResolvConf(''),
    );
    for (const ev of result.events) {
      if (ev.reason !== 'DNSConfigForming') continue;
      const list = ev.message.startsWith('Nameserver') ? 'nameservers' : 'searches';
      const counted = result.effectiveMode === 'cluster'
        ? ` (counted with one cluster DNS server, ${clusterDNS}, the cluster's search domains, and no search line on the node)`
        : result.effectiveMode === 'host' ? ' (counted without the node\'s resolv.conf, which adds its own entries)' : '';
      out.push(finding('dnsconfig-over-limits', 'warning', w.source, w.ref, [...w.specPath, 'dnsConfig', list],
        `the kubelet cuts this pod's ${list === 'nameservers' ? 'nameserver list to 3' : 'search list to 32 domains and 2048 characters'} `
        + `and reports it at every start (DNSConfigForming): "${ev.message}"${counted}`));
    }
  }
  return out;
};
