/**
 * The slim cluster objects DNS needs, and nothing else. Every source (manifest files, the API
 * watch) converts API objects into these shapes in cluster/convert.ts; plugins only ever see them.
 * Keeping them small is the memory budget: CoreDNS's top incident class at scale is memory held
 * in full API objects. Strings are as written in the API object, IP addresses in canonical text
 * form (IPv6 compressed, lower case). Objects are immutable once built.
 */

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

/** A port of a Service or an EndpointSlice. `protocol` is lower case ('tcp', 'udp', 'sctp'). */
export interface Port {
  /** '' for an unnamed port. */
  readonly name: string;
  readonly port: number;
  readonly protocol: string;
}

export interface Service {
  readonly kind: 'Service';
  readonly namespace: string;
  readonly name: string;
  readonly type: ServiceType;
  /** clusterIP "None" (or unset on a non-ExternalName service with no IPs). */
  readonly headless: boolean;
  /** spec.clusterIPs (or spec.clusterIP), canonical text, primary family first; [] when headless. */
  readonly clusterIPs: readonly string[];
  /** spec.externalName for type ExternalName, else ''. */
  readonly externalName: string;
  /** spec.ports, in order. Empty when the service declares none. */
  readonly ports: readonly Port[];
  /** spec.externalIPs then status.loadBalancer.ingress[].ip (used by k8s_external-style zones). */
  readonly externalIPs: readonly string[];
  /** Whether the service has a selector (a selector-less service gets mirrored Endpoints). */
  readonly hasSelector: boolean;
}

/**
 * A slice's ready endpoints (`conditions.ready` not false), flattened to one entry per address in
 * slice order — an endpoint with two addresses gives two entries, as CoreDNS's EndpointAddress
 * list does — and kept as parallel columns rather than an object per endpoint: at 100k endpoints
 * an object and an array per endpoint cost ~100 bytes each (bench/README.md, Memory). Node names
 * and zones are not kept: no DNS answer depends on them.
 */
export interface EndpointSlice {
  readonly kind: 'EndpointSlice';
  readonly namespace: string;
  readonly name: string;
  /** The owning service, from the label kubernetes.io/service-name ('' when missing). */
  readonly service: string;
  readonly addressType: 'IPv4' | 'IPv6';
  /** The ready endpoints' addresses, one entry per address, in slice order. */
  readonly ips: readonly string[];
  /** Per entry of `ips`: its endpoint's hostname; null when every one is ''. */
  readonly hostnames: readonly string[] | null;
  /** Per entry of `ips`: its endpoint's targetRef.name when targetRef.kind is Pod, else ''; null when every one is ''. */
  readonly podNames: readonly string[] | null;
  /** The slice's ports, in order; empty when the slice declares none. */
  readonly ports: readonly Port[];
}

/** One endpoint as sources read it, before it joins its slice's columns (endpointColumns). */
export interface Endpoint {
  readonly addresses: readonly string[];
  /** endpoints[].hostname, or ''. */
  readonly hostname: string;
  /** targetRef.name when targetRef.kind is Pod, or ''. */
  readonly podName: string;
}

/**
 * The columns of EndpointSlice for ready endpoints in slice order. Each column is allocated at its
 * final length: an array grown by push() keeps room for 17 entries at least (~150 bytes for one
 * of 10 addresses).
 */
export function endpointColumns(endpoints: readonly Endpoint[]): Pick<EndpointSlice, 'ips' | 'hostnames' | 'podNames'> {
  let n = 0;
  let anyHostname = false;
  let anyPod = false;
  for (const e of endpoints) {
    n += e.addresses.length;
    anyHostname ||= e.hostname !== '' && e.addresses.length > 0;
    anyPod ||= e.podName !== '' && e.addresses.length > 0;
  }
  const ips = new Array<string>(n);
  const hostnames = anyHostname ? new Array<string>(n) : null;
  const podNames = anyPod ? new Array<string>(n) : null;
  let i = 0;
  for (const e of endpoints) {
    for (const ip of e.addresses) {
      ips[i] = ip;
      if (hostnames !== null) hostnames[i] = e.hostname;
      if (podNames !== null) podNames[i] = e.podName;
      i++;
    }
  }
  return { ips, hostnames, podNames };
}

export interface Pod {
  readonly kind: 'Pod';
  readonly namespace: string;
  readonly name: string;
  /** status.podIPs (or status.podIP), canonical text. */
  readonly ips: readonly string[];
  readonly hostNetwork: boolean;
}

export interface Namespace {
  readonly kind: 'Namespace';
  readonly name: string;
}

export type ClusterObject = Service | EndpointSlice | Pod | Namespace;
