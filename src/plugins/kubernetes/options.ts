/**
 * options.ts — the kubernetes plugin's settings as the record logic (records.ts) reads them, and
 * their defaults (CoreDNS plugin/kubernetes setup.go). Parsing the Corefile stanza into this shape
 * lives elsewhere; this file only owns the type, zone normalisation and the defaults.
 */

export type PodMode = 'disabled' | 'insecure' | 'verified';

export interface KubernetesOptions {
  /** Lower-case, absolute (trailing dot); forward zones and reverse zones (in-addr.arpa./ip6.arpa. or below). */
  readonly zones: readonly string[];
  /** The first non-reverse zone: the zone of PTR targets. */
  readonly primaryZone: string;
  /** `pods disabled|insecure|verified` (default disabled). */
  readonly pods: PodMode;
  /** `endpoint_pod_names`: endpoint hostname falls back to the pod name (< 64 chars) before the dashed IP. */
  readonly endpointPodNames: boolean;
  /** `ttl` (0–3600, default 5): every record except dns-version (28800); SOA TTL = min(ttl, 300). */
  readonly ttl: number;
  /** `namespaces`: only these namespaces exist for DNS; null = all. */
  readonly namespaces: ReadonlySet<string> | null;
  /** `noendpoints`: EndpointSlices are not watched (headless/endpoint/endpoint-PTR queries NXDOMAIN). */
  readonly noEndpoints: boolean;
  /** `ignore empty_service`: a ClusterIP service without ready addresses is NXDOMAIN. */
  readonly ignoreEmptyService: boolean;
  /** The server's own non-loopback addresses (canonical text), for apex NS and `ns.dns.<zone>`. */
  readonly localAddresses: readonly string[];
  // TODO(multicluster): `multicluster ZONES…` (B.10) — zones served from ServiceImports.
  // TODO(zonal): `zonal` (B.9) — `<topozone>.pin|prefer._zone.<svc>.<ns>.svc.<zone>` for headless services.
}

/** Lower-cases a zone and makes it absolute ("Cluster.Local" → "cluster.local."). */
export function normalizeZone(zone: string): string {
  const z = zone.toLowerCase();
  return z.endsWith('.') ? z : `${z}.`;
}

/** Whether a normalised zone is a reverse zone (in-addr.arpa., ip6.arpa. or a zone below them). */
export function isReverseZone(zone: string): boolean {
  return zone === 'in-addr.arpa.' || zone === 'ip6.arpa.' ||
    zone.endsWith('.in-addr.arpa.') || zone.endsWith('.ip6.arpa.');
}

/** The defaults of `kubernetes ZONES…` with an empty block. Throws when no forward zone is given (as CoreDNS does). */
export function defaultKubernetesOptions(zones: readonly string[]): KubernetesOptions {
  const normalized = zones.map(normalizeZone);
  const primaryZone = normalized.find((z) => !isReverseZone(z));
  if (primaryZone === undefined) throw new Error('kubernetes: a non-reverse zone name must be used');
  return {
    zones: normalized,
    primaryZone,
    pods: 'disabled',
    endpointPodNames: false,
    ttl: 5,
    namespaces: null,
    noEndpoints: false,
    ignoreEmptyService: false,
    localAddresses: [],
  };
}
