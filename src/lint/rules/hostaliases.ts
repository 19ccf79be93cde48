/**
 * Rules about spec.hostAliases, the lines the kubelet appends to a pod's /etc/hosts, which glibc,
 * musl and Go read before asking DNS:
 *
 * - hostalias-stale-ip: an alias IP that no current Pod, Service (cluster, external, load-balancer
 *   IP), endpoint or Node has, inside the cluster's own address ranges (--cluster-cidr, or else the
 *   /16 or /64 around the manifests' Service IPs and pod-network Pod IPs). An address outside them
 *   (a database on the corporate network) cannot be judged from manifests and is left alone.
 * - hostalias-shadows-cluster-name: an alias name that DNS would answer from the cluster: a name
 *   in the cluster domain, `<svc>.<ns>[.svc]` of a Service, or the bare name of a Service of the
 *   pod's namespace (which the search list would make `<svc>.<ns>.svc.<domain>`).
 */
import { canonicalIP } from '../../dns/ip.ts';
import { goIPString, parseIPSloppy } from '../../podconf/index.ts';
import { cidrContains, inferRanges } from '../cidr.ts';
import type { LintCluster } from '../cluster.ts';
import type { Finding } from '../types.ts';
import type { Rule, RuleContext } from './common.ts';
import { finding } from './common.ts';

export const hostAliasStaleIP: Rule = (ctx: RuleContext): Finding[] => {
  const out: Finding[] = [];
  const explicit = ctx.clusterCIDRs.length > 0;
  const ranges = explicit ? ctx.clusterCIDRs : inferRanges(ctx.cluster.clusterIPs);
  for (const w of ctx.cluster.workloads) {
    if (w.owned) continue;
    w.pod.hostAliases.forEach((alias, i) => {
      const parsed = parseIPSloppy(alias.ip);
      if (parsed === null) return; // pod-dns-invalid
      const ip = canonicalIP(goIPString(parsed));
      if (ip === null || ctx.cluster.currentIPs.has(ip)) return;
      const range = ranges.find((r) => cidrContains(r, ip));
      if (range === undefined) return;
      const names = alias.hostnames.length === 0 ? 'no name' : alias.hostnames.join(', ');
      const where = explicit ? `--cluster-cidr ${range.text}` : `${range.text}, where the cluster's Service and Pod IPs are`;
      out.push(finding('hostalias-stale-ip', 'error', w.source, w.ref, [...w.specPath, 'hostAliases', i, 'ip'],
        `hostAliases[${i}] maps ${names} to ${alias.ip}, which no current Pod, Service or endpoint has, though it is in ${where}: `
        + 'the alias sends the pod to an address nothing answers (or to whatever gets it next), and the kubelet never updates it; '
        + 'name the Service instead (ClusterFirst resolves it) or correct the IP'));
    });
  }
  return out;
};

/** What cluster name `name` is, for a pod of `namespace`, or null. */
export function shadowedClusterName(name: string, namespace: string, cluster: LintCluster, clusterDomain: string): string | null {
  const n = name.toLowerCase().replace(/\.$/, '');
  const hasService = (ns: string, svc: string): boolean => cluster.names.services.has(`${ns}/${svc}`);
  const labels = n.split('.');
  if (clusterDomain !== '' && (n === clusterDomain || n.endsWith(`.${clusterDomain}`))) {
    const rel = n === clusterDomain ? [] : n.slice(0, -clusterDomain.length - 1).split('.');
    if (rel.length >= 3 && rel[rel.length - 1] === 'svc' && hasService(rel[rel.length - 2]!, rel[rel.length - 3]!)) {
      return `the cluster name of Service ${rel[rel.length - 2]}/${rel[rel.length - 3]}`;
    }
    return `in the cluster domain ${clusterDomain}`;
  }
  const rel = labels[labels.length - 1] === 'svc' ? labels.slice(0, -1) : labels;
  if (rel.length === 2 && hasService(rel[1]!, rel[0]!)) return `the name of Service ${rel[1]}/${rel[0]}`;
  if (labels[labels.length - 1] === 'svc') return 'a cluster Service name (.svc)';
  if (labels.length === 1 && hasService(namespace, n)) {
    return `the short name of Service ${namespace}/${n} (the search list makes it ${n}.${namespace}.svc${clusterDomain === '' ? '' : `.${clusterDomain}`})`;
  }
  return null;
}

export const hostAliasShadowsClusterName: Rule = (ctx: RuleContext): Finding[] => {
  const out: Finding[] = [];
  for (const w of ctx.cluster.workloads) {
    if (w.owned) continue;
    w.pod.hostAliases.forEach((alias, i) => {
      alias.hostnames.forEach((name, j) => {
        const what = shadowedClusterName(name, w.ref.namespace, ctx.cluster, ctx.clusterDomain);
        if (what === null) return;
        out.push(finding('hostalias-shadows-cluster-name', 'warning', w.source, w.ref, [...w.specPath, 'hostAliases', i, 'hostnames', j],
          `hostAliases[${i}].hostnames[${j}] ${name} is ${what}: /etc/hosts is read before DNS, so this pod gets ${alias.ip} for it `
          + 'whatever the cluster answers, and keeps it after the Service moves; remove the alias and let DNS answer'));
      });
    });
  }
  return out;
};
