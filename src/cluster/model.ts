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

/** One endpoint of a slice; only endpoints whose `conditions.ready` is not false are kept. */
export interface Endpoint {
  readonly addresses: readonly string[];
  /** endpoints[].hostname, or ''. */
  readonly hostname: string;
  /** targetRef.name when targetRef.kind is Pod, or ''. */
  readonly podName: string;
  readonly nodeName: string;
  /** endpoints[].zone, or ''. */
  readonly zone: string;
}

export interface EndpointSlice {
  readonly kind: 'EndpointSlice';
  readonly namespace: string;
  readonly name: string;
  /** The owning service, from the label kubernetes.io/service-name ('' when missing). */
  readonly service: string;
  readonly addressType: 'IPv4' | 'IPv6';
  /** Ready endpoints only (ready true or unset), in slice order. */
  readonly endpoints: readonly Endpoint[];
  /** The slice's ports, in order; empty when the slice declares none. */
  readonly ports: readonly Port[];
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
