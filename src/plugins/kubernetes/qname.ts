/**
 * qname.ts — how the kubernetes plugin reads a query name (CoreDNS plugin/kubernetes/parse.go), plus
 * the small name/IP helpers the record logic needs (reverse-name → address, IP text → family and
 * canonical text). Pure functions, no cluster access.
 *
 * Grammar: the labels left of the matched zone, lower-cased, read right to left (spec B.2):
 *
 *   (none)                      zone apex                                   → kind 'empty'
 *   svc | pod                   bare type label                             → kind 'empty' (NODATA)
 *   <ns>.svc | <ns>.pod         namespace                                   → service ''
 *   <s>.<ns>.svc                service s                                   (pod form: <ip-dashed>.<ns>.pod)
 *   <x>.<s>.<ns>.svc            endpoint x of service s                     (pod form: extra label ignored)
 *   <a>.<b>.<s>.<ns>.svc        port a, protocol b, one leading '_' stripped from each; '' = any
 *                               (multicluster zone and neither label starts with '_': endpoint a in
 *                               cluster b — TODO(multicluster), not implemented)
 *   3+ labels before <s>        invalid ("too long")  — TODO(zonal): `<z>.pin|prefer._zone.<s>.<ns>.svc`
 *   rightmost label not svc/pod invalid
 *
 * 'invalid' is NXDOMAIN-class. Labels keep RFC 1035 escapes as written (an escaped dot does not
 * split), exactly like miekg/dns SplitDomainName, so `\119eb` never matches "web".
 *
 * The IP helpers at the bottom are local stand-ins (marked LOCAL-IP) for src/dns/ip.ts, which is
 * being written elsewhere; they follow Go's net.ParseIP / IP.String() because CoreDNS does.
 */

/** The parsed query name. Fields are '' when absent. */
export type ParsedQname =
  | { readonly kind: 'invalid' }
  | { readonly kind: 'empty' }
  | {
    readonly kind: 'svc' | 'pod';
    readonly namespace: string;
    /** The service name (or, for 'pod', the dashed-IP pod name). */
    readonly service: string;
    readonly endpoint: string;
    readonly port: string;
    readonly protocol: string;
  };

export const INVALID: ParsedQname = Object.freeze({ kind: 'invalid' });
export const EMPTY: ParsedQname = Object.freeze({ kind: 'empty' });

/** Splits a relative name ("a.b.c", no trailing dot) into labels, honouring `\.` and `\DDD` escapes. */
export function splitLabels(name: string): string[] {
  if (name === '') return [];
  if (name.indexOf('\\') < 0) return name.split('.');
  const labels: string[] = [];
  let start = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      const d = name.charCodeAt(i + 1);
      i += d >= 0x30 && d <= 0x39 ? 3 : 1;
    } else if (c === 0x2e /* . */) {
      labels.push(name.slice(start, i));
      start = i + 1;
    }
  }
  labels.push(name.slice(start));
  return labels;
}

/**
 * The part of `lname` left of `zone` without the separating dot ('' at the apex), or null when
 * `lname` is not at or under `zone`. Both lower-case and absolute.
 */
export function trimZone(lname: string, zone: string): string | null {
  if (lname === zone) return '';
  if (zone === '.') return lname.slice(0, -1);
  if (!lname.endsWith(zone) || lname.charCodeAt(lname.length - zone.length - 1) !== 0x2e) return null;
  return lname.slice(0, lname.length - zone.length - 1);
}

function stripUnderscore(s: string): string {
  return s.charCodeAt(0) === 0x5f /* _ */ ? s.slice(1) : s;
}

/** Parses the labels left of the zone (see the grammar above). `base` comes from trimZone. */
export function parseBase(base: string): ParsedQname {
  if (base === '' || base === 'svc' || base === 'pod') return EMPTY;
  const segs = splitLabels(base);
  let last = segs.length - 1;
  const podOrSvc = segs[last];
  if (podOrSvc !== 'svc' && podOrSvc !== 'pod') return INVALID;
  const kind = podOrSvc;
  last--;
  const namespace = last >= 0 ? segs[last]! : '';
  last--;
  const service = last >= 0 ? segs[last]! : '';
  last--;
  let endpoint = '';
  let port = '';
  let protocol = '';
  if (last === 0) {
    endpoint = segs[0]!;
  } else if (last === 1) {
    // TODO(multicluster): in a multicluster zone, when neither label starts with '_', this is
    // endpoint segs[0] in cluster segs[1].
    protocol = stripUnderscore(segs[1]!);
    port = stripUnderscore(segs[0]!);
  } else if (last > 1) {
    // TODO(zonal): `<topozone>.pin._zone.<svc>.<ns>.svc` / `.prefer._zone.` when `zonal` is set.
    return INVALID;
  }
  return { kind, namespace, service, endpoint, port, protocol };
}

/** parseBase(trimZone(lname, zone)); 'invalid' when the name is not in the zone. */
export function parseQname(lname: string, zone: string): ParsedQname {
  const base = trimZone(lname, zone);
  return base === null ? INVALID : parseBase(base);
}

const IP4ARPA = '.in-addr.arpa.';
const IP6ARPA = '.ip6.arpa.';

/** CoreDNS dnsutil.IsReverse: the name lies below in-addr.arpa. or ip6.arpa. (the apexes themselves do not count). */
export function isReverseName(lname: string): boolean {
  return lname.endsWith(IP4ARPA) || lname.endsWith(IP6ARPA);
}

/**
 * CoreDNS dnsutil.ExtractAddressFromReverse on a lower-cased name: the address a full reverse name
 * stands for, in canonical text, or '' when the name is not a full address. Quirks kept: IPv6
 * groups are built from consecutive runs of 4 labels, so surplus leftmost labels (beyond 32) are
 * ignored; an IPv4-mapped IPv6 address comes back as dotted IPv4 (Go's IP.String()).
 */
export function reverseAddress(lname: string): string {
  if (lname.endsWith(IP4ARPA)) {
    const labels = lname.slice(0, -IP4ARPA.length).split('.');
    if (labels.length !== 4) return '';
    const text = `${labels[3]}.${labels[2]}.${labels[1]}.${labels[0]}`;
    return parseIPv4(text) === null ? '' : text;
  }
  if (lname.endsWith(IP6ARPA)) {
    const labels = lname.slice(0, -IP6ARPA.length).split('.');
    labels.reverse();
    const n = Math.floor(labels.length / 4);
    if (n === 0) return '';
    const groups: string[] = [];
    for (let i = 0; i < n; i++) groups.push(labels[i * 4]! + labels[i * 4 + 1]! + labels[i * 4 + 2]! + labels[i * 4 + 3]!);
    const ip = parseIP(groups.join(':'));
    return ip === null ? '' : ip.text;
  }
  return '';
}

// ---------------------------------------------------------------------------------------------
// LOCAL-IP: stand-ins for src/dns/ip.ts (Go net.ParseIP / IP.String() semantics). Swap later.
// ---------------------------------------------------------------------------------------------

/** An address as CoreDNS's HostType sees it: family 4 for IPv4 and IPv4-mapped IPv6, else 6. */
export interface ParsedIP {
  readonly family: 4 | 6;
  /** Canonical text (Go IP.String()): dotted quad, or RFC 5952 compressed lower-case IPv6. */
  readonly text: string;
}

/** Go's IPv4 parser: exactly four decimal fields 0–255, no leading zeros. Returns the 4 bytes or null. */
export function parseIPv4(s: string): number[] | null {
  const out: number[] = [];
  let i = 0;
  for (let f = 0; f < 4; f++) {
    if (f > 0) {
      if (s.charCodeAt(i) !== 0x2e) return null;
      i++;
    }
    const start = i;
    let v = 0;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      v = v * 10 + (c - 0x30);
      i++;
      if (i - start > 3) return null;
    }
    if (i === start || v > 255 || (i - start > 1 && s.charCodeAt(start) === 0x30)) return null;
    out.push(v);
  }
  return i === s.length ? out : null;
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Go's IPv6 parser (no zone): up to 8 groups of 1–4 hex digits, one `::`, optional trailing IPv4. Returns 8 groups or null. */
export function parseIPv6(s: string): number[] | null {
  const groups: number[] = [];
  let ellipsis = -1;
  let i = 0;
  if (s.startsWith('::')) {
    ellipsis = 0;
    i = 2;
    if (i === s.length) return [0, 0, 0, 0, 0, 0, 0, 0];
  }
  while (i < s.length) {
    let j = i;
    let v = 0;
    while (j < s.length && j - i < 5) {
      const h = hexVal(s.charCodeAt(j));
      if (h < 0) break;
      v = v * 16 + h;
      j++;
    }
    if (j === i || j - i > 4) return null;
    if (j < s.length && s.charCodeAt(j) === 0x2e) {
      // Trailing embedded IPv4.
      if (ellipsis < 0 && groups.length !== 6) return null;
      if (groups.length + 2 > 8) return null;
      const v4 = parseIPv4(s.slice(i));
      if (v4 === null) return null;
      groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      i = s.length;
      break;
    }
    groups.push(v);
    i = j;
    if (i === s.length) break;
    if (s.charCodeAt(i) !== 0x3a) return null;
    i++;
    if (i === s.length) return null;
    if (s.charCodeAt(i) === 0x3a) {
      if (ellipsis >= 0) return null;
      ellipsis = groups.length;
      i++;
      if (i === s.length) break;
    }
    if (groups.length >= 8) return null;
  }
  if (ellipsis < 0) return groups.length === 8 ? groups : null;
  if (groups.length >= 8) return null;
  const fill = 8 - groups.length;
  const out = groups.slice(0, ellipsis);
  for (let k = 0; k < fill; k++) out.push(0);
  for (let k = ellipsis; k < groups.length; k++) out.push(groups[k]!);
  return out;
}

/** Go's IP.String() for 8 IPv6 groups (an IPv4-mapped address prints as dotted IPv4). */
export function formatIPv6(g: readonly number[]): ParsedIP {
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    const a = g[6]!;
    const b = g[7]!;
    return { family: 4, text: `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}` };
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += g[i]!.toString(16);
  }
  return { family: 6, text: out };
}

/** Go net.ParseIP followed by HostType/String(): null when `s` is not an IP address. */
export function parseIP(s: string): ParsedIP | null {
  if (s.indexOf(':') < 0) return parseIPv4(s) === null ? null : { family: 4, text: s };
  const g = parseIPv6(s);
  return g === null ? null : formatIPv6(g);
}

/**
 * Family and canonical text of an address taken from a cluster object (already canonical per
 * model.ts): a fast path that only does a full parse for the rare IPv4-mapped form.
 */
export function addressOf(ip: string): ParsedIP {
  if (ip.indexOf(':') < 0) return { family: 4, text: ip };
  if (ip.startsWith('::ffff:')) return parseIP(ip) ?? { family: 6, text: ip };
  return { family: 6, text: ip };
}

/** Family of an address from a cluster object, without allocating (IPv4-mapped counts as 4). */
export function familyOf(ip: string): 4 | 6 {
  if (ip.indexOf(':') < 0) return 4;
  return ip.startsWith('::ffff:') ? addressOf(ip).family : 6;
}

/** Canonical text of an address from a cluster object (itself, except for IPv4-mapped IPv6). */
export function addressText(ip: string): string {
  return ip.startsWith('::ffff:') ? addressOf(ip).text : ip;
}
