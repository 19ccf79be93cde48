/**
 * The kubernetes plugin's Transferer (CoreDNS plugin/kubernetes/xfr.go): the content of a forward
 * zone for AXFR/IXFR through the transfer plugin, in CoreDNS's order:
 *
 *   SOA (as the plugin answers it; serial = the state's `modified`)
 *   NS + glue: for each server address the apex NS answer finds, the NS (once per name) then the glue
 *   every exposed service, sorted by name:
 *     ClusterIP (also NodePort, LoadBalancer): A/AAAA per ClusterIP at the service name; then per
 *       port an SRV at the service name (weight 100) and, for a named port, one at
 *       `_<port>._<proto>.<service>` (weight 100), both targeting the service name
 *     headless: per EndpointSlice, per ready address: A/AAAA at the service name, A/AAAA at the
 *       endpoint name, and per named slice port an SRV `_<port>._<proto>.<service>` → endpoint name
 *       with weight floor(100 / addresses in that slice) (query-time SRV weights count all entries)
 *     ExternalName: CNAME to the external name (none when it is an IP address)
 *
 * The closing SOA is the transfer plugin's. No dns-version TXT, no pod records, no PTRs, every TTL
 * the `ttl` option (SOA: min(ttl, 300)). Duplicates CoreDNS emits are kept (an address in two
 * slices, two addresses with one hostname), with one exception: CoreDNS sends the whole glue list
 * after each glue record; here each glue record comes once, after its NS (identical to CoreDNS
 * when the server has one address, the kubeadm case). Like CoreDNS, glue records carry TTL 0.
 *
 * Differences kept on purpose: only the plugin's forward zones themselves are transferable
 * (CoreDNS also "transfers" a name below a zone and reverse zones, with nonsense names); services
 * of equal name are ordered by namespace (CoreDNS's sort is unstable there). The built list is
 * kept per zone spelling until the cluster state changes, so repeated transfers cost nothing.
 */
import type { Transferer } from '../../core/capabilities.ts';
import { asciiLower } from '../../core/request.ts';
import type { ClusterState } from '../../cluster/state.ts';
import type { Service } from '../../cluster/model.ts';
import { RRClass, RRType } from '../../dns/types.ts';
import type { ResourceRecord } from '../../dns/types.ts';
import type { KubernetesOptions } from './options.ts';
import { isReverseZone } from './options.ts';
import { addressOf, parseIP } from './qname.ts';
import { answer, endpointHostname, soaRecord } from './records.ts';
import type { KubernetesConfig } from './setup.ts';

const IN = RRClass.IN;
const { A, AAAA, CNAME, NS, SRV } = RRType;

/** `rel.zone` for an absolute zone ("x" under "." is "x."). */
function under(rel: string, zone: string): string {
  return zone === '.' ? `${rel}.` : `${rel}.${zone}`;
}

function fqdn(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

/**
 * calcSRVWeight: floor((100 / (100 × n)) × 100) in float64, at least 1 (xfr.go). The same
 * expression as records.ts so both round identically.
 */
export function srvWeight(n: number): number {
  const w = Math.floor((100 / (100 * n)) * 100) & 0xffff;
  return w === 0 ? 1 : w;
}

function addressRecord(name: string, ip: string, ttl: number): ResourceRecord {
  const a = addressOf(ip);
  return { name, type: a.family === 4 ? A : AAAA, class: IN, ttl, data: a.text };
}

function srvRecord(name: string, target: string, port: number, weight: number, ttl: number): ResourceRecord {
  return { name, type: SRV, class: IN, ttl, data: { priority: 0, weight, port: port & 0xffff, target } };
}

/** Whether the service's namespace exists for DNS (`namespaces` option and the namespace object). */
function exposed(state: ClusterState, opts: KubernetesOptions, ns: string): boolean {
  return (opts.namespaces === null || opts.namespaces.has(ns)) && state.hasNamespace(ns);
}

/** The records of one service, appended to `out` (xfr.go transfer(), one loop iteration). */
function serviceRecords(state: ClusterState, opts: KubernetesOptions, svc: Service, zone: string, out: ResourceRecord[]): void {
  const ttl = opts.ttl;
  const name = under(`${svc.name}.${svc.namespace}.svc`, zone);
  if (svc.type === 'ExternalName') {
    if (parseIP(svc.externalName) === null) out.push({ name, type: CNAME, class: IN, ttl, data: fqdn(svc.externalName) });
    return;
  }
  if (!svc.headless && svc.clusterIPs.length > 0) {
    for (const ip of svc.clusterIPs) out.push(addressRecord(name, ip, ttl));
    for (const p of svc.ports) {
      out.push(srvRecord(name, name, p.port, 100, ttl));
      if (p.name === '') continue; // unnamed ports have no _port._proto name (spec 2.3.2)
      out.push(srvRecord(`_${p.name.toLowerCase()}._${p.protocol.toLowerCase()}.${name}`, name, p.port, 100, ttl));
    }
    return;
  }
  if (opts.noEndpoints) return;
  for (const slice of state.slicesOf(svc.namespace, svc.name)) {
    const weight = srvWeight(slice.ips.length);
    for (let i = 0; i < slice.ips.length; i++) {
      const ip = slice.ips[i]!;
      out.push(addressRecord(name, ip, ttl));
      const host = `${endpointHostname(slice, i, opts.endpointPodNames)}.${name}`;
      out.push(addressRecord(host, ip, ttl));
      for (const p of slice.ports) {
        if (p.name === '') continue;
        out.push(srvRecord(`_${p.name.toLowerCase()}._${p.protocol.toLowerCase()}.${name}`, host, p.port, weight, ttl));
      }
    }
  }
}

/** Every record of `zone` (spelled as asked, absolute), SOA first, without the closing SOA. */
export function zoneRecords(state: ClusterState, opts: KubernetesOptions, zone: string, lzone: string): ResourceRecord[] {
  const out: ResourceRecord[] = [soaRecord(zone, opts.ttl, state.modified)];

  // NS and glue: the apex NS answer's additional section holds one glue record per address found.
  const ns = answer(state, { name: zone, type: NS, zone: lzone }, opts);
  const seen = new Set<string>();
  for (const glue of ns.additionals) {
    if (!seen.has(glue.name)) {
      seen.add(glue.name);
      out.push({ name: zone, type: NS, class: IN, ttl: opts.ttl, data: glue.name });
    }
    out.push({ ...glue, ttl: 0 });
  }

  const services: Service[] = [];
  for (const svc of state.services()) if (exposed(state, opts, svc.namespace)) services.push(svc);
  services.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
  for (const svc of services) serviceRecords(state, opts, svc, zone, out);
  return out;
}

export function transferer(state: ClusterState, config: KubernetesConfig): Transferer {
  const opts = config.options;
  const zones = opts.zones.filter((z) => !isReverseZone(z));
  let cached: { zone: string; revision: number; records: readonly ResourceRecord[] } | null = null;
  return {
    zones,
    serial: () => state.modified >>> 0,
    transfer(asked: string): readonly ResourceRecord[] | null {
      const zone = fqdn(asked);
      const lzone = asciiLower(zone);
      if (!zones.includes(lzone)) return null;
      if (cached !== null && cached.zone === zone && cached.revision === state.revision) return cached.records;
      const records = Object.freeze(zoneRecords(state, opts, zone, lzone));
      cached = { zone, revision: state.revision, records };
      return records;
    },
  };
}
