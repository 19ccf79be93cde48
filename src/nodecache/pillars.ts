/**
 * NodeLocal DNSCache's Corefile placeholders, filled as node-cache fills them
 * (kubernetes/dns cmd/node-cache/app/configmap.go, updateCorefile) when no kube-dns ConfigMap
 * gives stub domains or upstream nameservers:
 *
 *   __PILLAR__UPSTREAM__SERVERS__  → /etc/resolv.conf (forward reads the node's resolvers from it)
 *   __PILLAR__CLUSTER__DNS__       → the ClusterIP of the --upstream-svc Service, from the
 *                                    environment Kubernetes gives every pod: kube-dns-upstream →
 *                                    $KUBE_DNS_UPSTREAM_SERVICE_HOST
 *   __PILLAR__LOCAL__DNS__         → the --localip addresses, separated by spaces
 *   __PILLAR__DNS__SERVER__        → nothing (the local IPs above already include it)
 *
 * The others (__PILLAR__DNS__DOMAIN__ …) are filled when the manifests are installed, as
 * nodelocaldns.yaml's instructions say. Where node-cache writes "<nil>" into the Corefile for a
 * missing Service variable, and leaves an unfilled placeholder to become a zone or an address
 * named `__PILLAR__…`, podns stops with the file and line.
 */
import { ConfigError } from '../core/errors.ts';
import { canonicalIP } from '../dns/ip.ts';

export const UPSTREAM_SERVERS = '__PILLAR__UPSTREAM__SERVERS__';
export const CLUSTER_DNS = '__PILLAR__CLUSTER__DNS__';
export const LOCAL_DNS = '__PILLAR__LOCAL__DNS__';
export const DNS_SERVER = '__PILLAR__DNS__SERVER__';

/** The variable holding a Service's ClusterIP in a pod's environment: kube-dns-upstream → KUBE_DNS_UPSTREAM_SERVICE_HOST. */
export function serviceHostVariable(service: string): string {
  return `${service.replaceAll('-', '_').toUpperCase()}_SERVICE_HOST`;
}

export interface PillarValues {
  readonly localIps: readonly string[];
  /** The cluster DNS Service's IP, or null when its variable is unset or not an IP. */
  readonly clusterDns: string | null;
  /** Whether the Service's variable was set at all (for the error when clusterDns is null). */
  readonly clusterDnsSet: boolean;
  /** Where __PILLAR__CLUSTER__DNS__ comes from, for the error when it is missing. */
  readonly upstreamService: string;
  readonly upstreamServers: string;
}

export function pillarValues(localIps: readonly string[], upstreamService: string, env: Readonly<Record<string, string | undefined>>): PillarValues {
  const raw = env[serviceHostVariable(upstreamService)];
  return {
    localIps, clusterDns: raw === undefined ? null : canonicalIP(raw.trim()), clusterDnsSet: raw !== undefined,
    upstreamService, upstreamServers: '/etc/resolv.conf',
  };
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The Corefile's text with node-cache's placeholders filled; a ConfigError for one that cannot be. */
export function substitutePillars(text: string, file: string, values: PillarValues): string {
  if (values.clusterDns === null && text.includes(CLUSTER_DNS)) {
    const variable = serviceHostVariable(values.upstreamService);
    throw new ConfigError(file, lineOf(text, text.indexOf(CLUSTER_DNS)),
      `${CLUSTER_DNS}: $${variable} is ${values.clusterDnsSet ? 'not an IP address' : 'not set'}; it is the ClusterIP of the Service `
      + `--upstream-svc names (${values.upstreamService}), which Kubernetes sets in the environment of pods started after the Service`);
  }
  let out = text.replaceAll(UPSTREAM_SERVERS, values.upstreamServers);
  if (values.clusterDns !== null) out = out.replaceAll(CLUSTER_DNS, values.clusterDns);
  out = out.replaceAll(LOCAL_DNS, values.localIps.join(' ')).replaceAll(DNS_SERVER, '');
  const left = /__PILLAR__[A-Z0-9_]*__/.exec(out);
  if (left !== null) {
    throw new ConfigError(file, lineOf(out, left.index),
      `${left[0]} is not filled: podns nodecache fills ${UPSTREAM_SERVERS}, ${CLUSTER_DNS}, ${LOCAL_DNS} and ${DNS_SERVER}; replace the others when installing`);
  }
  return out;
}
