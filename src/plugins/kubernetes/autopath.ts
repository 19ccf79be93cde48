/**
 * The kubernetes plugin's AutoPather (CoreDNS plugin/kubernetes/autopath.go): the search path of
 * the pod that sent a query, for the autopath plugin. For a client IP that belongs to a pod in
 * namespace NS and a query in zone Z it is
 *   [NS.svc.Z, svc.Z, Z, …the search list of this server's own resolv.conf…, ""]
 * which is what kubelet writes into a ClusterFirst pod's resolv.conf.
 *
 * As CoreDNS, only with `pods verified` (the pod index is only trusted then). Safer than CoreDNS
 * (users.md pain #12): no search path before the cluster state has synced (the pod index may be
 * stale or empty), none for hostNetwork pods (their IP is the node's, shared by every host-network
 * pod and the node itself), and none when pods of different namespaces hold the IP (a reused IP
 * whose old pod has not gone yet): in each case the client walks its own list, which is slower
 * but never wrong. Pods in phase Succeeded/Failed/Unknown never reach the state (cluster/convert.ts).
 */
import { readFileSync } from 'node:fs';
import { parseResolvSearch } from '../../dns/resolvconf.ts';
import type { AutoPather } from '../../core/capabilities.ts';
import type { Address, Request } from '../../core/request.ts';
import type { ClusterState } from '../../cluster/state.ts';
import { matchLowerZone } from '../../dns/name.ts';
import type { KubernetesConfig } from './setup.ts';

export interface AutoPatherOptions {
  /** The resolv.conf whose search list follows the cluster domains (default /etc/resolv.conf). */
  readonly resolvConf?: string;
}

const NONE: AutoPather = { searchPath: () => null };

export function autoPather(state: ClusterState, config: KubernetesConfig, options: AutoPatherOptions = {}): AutoPather {
  const opts = config.options;
  if (opts.pods !== 'verified') return NONE;
  const hostSearch = searchFromResolvConf(options.resolvConf ?? '/etc/resolv.conf');
  // One frozen path per (zone, namespace), built on first use: no allocation per query.
  const paths = new Map<string, Map<string, readonly string[]>>();
  const pathFor = (zone: string, ns: string): readonly string[] => {
    let byNs = paths.get(zone);
    if (byNs === undefined) paths.set(zone, (byNs = new Map()));
    let path = byNs.get(ns);
    if (path === undefined) {
      const z = zone === '.' ? '' : zone;
      path = Object.freeze([`${ns}.svc.${z}`, `svc.${z}`, zone, ...hostSearch, '']);
      byNs.set(ns, path);
    }
    return path;
  };
  /** The namespace whose search path the client gets, or null for none. */
  const namespaceOf = (client: Address): string | null => {
    if (!state.synced) return null;
    const pods = state.podsByIP(clientIP(client.address));
    let ns: string | null = null;
    for (const p of pods) {
      if (p.hostNetwork) return null;
      if (ns === null) ns = p.namespace;
      else if (ns !== p.namespace) return null;
    }
    return ns;
  };
  return {
    searchPath(req: Request): readonly string[] | null {
      const zone = matchLowerZone(req.lname, opts.zones);
      if (zone === null) return null;
      const ns = namespaceOf(req.client);
      return ns === null ? null : pathFor(zone, ns);
    },
    // Namespace names never contain "/": "/" is "no search path", distinct from every namespace.
    clientKey: { of: (client) => namespaceOf(client) ?? '/' },
    source: state,
  };
}

/** The client address as the pod index holds it: IPv4-mapped IPv6 (a dual-stack socket) as IPv4. */
function clientIP(address: string): string {
  if (address.length > 7 && address.charCodeAt(0) === 58 /* : */ && address.startsWith('::ffff:') && address.includes('.', 7)) {
    return address.slice(7);
  }
  return address;
}

/**
 * The search list of a resolv.conf (miekg/dns ClientConfigFromFile: the last `search` or `domain`
 * line wins), lower-cased and absolute; "." entries are dropped (the "" sentinel already asks the
 * bare name). A missing or unreadable file gives [] (CoreDNS does the same).
 */
export function searchFromResolvConf(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return parseResolvSearch(text);
}
