/**
 * records.ts — the pure record logic of the kubernetes plugin: given the cluster state, one
 * question and the plugin options, the rcode and the three sections CoreDNS's kubernetes plugin
 * would answer with (plugin/kubernetes/{handler,kubernetes,ns,reverse}.go and
 * plugin/backend_lookup.go; spec Part B). No I/O: an ExternalName pointing outside the zone is
 * handed back as `chase` for the caller to resolve through the server's chain.
 *
 * Structure mirrors CoreDNS so quirks stay where they come from:
 *   records()   ≈ Kubernetes.Records   (parse, namespace gate, findServices / findPods)
 *   lookup()    ≈ Kubernetes.Services  (ns.dns.<zone>, SRV drops CNAME entries)
 *   chain()     ≈ plugin.A / AAAA      (dedup, CNAME chains, chase)
 *   txt()       ≈ Kubernetes.Services for TXT (dns-version, else NODATA iff Records() finds entries)
 *   srv(), ptr(), cname(), nsApex()   ≈ plugin.SRV / PTR / CNAME / NS
 *   answer()    ≈ Kubernetes.ServeDNS  (per-qtype dispatch, NXDOMAIN vs NODATA vs SERVFAIL, SOA)
 * Name matching is on the lower-cased query; owner names echo the query and the zone part of
 * generated names keeps the query's spelling of the zone. Results come in index order, unsorted.
 *
 * Not here: multicluster (B.10) and zonal (B.9) — see TODO hooks; zone transfers (B.11);
 * fallthrough (the caller checks `nameError`); AA and truncation (the caller's).
 */
import type { ClusterState } from '../../cluster/state.ts';
import type { EndpointSlice, Port, Service } from '../../cluster/model.ts';
import { Rcode, RRClass, RRType } from '../../dns/types.ts';
import type { ResourceRecord } from '../../dns/types.ts';
import type { KubernetesOptions } from './options.ts';
import { addressOf, addressText, familyOf, isReverseName, parseBase, parseIP, reverseAddress, trimZone } from './qname.ts';

export interface Query {
  /** As the client spelled it, absolute with trailing dot. */
  readonly name: string;
  readonly type: number;
  /** The zone of `opts.zones` the name matched (longest match), lower-case. */
  readonly zone: string;
}

export interface Chase {
  /** The CNAME target as written (absolute). */
  readonly target: string;
  /** The type to resolve it with (the query's type). */
  readonly type: number;
}

export interface Answer {
  /** NOERROR / NXDOMAIN / SERVFAIL / REFUSED. */
  readonly rcode: number;
  readonly answers: ResourceRecord[];
  readonly authorities: ResourceRecord[];
  readonly additionals: ResourceRecord[];
  /**
   * ExternalName whose target is outside the matched zone: the caller resolves `target` with `type`
   * through the server's chain and appends the answer records after the CNAME(s) (the reply stays
   * NOERROR whatever the upstream rcode; upstream TC sets TC on ours). If that lookup cannot be
   * done at all, CoreDNS drops the CNAME(s) — all of them: in a chain the failing level returns
   * nothing, so every level above drops its CNAME too — and the reply is NODATA: no answers, with
   * `nodataAuthorities` as the authority section.
   */
  readonly chase: Chase | null;
  /** With `chase`: the authority section (the zone's SOA) of the NODATA reply used when the chase cannot run; else []. */
  readonly nodataAuthorities: ResourceRecord[];
  /**
   * True for NXDOMAIN-class outcomes (spec B.3), the only ones `fallthrough` may pass on. When the
   * state is not synced yet these carry rcode SERVFAIL; CoreDNS checks fallthrough before that.
   */
  readonly nameError: boolean;
}

/** dns-version TXT (schema 1.1.0), TTL 28800. */
export const DNS_SCHEMA_VERSION = '1.1.0';
const DNS_VERSION_TTL = 28800;
/**
 * Longest CNAME chain followed inside the zone: CoreDNS's plugin.A/AAAA skip a CNAME once
 * len(previousRecords) > 7, so at most 8 CNAMEs (backend_lookup.go; the spec's "10" is corrected).
 */
export const MAX_CNAME_CHAIN = 8;

const { A, AAAA, CNAME, NS, SOA, PTR, MX, TXT, SRV, AXFR, IXFR } = RRType;
const IN = RRClass.IN;
const SENTINEL_PORTS: readonly Port[] = Object.freeze([Object.freeze({ name: '', port: -1, protocol: '' })]);
const NO_SLICES: readonly EndpointSlice[] = Object.freeze([]);

/** One backend entry (CoreDNS msg.Service): an address or a CNAME target, with a port. */
interface Entry {
  /** A, AAAA or CNAME (CoreDNS HostType). */
  readonly rtype: number;
  /** Canonical address text, or the CNAME target as written in the object (not yet absolute). */
  readonly host: string;
  readonly port: number;
  /** The name of the service (or pod) without the zone: "web.shop.svc", "1-2-3-4.shop.pod", "ns.dns". */
  readonly base: string;
  /** For endpoint entries: the slice and the endpoint address's index in it; its raw address and (when already computed) its hostname. */
  readonly ep: EndpointSlice | null;
  readonly index: number;
  readonly ip: string;
  readonly label: string;
}

interface Lookup {
  readonly err: boolean;
  readonly entries: readonly Entry[];
}
const NAME_ERROR: Lookup = Object.freeze({ err: true, entries: Object.freeze([]) });
const NO_ENTRIES: Lookup = Object.freeze({ err: false, entries: Object.freeze([]) });

interface Ctx {
  readonly state: ClusterState;
  readonly opts: KubernetesOptions;
  /** Matched zone, lower-case. */
  readonly zone: string;
  /** Matched zone as the query spelled it. */
  readonly zoneSpelled: string;
  readonly ttl: number;
}

// ----------------------------------------------------------------------------------------------
// Small name helpers (local; swap for src/dns/name.ts later).
// ----------------------------------------------------------------------------------------------

/** `label.zone` for an absolute zone, with the root handled ("x" + "." = "x."). */
function join(relative: string, zone: string): string {
  return zone === '.' ? `${relative}.` : `${relative}.${zone}`;
}

function fqdn(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

/** `child` equals `parent` or lies below it; both lower-case absolute. */
function isSubdomain(parent: string, child: string): boolean {
  if (parent === '.') return true;
  return child === parent || (child.endsWith(parent) && child.charCodeAt(child.length - parent.length - 1) === 0x2e);
}

/** Case-insensitive equality where `lower` is already lower-case. */
function matchLower(lower: string, other: string): boolean {
  return lower === other || lower === other.toLowerCase();
}

function matchPortAndProtocol(qPort: string, port: Port, qProto: string): boolean {
  return (qPort === '' || matchLower(qPort, port.name)) && (qProto === '' || matchLower(qProto, port.protocol));
}

/**
 * CoreDNS endpointHostname: the slice hostname; else (endpoint_pod_names) the pod name if < 64
 * chars; else the IP with '.'→'-' or ':'→'-' (a trailing '-' gets a '0': "2001:db8::" → "2001-db8--0").
 */
export function endpointHostname(slice: EndpointSlice, i: number, endpointPodNames: boolean): string {
  const hostname = slice.hostnames?.[i] ?? '';
  if (hostname !== '') return hostname;
  const podName = slice.podNames?.[i] ?? '';
  if (endpointPodNames && podName !== '' && podName.length < 64) return podName;
  const ip = slice.ips[i]!;
  if (ip.indexOf('.') >= 0) return ip.replaceAll('.', '-');
  if (ip.indexOf(':') >= 0) {
    const h = ip.replaceAll(':', '-');
    return h.endsWith('-') ? `${h}0` : h;
  }
  return '';
}

// ----------------------------------------------------------------------------------------------
// Backend: Records / findServices / findPods / Services.
// ----------------------------------------------------------------------------------------------

function namespaceExposed(ctx: Ctx, ns: string): boolean {
  const allowed = ctx.opts.namespaces;
  return (allowed === null || allowed.has(ns)) && ctx.state.hasNamespace(ns);
}

function slicesOf(ctx: Ctx, ns: string, svc: string): readonly EndpointSlice[] {
  return ctx.opts.noEndpoints ? NO_SLICES : ctx.state.slicesOf(ns, svc);
}

function slicesByIP(ctx: Ctx, ip: string): readonly EndpointSlice[] {
  return ctx.opts.noEndpoints ? NO_SLICES : ctx.state.slicesByIP(ip);
}

/** Kubernetes.Records on a lower-cased name in the matched zone. */
function records(ctx: Ctx, lname: string): Lookup {
  const base = trimZone(lname, ctx.zone);
  if (base === null) return NAME_ERROR;
  const r = parseBase(base);
  if (r.kind === 'invalid') return NAME_ERROR;
  if (r.kind === 'empty') return NO_ENTRIES;
  if (isReverseName(lname)) return NAME_ERROR;
  if (!namespaceExposed(ctx, r.namespace)) return NAME_ERROR;
  // TODO(multicluster): in a multicluster zone, findMultiClusterServices (ServiceImports) instead.
  if (r.kind === 'pod') return findPods(ctx, r.namespace, r.service);
  return findServices(ctx, r.namespace, r.service, r.endpoint, r.port, r.protocol);
}

function findPods(ctx: Ctx, namespace: string, podname: string): Lookup {
  const mode = ctx.opts.pods;
  if (mode === 'disabled') return NAME_ERROR;
  if (podname === '') return NO_ENTRIES; // `<ns>.pod`: NODATA (namespace already checked)
  // IPv4 iff exactly three '-' and no '--'; anything else is tried as IPv6.
  let dashes = 0;
  for (let i = 0; i < podname.length; i++) if (podname.charCodeAt(i) === 0x2d) dashes++;
  const ip = dashes === 3 && podname.indexOf('--') < 0 ? podname.replaceAll('-', '.') : podname.replaceAll('-', ':');
  const parsed = parseIP(ip);
  const base = `${podname}.${namespace}.pod`;
  if (mode === 'insecure') {
    if (parsed === null) return NAME_ERROR;
    return { err: false, entries: [{ rtype: parsed.family === 4 ? A : AAAA, host: parsed.text, port: 0, base, ep: null, index: 0, ip, label: '' }] };
  }
  // verified: a pod with exactly that IP text in that namespace.
  // SPEC-vs-MEMORY: CoreDNS indexes pods by status.podIP only; the state indexes every pod IP.
  if (parsed === null) return NAME_ERROR;
  const entries: Entry[] = [];
  for (const p of ctx.state.podsByIP(ip)) {
    if (p.namespace === namespace) entries.push({ rtype: parsed.family === 4 ? A : AAAA, host: parsed.text, port: 0, base, ep: null, index: 0, ip, label: '' });
  }
  return entries.length === 0 ? NAME_ERROR : { err: false, entries };
}

function findServices(ctx: Ctx, namespace: string, name: string, endpoint: string, port: string, protocol: string): Lookup {
  if (name === '') return NO_ENTRIES; // `<ns>.svc`: NODATA (namespace already checked)
  const svc = ctx.state.service(namespace, name);
  if (svc === undefined) return NAME_ERROR;
  const base = `${svc.name}.${svc.namespace}.svc`;

  if (svc.type === 'ExternalName') {
    // No endpoints and no _port._proto below an ExternalName; an IP-literal externalName yields nothing.
    if (endpoint !== '' || port !== '' || protocol !== '') return NAME_ERROR;
    if (svc.externalName === '' || parseIP(svc.externalName) !== null) return NAME_ERROR;
    return { err: false, entries: [{ rtype: CNAME, host: svc.externalName, port: 0, base, ep: null, index: 0, ip: '', label: '' }] };
  }

  const slices = slicesOf(ctx, svc.namespace, svc.name);
  if (ctx.opts.ignoreEmptyService && !svc.headless) {
    let addresses = 0;
    for (const s of slices) addresses += s.ips.length;
    if (addresses === 0) return NAME_ERROR;
  }

  const entries: Entry[] = [];
  let found = false;
  if (svc.headless || endpoint !== '') {
    const podNames = ctx.opts.endpointPodNames;
    for (const slice of slices) {
      const ports = slice.ports.length === 0 ? SENTINEL_PORTS : slice.ports;
      for (let i = 0; i < slice.ips.length; i++) {
        const ip = slice.ips[i]!;
        let label = '';
        if (endpoint !== '') {
          label = endpointHostname(slice, i, podNames);
          if (!matchLower(endpoint, label)) continue;
        }
        for (const p of ports) {
          if (!matchPortAndProtocol(port, p, protocol)) continue;
          entries.push({ rtype: familyOf(ip) === 4 ? A : AAAA, host: addressText(ip), port: p.port, base, ep: slice, index: i, ip, label });
          found = true;
        }
      }
    }
    return found ? { err: false, entries } : NAME_ERROR;
  }

  // ClusterIP service: one entry per matching port × ClusterIP.
  const ports = svc.ports.length === 0 ? SENTINEL_PORTS : svc.ports;
  for (const p of ports) {
    if (!matchPortAndProtocol(port, p, protocol)) continue;
    found = true;
    for (const ip of svc.clusterIPs) {
      entries.push({ rtype: familyOf(ip) === 4 ? A : AAAA, host: addressText(ip), port: p.port, base, ep: null, index: 0, ip, label: '' });
    }
  }
  return found ? { err: false, entries } : NAME_ERROR;
}

/** `ns.dns.<zone>` (CoreDNS isDefaultNS). */
function isDefaultNS(ctx: Ctx, lname: string): boolean {
  return lname.length === ctx.zone.length + 7 && lname.startsWith('ns.dns.') && lname.endsWith(ctx.zone);
}

/** Kubernetes.Services for a qtype other than TXT and apex NS. */
function lookup(ctx: Ctx, lname: string, qtype: number): Lookup {
  if (isDefaultNS(ctx, lname)) {
    // Kubernetes.Services: ns.dns.<zone> answers nsAddrs() of the asked family (the DNS service's
    // ClusterIPs when a local address is one of its endpoints, else the local addresses).
    const entries: Entry[] = [];
    if (qtype === A || qtype === AAAA) {
      for (const { ip } of nsAddrs(ctx)) {
        const a = addressOf(ip);
        if ((a.family === 4 ? A : AAAA) === qtype) entries.push({ rtype: qtype, host: a.text, port: 0, base: 'ns.dns', ep: null, index: 0, ip, label: '' });
      }
    }
    return { err: false, entries };
  }
  const r = records(ctx, lname);
  if (qtype !== SRV || r.err) return r;
  // SRV for ExternalName services is not implemented in CoreDNS: CNAME entries are dropped.
  let hasCname = false;
  for (const e of r.entries) if (e.rtype === CNAME) { hasCname = true; break; }
  return hasCname ? { err: false, entries: r.entries.filter((e) => e.rtype !== CNAME) } : r;
}

// ----------------------------------------------------------------------------------------------
// Per-type answers (backend_lookup.go).
// ----------------------------------------------------------------------------------------------

interface Part {
  readonly err: boolean;
  readonly answers: ResourceRecord[];
  readonly extra: ResourceRecord[];
  readonly chase: Chase | null;
}
const PART_NAME_ERROR: Part = Object.freeze({ err: true, answers: [], extra: [], chase: null });

function partial(answers: ResourceRecord[], extra: ResourceRecord[] = [], chase: Chase | null = null): Part {
  return { err: false, answers, extra, chase };
}

function address(name: string, rtype: number, ttl: number, ip: string): ResourceRecord {
  return { name, type: rtype as 1 | 28, class: IN, ttl, data: ip };
}

function isDnsVersion(ctx: Ctx, lname: string): boolean {
  const base = trimZone(lname, ctx.zone);
  return base === 'dns-version';
}

/**
 * plugin.A / AAAA: address records of the name (de-duplicated by address), or for an
 * ExternalName the CNAME followed by its target's records (in-zone: resolved here; out-of-zone:
 * `chase`). `owner` is the name as spelled (query, or a CNAME target), `lname` its lower case.
 */
function chain(ctx: Ctx, owner: string, lname: string, qtype: number, prev: readonly ResourceRecord[]): Part {
  const r = lookup(ctx, lname, qtype);
  if (r.err) return PART_NAME_ERROR;
  const out: ResourceRecord[] = [];
  let chase: Chase | null = null;
  let seen: Set<string> | null = null;
  for (const e of r.entries) {
    if (e.rtype === CNAME) {
      const target = fqdn(e.host);
      const ltarget = target.toLowerCase();
      if (isSubdomain(lname, ltarget)) continue; // x CNAME x (or below x): direct loop
      if (prev.length >= MAX_CNAME_CHAIN) continue;
      let duplicate = false;
      for (const p of prev) if (p.type === CNAME && p.data === target) { duplicate = true; break; }
      if (duplicate) continue;
      const cnameRR: ResourceRecord = { name: owner, type: CNAME, class: IN, ttl: ctx.ttl, data: target };
      if (isSubdomain(ctx.zone, ltarget)) {
        const next = chain(ctx, target, ltarget, qtype, [...prev, cnameRR]);
        if (!next.err && next.answers.length > 0) {
          out.push(cnameRR, ...next.answers);
          if (next.chase !== null) chase = next.chase;
        }
        continue;
      }
      out.push(cnameRR);
      chase = { target, type: qtype };
      continue;
    }
    if (e.rtype !== qtype) continue; // the other address family
    if (seen === null) seen = new Set();
    if (seen.has(e.host)) continue;
    seen.add(e.host);
    out.push(address(owner, e.rtype, ctx.ttl, e.host));
  }
  return partial(out, [], chase);
}

/** The name an entry stands for, without the zone: "web.shop.svc", or "<hostname>.db.shop.svc" for an endpoint. */
function entryName(ctx: Ctx, e: Entry): string {
  if (e.ep === null) return e.base;
  const label = e.label !== '' ? e.label : endpointHostname(e.ep, e.index, ctx.opts.endpointPodNames);
  return `${label}.${e.base}`;
}

/** plugin.SRV: weight = floor(100 / entries) counted before de-dup; de-dup SRV on (target, port), extras on (target, address). */
function srv(ctx: Ctx, owner: string, lname: string): Part {
  const r = lookup(ctx, lname, SRV);
  if (r.err) return PART_NAME_ERROR;
  const n = r.entries.length;
  if (n === 0) return partial([]);
  let weight = Math.floor((100 / (100 * n)) * 100) & 0xffff;
  if (weight === 0) weight = 1;
  const answers: ResourceRecord[] = [];
  const extra: ResourceRecord[] = [];
  const dup = new Set<string>();
  for (const e of r.entries) {
    if (e.port === -1) continue; // sentinel: no declared ports
    const target = join(entryName(ctx, e), ctx.zoneSpelled);
    const srvKey = `${target}\u0000\u0000${e.port}`;
    if (!dup.has(srvKey)) {
      dup.add(srvKey);
      answers.push({ name: owner, type: SRV, class: IN, ttl: ctx.ttl, data: { priority: 0, weight, port: e.port & 0xffff, target } });
    }
    const addrKey = `${target}\u0000${e.host}\u00000`;
    if (!dup.has(addrKey)) {
      dup.add(addrKey);
      extra.push(address(target, e.rtype, ctx.ttl, e.host));
    }
  }
  return partial(answers, extra);
}

/** plugin.CNAME: the first entry, if it is a name. */
function cname(ctx: Ctx, owner: string, lname: string): Part {
  const r = lookup(ctx, lname, CNAME);
  if (r.err) return PART_NAME_ERROR;
  const first = r.entries[0];
  if (first === undefined || first.rtype !== CNAME) return partial([]);
  return partial([{ name: owner, type: CNAME, class: IN, ttl: ctx.ttl, data: fqdn(first.host) }]);
}

/**
 * Existence as decided by the hidden A lookup (handler.go default branch): NXDOMAIN-class or
 * NODATA, never records. Used for MX, NS below the apex, every unlisted type, and PTR on forward
 * names.
 */
function exists(ctx: Ctx, lname: string): Part {
  return lookup(ctx, lname, A).err ? PART_NAME_ERROR : partial([]);
}

/** Kubernetes.Reverse + plugin.PTR. */
function ptr(ctx: Ctx, owner: string, lname: string): Part {
  const ip = reverseAddress(lname);
  // SPEC-vs-MEMORY: CoreDNS runs Records() here (no ns.dns.<zone> special case); same outcome
  // except that `ns.dns.<zone> PTR` would be NXDOMAIN there and is NODATA here.
  if (ip === '') return exists(ctx, lname);
  const targets = ptrTargets(ctx, ip);
  if (targets.length === 0) return PART_NAME_ERROR;
  const answers: ResourceRecord[] = [];
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t)) continue;
    seen.add(t);
    answers.push({ name: owner, type: PTR, class: IN, ttl: ctx.ttl, data: t });
  }
  return partial(answers);
}

/** serviceRecordForIP: the first service owning the ClusterIP, else every endpoint with that address. */
function ptrTargets(ctx: Ctx, ip: string): string[] {
  const filtered = ctx.opts.namespaces !== null; // CoreDNS checks namespaces only when the option is set
  const primary = ctx.opts.primaryZone;
  for (const svc of ctx.state.servicesByIP(ip)) {
    if (filtered && !namespaceExposed(ctx, svc.namespace)) continue;
    return [join(`${svc.name}.${svc.namespace}.svc`, primary)];
  }
  const out: string[] = [];
  for (const slice of slicesByIP(ctx, ip)) {
    if (slice.service === '') continue;
    if (filtered && !namespaceExposed(ctx, slice.namespace)) continue;
    for (let i = 0; i < slice.ips.length; i++) {
      if (slice.ips[i] !== ip) continue;
      const host = endpointHostname(slice, i, ctx.opts.endpointPodNames);
      out.push(join(`${host}.${slice.service}.${slice.namespace}.svc`, primary));
    }
  }
  return out;
}

interface NsAddr { readonly name: string; readonly ip: string }

/**
 * ns.go nsAddrs: for every local address that is an endpoint address, the services of those
 * slices — ClusterIP: the service name with each ClusterIP; headless: every address of the slice
 * under its endpoint hostname. None found: `ns.dns.<zone>` with each local address.
 */
function nsAddrs(ctx: Ctx): NsAddr[] {
  const out: NsAddr[] = [];
  const zone = ctx.zoneSpelled;
  for (const local of ctx.opts.localAddresses) {
    for (const slice of slicesByIP(ctx, local)) {
      const svc: Service | undefined = ctx.state.service(slice.namespace, slice.service);
      if (svc === undefined) continue;
      const svcName = join(`${svc.name}.${svc.namespace}.svc`, zone);
      if (svc.headless) {
        for (let i = 0; i < slice.ips.length; i++) out.push({ name: `${endpointHostname(slice, i, ctx.opts.endpointPodNames)}.${svcName}`, ip: slice.ips[i]! });
      } else {
        for (const ip of svc.clusterIPs) out.push({ name: svcName, ip });
      }
    }
  }
  if (out.length === 0) {
    const name = join('ns.dns', zone);
    for (const ip of ctx.opts.localAddresses) out.push({ name, ip });
  }
  return out;
}

/** plugin.NS at the apex: one NS per distinct name, one glue record per (name, address) found. */
function nsApex(ctx: Ctx, owner: string): Part {
  const answers: ResourceRecord[] = [];
  const extra: ResourceRecord[] = [];
  const seen = new Set<string>();
  for (const { name, ip } of nsAddrs(ctx)) {
    const a = addressOf(ip);
    extra.push(address(name, a.family === 4 ? A : AAAA, ctx.ttl, a.text));
    if (seen.has(name)) continue;
    seen.add(name);
    answers.push({ name: owner, type: NS, class: IN, ttl: ctx.ttl, data: name });
  }
  return partial(answers, extra);
}

// ----------------------------------------------------------------------------------------------
// ServeDNS.
// ----------------------------------------------------------------------------------------------

/** The SOA of the matched zone, as CoreDNS builds it (owner = the zone as the query spelled it). */
export function soaRecord(zoneSpelled: string, ttl: number, serial: number): ResourceRecord {
  return {
    name: zoneSpelled,
    type: SOA,
    class: IN,
    ttl: Math.min(ttl, 300),
    data: {
      mname: join('ns.dns', zoneSpelled),
      rname: join('hostmaster', zoneSpelled),
      serial: serial >>> 0,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: ttl,
    },
  };
}

/** The zone part of `name` as spelled by the client (CoreDNS: qname[len(qname)-len(zone):]). */
function spelledZone(name: string, zone: string): string {
  return name.length >= zone.length ? name.slice(name.length - zone.length) : zone;
}

/** A negative answer (NXDOMAIN, NODATA or not-synced SERVFAIL) for `q`, with the zone's SOA. */
export function negativeAnswer(state: ClusterState, q: Query, opts: KubernetesOptions, rcode: number, nameError: boolean): Answer {
  return {
    rcode,
    answers: [],
    authorities: [soaRecord(spelledZone(q.name, q.zone), opts.ttl, state.modified)],
    additionals: [],
    chase: null,
    nodataAuthorities: [],
    nameError,
  };
}

/**
 * TXT (Kubernetes.Services): dns-version.<zone> is the only TXT record. Any other name is NODATA
 * when Records() finds something for it (a service, an endpoint, an ExternalName, a pod) and
 * NXDOMAIN otherwise, so the apex, `svc`, `<ns>.svc` and `ns.dns.<zone>` are NXDOMAIN for TXT
 * although they are NODATA for A, and an ExternalName's TXT is NODATA with no CNAME.
 */
function txt(ctx: Ctx, owner: string, lname: string): Part {
  if (isDnsVersion(ctx, lname)) {
    return partial([{ name: owner, type: TXT, class: IN, ttl: DNS_VERSION_TTL, data: [DNS_SCHEMA_VERSION] }]);
  }
  const r = records(ctx, lname);
  return !r.err && r.entries.length > 0 ? partial([]) : PART_NAME_ERROR;
}

/**
 * What the kubernetes plugin answers to `q` (spec B.3). AA is the caller's; so are fallthrough
 * (on `nameError`) and the resolution of `chase`.
 */
export function answer(state: ClusterState, q: Query, opts: KubernetesOptions): Answer {
  const owner = q.name;
  const lname = owner.toLowerCase();
  const zone = q.zone;
  if (trimZone(lname, zone) === null) {
    // Not in the matched zone: a caller error; refuse rather than invent.
    return { rcode: Rcode.REFUSED, answers: [], authorities: [], additionals: [], chase: null, nodataAuthorities: [], nameError: false };
  }
  const ctx: Ctx = { state, opts, zone, zoneSpelled: spelledZone(owner, zone), ttl: opts.ttl };
  const apex = lname === zone;
  // SPEC-vs-MEMORY: CoreDNS compares the lower-cased name with the query-spelled zone for NS (and
  // for ns.dns.<zone>), so a mixed-case apex NS is NODATA there; here the apex is case-insensitive.

  let p: Part;
  switch (q.type) {
    case A:
    case AAAA:
      p = chain(ctx, owner, lname, q.type, []);
      break;
    case TXT:
      p = txt(ctx, owner, lname);
      break;
    case CNAME:
      p = cname(ctx, owner, lname);
      break;
    case PTR:
      p = ptr(ctx, owner, lname);
      break;
    case SRV:
      p = srv(ctx, owner, lname);
      break;
    case SOA:
      p = apex ? partial([soaRecord(ctx.zoneSpelled, opts.ttl, state.modified)]) : partial([]);
      break;
    case AXFR:
    case IXFR:
      return { rcode: Rcode.REFUSED, answers: [], authorities: [], additionals: [], chase: null, nodataAuthorities: [], nameError: false };
    case NS:
      p = apex ? nsApex(ctx, owner) : exists(ctx, lname);
      break;
    case MX:
    default:
      p = exists(ctx, lname);
      break;
  }

  if (p.err) return negativeAnswer(state, q, opts, state.synced ? Rcode.NXDOMAIN : Rcode.SERVFAIL, true);
  if (p.answers.length === 0) return negativeAnswer(state, q, opts, Rcode.NOERROR, false);
  const nodataAuthorities = p.chase === null ? [] : [soaRecord(ctx.zoneSpelled, opts.ttl, state.modified)];
  return { rcode: Rcode.NOERROR, answers: p.answers, authorities: [], additionals: p.extra, chase: p.chase, nodataAuthorities, nameError: false };
}
