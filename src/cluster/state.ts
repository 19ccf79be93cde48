/**
 * ClusterState: the read-only view of the cluster that the kubernetes plugin answers from.
 * One implementation (ClusterStore in store.ts) is fed by every source; tests build one from
 * objects with ClusterStore.from(). Lookups are index hits, never scans, except services().
 * Names and namespaces are matched exactly: callers pass lower-cased query labels, and
 * Kubernetes object names are lower case by API validation.
 */
import type { EndpointSlice, Service } from './model.ts';

/** What DNS knows of a pod at an address: its namespace, and whether it is on the host network. */
export interface PodAtIP {
  readonly namespace: string;
  readonly hostNetwork: boolean;
}

export interface ClusterState {
  /** True once the source has delivered a complete initial state. */
  readonly synced: boolean;
  /** Bumps on every change to the state, DNS-relevant or not. Answer caches key on it. */
  readonly revision: number;
  /**
   * Unix time in seconds of the last DNS-relevant change (the SOA serial, CoreDNS's Modified()):
   * a service added, deleted or changed in type, IPs, ports or externalName; an endpoint
   * address, hostname or port change; a pod IP change. Namespace events do not count. 0 before any.
   */
  readonly modified: number;
  /**
   * What an answer about names of one namespace (`*.NS.svc.<zone>`, `*.NS.pod.<zone>`) depends on,
   * for the server's answer cache: `revision` changes whenever an object of that namespace (or the
   * Namespace itself) changes; with `negative`, also whenever what every negative answer shows
   * changes (the SOA serial `modified`, the state becoming synced). Answers about anything else
   * depend on the whole state (`revision`).
   */
  scope(namespace: string, negative: boolean): { readonly revision: number };
  hasNamespace(name: string): boolean;
  service(namespace: string, name: string): Service | undefined;
  /** Every slice of the service (by the kubernetes.io/service-name label), in a stable order. */
  slicesOf(namespace: string, service: string): readonly EndpointSlice[];
  /** Services having `ip` among their clusterIPs, in a stable order. */
  servicesByIP(ip: string): readonly Service[];
  /** Slices having a (ready) endpoint with address `ip`, in a stable order. */
  slicesByIP(ip: string): readonly EndpointSlice[];
  /** One entry per pod having `ip` among its IPs (pods of one namespace share the same entry). */
  podsByIP(ip: string): readonly PodAtIP[];
  /** Every service, in a stable order (zone transfers, lint). */
  services(): Iterable<Service>;
}
