/**
 * What `podns lint` reports: findings, each from one rule, with a severity, the file and line the
 * object (or the offending field) came from, the object it is about, and a message that says what
 * goes wrong for the pods and how to fix it. The rules and their severities are listed in RULES
 * (and described in README.md).
 */

export type Severity = 'error' | 'warning';

export const RULES = {
  'manifest-invalid': { severities: ['error'], summary: 'a document that is not YAML/JSON, not an API object, or an object the API server (or podns serve) would refuse to decode' },
  'ndots-amplification': { severities: ['warning'], summary: 'a ClusterFirst pod names an external host with fewer dots than ndots and no trailing dot: every lookup walks the search list first' },
  'hostalias-stale-ip': { severities: ['error'], summary: 'a hostAliases IP in the cluster\'s address ranges that no current Pod, Service or endpoint has' },
  'hostalias-shadows-cluster-name': { severities: ['warning'], summary: 'a hostAliases name that is a cluster name: /etc/hosts answers before DNS, so the pod never sees the Service move' },
  'dnsconfig-over-limits': { severities: ['error', 'warning'], summary: 'spec.dnsConfig the API server refuses (error) or the kubelet cuts with a DNSConfigForming event (warning)' },
  'pod-dns-invalid': { severities: ['error'], summary: 'spec.dnsPolicy, hostAliases, hostname or subdomain the API server refuses' },
  'default-policy-cluster-name': { severities: ['warning'], summary: 'a pod that resolves with the node\'s resolver (dnsPolicy Default, or ClusterFirst on the host network) names a cluster name' },
  'externalname-ip': { severities: ['error'], summary: 'an ExternalName Service whose externalName is an IP address' },
  'externalname-self': { severities: ['error'], summary: 'an ExternalName Service whose externalName is its own cluster name, directly or through other ExternalName Services' },
  'headless-no-ready-endpoints': { severities: ['warning'], summary: 'a headless Service with no ready endpoint: its name is NXDOMAIN' },
  'selector-matches-no-pod': { severities: ['warning'], summary: 'a Service whose selector matches no Pod and no pod template of its namespace' },
  'corefile-invalid': { severities: ['error'], summary: 'a Corefile that `podns validate` rejects' },
  'corefile-warning': { severities: ['warning'], summary: 'a Corefile that `podns validate` accepts with a warning' },
} as const satisfies Record<string, { severities: readonly Severity[]; summary: string }>;

export type RuleId = keyof typeof RULES;

export const RULE_IDS = Object.keys(RULES) as RuleId[];

/** The object a finding is about; namespace '' for cluster-scoped objects. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export interface Finding {
  readonly rule: RuleId;
  readonly severity: Severity;
  /** The file, as given on the command line or found under a folder given there. */
  readonly file: string;
  /** 1-based: the offending field's line where known, else the object's first line. */
  readonly line: number;
  /** null for findings about a file (YAML syntax, Corefiles). */
  readonly object: ObjectRef | null;
  /** The offending field's path in the object (`spec.template.spec.containers[0].env[2].value`), or null. */
  readonly field: string | null;
  readonly message: string;
}

export interface LintOptions {
  /** The cluster domain (the kubelet's clusterDomain, CoreDNS's kubernetes zone). Default cluster.local. */
  readonly clusterDomain?: string;
  /**
   * The cluster's Service and Pod address ranges, for hostalias-stale-ip. Empty or absent: the
   * /16 (IPv4) or /64 (IPv6) around each Service IP and (non-hostNetwork) Pod IP of the manifests.
   */
  readonly clusterCIDRs?: readonly string[];
}

/** `Kind ns/name` (or `Kind name` for cluster-scoped objects). */
export function describeRef(ref: ObjectRef): string {
  return ref.namespace === '' ? `${ref.kind} ${ref.name}` : `${ref.kind} ${ref.namespace}/${ref.name}`;
}

/** Field path segments → `a.b[0].c`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** `a.b[0].c` → ['a', 'b', 0, 'c'] (the API server's field paths). */
export function parsePath(text: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of text.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(m[1]!);
  }
  return out;
}

/** By file, line, rule, message: the order findings are printed in. */
export function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.rule !== b.rule) return a.rule < b.rule ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}
