/**
 * Rules about the names a pod's containers look up (env values, args, commands, probe and hook
 * commands, ConfigMap values they read):
 *
 * - ndots-amplification: a ClusterFirst pod naming an external host (names.ts: looksExternal, not a
 *   cluster name) with fewer dots than its ndots and no trailing dot. glibc and musl then try the name in every search domain first, A
 *   and AAAA each, before the name itself: 2 × searches + 2 queries where 2 would do.
 * - default-policy-cluster-name: a pod resolving with the node's resolv.conf (dnsPolicy Default,
 *   or ClusterFirst on the host network, which the kubelet treats as Default) naming a cluster
 *   name, which the node's resolvers do not answer.
 */
import { clusterFirstSearches, mergeDNSOptions, podDNSMode } from '../../podconf/index.ts';
import type { Workload } from '../cluster.ts';
import { clusterName, dots, findHosts, looksExternal, surelyClusterName } from '../names.ts';
import type { Finding } from '../types.ts';
import type { Rule, RuleContext } from './common.ts';
import { finding } from './common.ts';

/**
 * Environment variables whose values name hosts without looking them up: proxy exclusions, the
 * Host headers or origins a server accepts, cookie domains.
 */
const NOT_LOOKED_UP = /^(no_proxy|.*allowed_hosts?|.*allowed_origins?|.*cors.*|.*cookie_domain)$/i;

/** The texts of a workload that name hosts it looks up. */
function lookupTexts(w: Workload): Workload['texts'] {
  return w.texts.filter((t) => t.env === undefined || !NOT_LOOKED_UP.test(t.env));
}

/** glibc's reading of `options ndots:N` (atoi, at most 15); no ndots option: 1. */
export function ndotsOf(options: readonly string[]): number {
  let ndots = 1;
  for (const o of options) {
    if (!o.startsWith('ndots:')) continue;
    const m = /^[+-]?\d+/.exec(o.slice('ndots:'.length).trimStart());
    const n = m === null ? 0 : Number(m[0]);
    ndots = Math.max(0, Math.min(n, 15));
  }
  return ndots;
}

/** The search list a ClusterFirst pod gets from the cluster and its dnsConfig (the node's is not known). */
export function podSearches(w: Workload, clusterDomain: string): string[] {
  return [...new Set([...clusterFirstSearches([], w.ref.namespace, clusterDomain), ...(w.pod.dnsConfig?.searches ?? [])])];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export const ndotsAmplification: Rule = (ctx: RuleContext): Finding[] => {
  const out: Finding[] = [];
  for (const w of ctx.cluster.workloads) {
    if (w.owned) continue;
    const { mode, invalid } = podDNSMode(w.pod.dnsPolicy, w.pod.hostNetwork);
    if (mode !== 'cluster' || invalid) continue;
    const ndots = ndotsOf(w.pod.dnsConfig === null ? ['ndots:5'] : mergeDNSOptions(['ndots:5'], w.pod.dnsConfig.options));
    const searches = podSearches(w, ctx.clusterDomain);
    if (searches.length === 0) continue;
    // Names of the pod's /etc/hosts (hostAliases) never reach DNS.
    const seen = new Set<string>(w.pod.hostAliases.flatMap((a) => a.hostnames.map((n) => n.toLowerCase().replace(/\.$/, ''))));
    for (const t of lookupTexts(w)) {
      for (const h of findHosts(t.text)) {
        if (h.absolute || seen.has(h.host)) continue;
        if (clusterName(h.host, w.ref.namespace, ctx.cluster.names) !== null) continue;
        if (!looksExternal(h.host, !h.bare)) continue;
        const d = dots(h.host);
        if (d >= ndots) continue;
        seen.add(h.host);
        const n = searches.length;
        out.push(finding('ndots-amplification', 'warning', w.source, w.ref, t.path,
          `${h.host} (${t.where}) has ${plural(d, 'dot')}, fewer than ndots:${ndots}, so a ClusterFirst pod tries it in each of its `
          + `${plural(n, 'search domain')} first (${searches.join(' ')}, then any the node's resolv.conf adds): `
          + `${2 * n + 2} queries (A and AAAA), ${2 * n} of them NXDOMAIN, for each lookup that needs 2; `
          + `write ${h.host}. (with the trailing dot) or set the dnsConfig option ndots:${Math.max(1, Math.min(d, 2))}`,
          t.own ? h.offset : undefined));
      }
    }
  }
  return out;
};

export const defaultPolicyClusterName: Rule = (ctx: RuleContext): Finding[] => {
  const out: Finding[] = [];
  for (const w of ctx.cluster.workloads) {
    if (w.owned) continue;
    if (podDNSMode(w.pod.dnsPolicy, w.pod.hostNetwork).mode !== 'host') continue;
    const hostNetClusterFirst = w.pod.dnsPolicy === 'ClusterFirst';
    const seen = new Set<string>();
    for (const t of lookupTexts(w)) {
      for (const h of findHosts(t.text)) {
        if (seen.has(h.host)) continue;
        const what = surelyClusterName(h.host, ctx.cluster.names);
        if (what === null) continue;
        seen.add(h.host);
        const why = hostNetClusterFirst
          ? 'this hostNetwork pod has dnsPolicy ClusterFirst, which the kubelet treats as Default: it gets the node\'s resolv.conf'
          : 'dnsPolicy Default gives this pod the node\'s resolv.conf';
        const fix = hostNetClusterFirst ? 'set dnsPolicy ClusterFirstWithHostNet' : 'use dnsPolicy ClusterFirst (the default)';
        out.push(finding('default-policy-cluster-name', 'warning', w.source, w.ref, t.path,
          `${h.host} (${t.where}) is ${what}, but ${why}, whose nameservers do not serve the cluster zone `
          + `and whose search list has none of the cluster's domains: the lookup fails; ${fix}`,
          t.own ? h.offset : undefined));
      }
    }
  }
  return out;
};
