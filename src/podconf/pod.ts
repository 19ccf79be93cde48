/**
 * A Pod object and a KubeletConfiguration, already parsed from YAML or JSON, read into podconf's
 * inputs the way the API server and the kubelet read them:
 *
 * - `readPod`: the API server's decoding of a v1 Pod (a value of the wrong JSON type is refused
 *   with encoding/json's message, `json: cannot unmarshal number into Go struct field
 *   PodDNSConfigOption.spec.dnsConfig.options.value of type string`; null is the zero value),
 *   then its defaulting of what matters here: dnsPolicy "" → ClusterFirst. A missing namespace
 *   is "default", as kubectl sends it. Pod IPs come from status.podIPs, else status.podIP.
 * - `readKubeletConfig`: a kubelet.config.k8s.io/v1beta1 KubeletConfiguration's clusterDNS,
 *   clusterDomain and resolvConf (absent or null → "/etc/resolv.conf", the v1beta1 default; "" →
 *   no host file), or the same fields of the kubelet's /configz answer ({"kubeletconfig": {...}}). Like the kubelet (NewMainKubelet), cluster DNS entries that ParseIPSloppy
 *   refuses are dropped with a warning, and the rest are written as Go's net.IP.String() does.
 */
import type { PodDNSConfig, DNSConfigOption, KubeletDNSSettings } from './dns.ts';
import type { HostAlias } from './hosts.ts';
import { goIPString, parseIPSloppy } from './ip.ts';

export interface Pod {
  readonly name: string;
  readonly generateName: string;
  readonly namespace: string;
  readonly uid: string;
  readonly hostname: string;
  readonly subdomain: string;
  readonly hostNetwork: boolean;
  readonly setHostnameAsFQDN: boolean;
  /** After the API server's defaulting. */
  readonly dnsPolicy: string;
  readonly dnsConfig: PodDNSConfig | null;
  readonly hostAliases: readonly HostAlias[];
  /** status.podIPs (or status.podIP). */
  readonly podIPs: readonly string[];
}

/** An object the API server (or the kubelet, for its configuration) could not decode. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}

type JsonType = 'string' | 'number' | 'bool' | 'array' | 'object' | 'null';

function jsonType(v: unknown): JsonType {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number' || typeof v === 'bigint') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

/** Decodes fields the way encoding/json does into a Go struct, naming the first mismatch as it does. */
class Decoder {
  private readonly prefix: string;
  constructor(prefix: string) { this.prefix = prefix; }

  private fail(got: JsonType, struct: string, path: string, goType: string): never {
    throw new DecodeError(`${this.prefix}json: cannot unmarshal ${got} into Go struct field ${struct}.${path} of type ${goType}`);
  }

  string(v: unknown, struct: string, path: string, goType = 'string'): string {
    const t = jsonType(v);
    if (t === 'null') return '';
    if (t !== 'string') this.fail(t, struct, path, goType);
    return v as string;
  }

  optionalString(v: unknown, struct: string, path: string): string | null {
    if (jsonType(v) === 'null') return null;
    return this.string(v, struct, path);
  }

  bool(v: unknown, struct: string, path: string): boolean {
    const t = jsonType(v);
    if (t === 'null') return false;
    if (t !== 'bool') this.fail(t, struct, path, 'bool');
    return v as boolean;
  }

  object(v: unknown, struct: string, path: string, goType: string): Record<string, unknown> | null {
    const t = jsonType(v);
    if (t === 'null') return null;
    if (t !== 'object') this.fail(t, struct, path, goType);
    return v as Record<string, unknown>;
  }

  array(v: unknown, struct: string, path: string, goType: string): unknown[] {
    const t = jsonType(v);
    if (t === 'null') return [];
    if (t !== 'array') this.fail(t, struct, path, goType);
    return v as unknown[];
  }

  strings(v: unknown, struct: string, path: string): string[] {
    return this.array(v, struct, path, '[]string').map((x) => this.string(x, struct, path));
  }
}

/** The v1 Pod's fields that podconf uses. Throws DecodeError. */
export function readPod(obj: unknown): Pod {
  const d = new Decoder('Pod in version "v1" cannot be handled as a Pod: ');
  if (jsonType(obj) !== 'object') throw new DecodeError(`a Pod must be an object, not ${jsonType(obj)}`);
  const o = obj as Record<string, unknown>;
  const kind = o['kind'];
  if (kind === undefined) throw new DecodeError('Object \'Kind\' is missing: give a Pod (kind: Pod)');
  if (kind !== 'Pod') {
    throw new DecodeError(`kind ${JSON.stringify(kind)} is not Pod: give one of its pods (kubectl get pod NAME -o yaml), or write the Pod its template makes`);
  }
  if (o['apiVersion'] !== undefined && o['apiVersion'] !== 'v1') throw new DecodeError(`apiVersion ${JSON.stringify(o['apiVersion'])}: a Pod is v1`);
  const meta = d.object(o['metadata'], 'Pod', 'metadata', 'v1.ObjectMeta') ?? {};
  const spec = d.object(o['spec'], 'Pod', 'spec', 'v1.PodSpec') ?? {};
  const status = d.object(o['status'], 'Pod', 'status', 'v1.PodStatus') ?? {};

  const name = d.string(meta['name'], 'ObjectMeta', 'metadata.name');
  const generateName = d.string(meta['generateName'], 'ObjectMeta', 'metadata.generateName');
  const namespace = d.string(meta['namespace'], 'ObjectMeta', 'metadata.namespace');
  const uid = d.string(meta['uid'], 'ObjectMeta', 'metadata.uid', 'types.UID');

  const hostname = d.string(spec['hostname'], 'PodSpec', 'spec.hostname');
  const subdomain = d.string(spec['subdomain'], 'PodSpec', 'spec.subdomain');
  const hostNetwork = d.bool(spec['hostNetwork'], 'PodSpec', 'spec.hostNetwork');
  const setHostnameAsFQDN = d.bool(spec['setHostnameAsFQDN'], 'PodSpec', 'spec.setHostnameAsFQDN');
  const dnsPolicy = d.string(spec['dnsPolicy'], 'PodSpec', 'spec.dnsPolicy', 'v1.DNSPolicy');

  let dnsConfig: PodDNSConfig | null = null;
  const dc = d.object(spec['dnsConfig'], 'PodSpec', 'spec.dnsConfig', 'v1.PodDNSConfig');
  if (dc !== null) {
    const options: DNSConfigOption[] = d.array(dc['options'], 'PodDNSConfig', 'spec.dnsConfig.options', '[]v1.PodDNSConfigOption').map((x) => {
      const opt = d.object(x, 'PodDNSConfig', 'spec.dnsConfig.options', 'v1.PodDNSConfigOption') ?? {};
      return {
        name: d.string(opt['name'], 'PodDNSConfigOption', 'spec.dnsConfig.options.name'),
        value: d.optionalString(opt['value'], 'PodDNSConfigOption', 'spec.dnsConfig.options.value'),
      };
    });
    dnsConfig = {
      nameservers: d.strings(dc['nameservers'], 'PodDNSConfig', 'spec.dnsConfig.nameservers'),
      searches: d.strings(dc['searches'], 'PodDNSConfig', 'spec.dnsConfig.searches'),
      options,
    };
  }

  const hostAliases: HostAlias[] = d.array(spec['hostAliases'], 'PodSpec', 'spec.hostAliases', '[]v1.HostAlias').map((x) => {
    const a = d.object(x, 'PodSpec', 'spec.hostAliases', 'v1.HostAlias') ?? {};
    return {
      ip: d.string(a['ip'], 'HostAlias', 'spec.hostAliases.ip'),
      hostnames: d.strings(a['hostnames'], 'HostAlias', 'spec.hostAliases.hostnames'),
    };
  });

  const podIPs = d.array(status['podIPs'], 'PodStatus', 'status.podIPs', '[]v1.PodIP').map((x) => {
    const p = d.object(x, 'PodStatus', 'status.podIPs', 'v1.PodIP') ?? {};
    return d.string(p['ip'], 'PodIP', 'status.podIPs.ip');
  }).filter((ip) => ip !== '');
  const podIP = d.string(status['podIP'], 'PodStatus', 'status.podIP');

  return {
    name, generateName, namespace: namespace === '' ? 'default' : namespace, uid,
    hostname, subdomain, hostNetwork, setHostnameAsFQDN,
    dnsPolicy: dnsPolicy === '' ? 'ClusterFirst' : dnsPolicy,
    dnsConfig, hostAliases,
    podIPs: podIPs.length > 0 ? podIPs : podIP !== '' ? [podIP] : [],
  };
}

export const DEFAULT_RESOLV_CONF = '/etc/resolv.conf';

export interface KubeletConfig extends KubeletDNSSettings {
  /** Cluster DNS entries the kubelet drops (it logs "Invalid clusterDNS IP"). */
  readonly warnings: readonly string[];
}

/** The DNS settings of a KubeletConfiguration. Throws DecodeError. */
export function readKubeletConfig(obj: unknown): KubeletConfig {
  if (jsonType(obj) !== 'object') throw new DecodeError(`a KubeletConfiguration must be an object, not ${jsonType(obj)}`);
  let o = obj as Record<string, unknown>;
  // The kubelet's /configz endpoint (kubectl get --raw /api/v1/nodes/NODE/proxy/configz) wraps
  // its running configuration, without kind and apiVersion, in {"kubeletconfig": {...}}.
  const configz = o['kind'] === undefined ? o['kubeletconfig'] : undefined;
  if (jsonType(configz) === 'object') o = configz as Record<string, unknown>;
  else {
    if (o['kind'] !== 'KubeletConfiguration') throw new DecodeError(`kind ${JSON.stringify(o['kind'] ?? '')} is not KubeletConfiguration`);
    if (o['apiVersion'] !== 'kubelet.config.k8s.io/v1beta1') {
      throw new DecodeError(`apiVersion ${JSON.stringify(o['apiVersion'] ?? '')} is not kubelet.config.k8s.io/v1beta1`);
    }
  }
  const d = new Decoder('');
  const entries = d.strings(o['clusterDNS'], 'KubeletConfiguration', 'clusterDNS');
  const clusterDomain = d.string(o['clusterDomain'], 'KubeletConfiguration', 'clusterDomain');
  const resolvConf = d.optionalString(o['resolvConf'], 'KubeletConfiguration', 'resolvConf') ?? DEFAULT_RESOLV_CONF;
  const clusterDNS: string[] = [];
  const warnings: string[] = [];
  for (const e of entries) {
    const ip = parseIPSloppy(e);
    if (ip === null) warnings.push(`Invalid clusterDNS IP ${JSON.stringify(e)}: the kubelet ignores it`);
    else clusterDNS.push(goIPString(ip));
  }
  return { clusterDNS, clusterDomain, resolvConf, warnings };
}
