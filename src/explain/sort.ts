/**
 * The order getaddrinfo returns addresses in: RFC 3484 / RFC 6724 destination address selection,
 * as each resolver implements it. It depends on the host: whether a destination is reachable
 * (a route, and so a source address) decides rule 1, and the source decides rules 2, 5 and 9.
 *
 * The environment is given as the host's own non-loopback addresses (`sources`): a destination of
 * a family the host has an address of is taken as reachable from the first such address (as with
 * a default route); loopback destinations are reachable from loopback; everything else is
 * unreachable (a pod network namespace with only `lo`, or the test's namespace).
 *
 * glibc 2.36 (sysdeps/posix/getaddrinfo.c rfc3484_sort, default tables, no /etc/gai.conf):
 *   rules 1, 2, 5, 6, 8, 9 (IPv6 only here: IPv4 needs the interface netmask), 10 (input order);
 *   precedence ::1 50, ::/0 40, 2002::/16 30, ::/96 20, IPv4 10 — ULA (fc00::/7) has no entry, so
 *   fd00:… ranks as global IPv6, above IPv4.
 * musl (src/network/lookup_name.c __lookup_name): one sort key per address — usable, matching
 *   scope, matching label, precedence, scope, common prefix with the source, input order;
 *   precedence ::1 50, ::/0 40, IPv4 35, 2002::/16 30, 2001::/32 5, fc00::/7 3. Not sorted at all
 *   when every address is IPv4.
 * Go (net/addrselect.go sortByRFC6724): rules 1, 2, 5, 6, 8, 9 (IPv6 only), stable; when neither
 *   of two destinations is reachable they compare equal, so the input order — the order the
 *   answers arrived in — is kept.
 */
import { ipFamily, ipv4Bytes, ipv6Bytes } from '../dns/ip.ts';
import type { ResolverKind } from './types.ts';

/** An address as 16 bytes (IPv4 as ::ffff:a.b.c.d). */
function bytes16(addr: string): Uint8Array {
  const v4 = ipv4Bytes(addr);
  if (v4 !== null) {
    const out = new Uint8Array(16);
    out[10] = 0xff;
    out[11] = 0xff;
    out.set(v4, 12);
    return out;
  }
  const v6 = ipv6Bytes(addr);
  if (v6 === null) throw new RangeError(`not an address: ${addr}`);
  return v6;
}

interface Policy { readonly prefix: Uint8Array; readonly bits: number; readonly value: number }

function policy(text: string, bits: number, value: number): Policy {
  return { prefix: bytes16(text), bits, value };
}

function matches(a: Uint8Array, p: Policy): boolean {
  let bits = p.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff00 >> bits) & 0xff;
    if ((a[i]! & mask) !== (p.prefix[i]! & mask)) return false;
  }
  return true;
}

function lookup(a: Uint8Array, table: readonly Policy[]): number {
  for (const p of table) if (matches(a, p)) return p.value;
  return 0;
}

const GLIBC_LABELS = [
  policy('::1', 128, 0), policy('2002::', 16, 2), policy('::', 96, 3), policy('::ffff:0.0.0.0', 96, 4),
  policy('fec0::', 10, 5), policy('fc00::', 7, 6), policy('2001::', 32, 7), policy('::', 0, 1),
];
const GLIBC_PRECEDENCE = [
  policy('::1', 128, 50), policy('2002::', 16, 30), policy('::', 96, 20), policy('::ffff:0.0.0.0', 96, 10), policy('::', 0, 40),
];
const MUSL_POLICY_PREC = [
  policy('::1', 128, 50), policy('::ffff:0.0.0.0', 96, 35), policy('2002::', 16, 30), policy('2001::', 32, 5), policy('fc00::', 7, 3), policy('::', 0, 40),
];
const MUSL_POLICY_LABEL = [
  policy('::1', 128, 0), policy('::ffff:0.0.0.0', 96, 4), policy('2002::', 16, 2), policy('2001::', 32, 5), policy('fc00::', 7, 13), policy('::', 0, 1),
];
const GO_PREC = [
  policy('::1', 128, 50), policy('::ffff:0.0.0.0', 96, 35), policy('::', 96, 1), policy('2001::', 32, 5), policy('2002::', 16, 30),
  policy('3ffe::', 16, 1), policy('fec0::', 10, 1), policy('fc00::', 7, 3), policy('::', 0, 40),
];
const GO_LABEL = [
  policy('::1', 128, 0), policy('::ffff:0.0.0.0', 96, 4), policy('::', 96, 3), policy('2001::', 32, 5), policy('2002::', 16, 2),
  policy('3ffe::', 16, 12), policy('fec0::', 10, 11), policy('fc00::', 7, 13), policy('::', 0, 1),
];

function isV4(a: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (a[i] !== 0) return false;
  return a[10] === 0xff && a[11] === 0xff;
}
function isLoopback(a: Uint8Array): boolean {
  if (isV4(a)) return a[12] === 127;
  for (let i = 0; i < 15; i++) if (a[i] !== 0) return false;
  return a[15] === 1;
}

/** IPv6 scope as glibc and musl compute it for an IPv6 address. */
function scope6(a: Uint8Array): number {
  if (a[0] === 0xff) return a[1]! & 15;
  if (a[0] === 0xfe && (a[1]! & 0xc0) === 0x80) return 2;
  let loop = true;
  for (let i = 0; i < 15; i++) if (a[i] !== 0) loop = false;
  if (loop && a[15] === 1) return 2;
  if (a[0] === 0xfe && (a[1]! & 0xc0) === 0xc0) return 5;
  return 14;
}

/** glibc: IPv4 scope from default_scopes (169.254/16 and 127/8 link-local), IPv6 as above. */
function glibcScope(a: Uint8Array): number {
  if (isV4(a)) return (a[12] === 169 && a[13] === 254) || a[12] === 127 ? 2 : 14;
  return scope6(a);
}
/** musl: scopeof() on the v4-mapped form (so IPv4, even 127/8, is global). */
function muslScope(a: Uint8Array): number {
  return scope6(a);
}
/** Go: classifyScope (IPv4 loopback and link-local are link-local). */
function goScope(a: Uint8Array): number {
  if (isV4(a)) return (a[12] === 169 && a[13] === 254) || a[12] === 127 ? 2 : 14;
  return scope6(a);
}

function commonPrefix(a: Uint8Array, b: Uint8Array, maxBytes = 16): number {
  let n = 0;
  for (let i = 0; i < maxBytes; i++) {
    const x = a[i]! ^ b[i]!;
    if (x === 0) { n += 8; continue; }
    return n + Math.clz32(x) - 24;
  }
  return n;
}

interface Dest {
  readonly text: string;
  readonly a: Uint8Array;
  readonly src: Uint8Array | null;
  readonly index: number;
}

function sourceFor(a: Uint8Array, sources: readonly Uint8Array[]): Uint8Array | null {
  if (isLoopback(a)) return a;
  return sources.find((s) => isV4(s) === isV4(a) && !isLoopback(s)) ?? null;
}

function glibcCompare(x: Dest, y: Dest): number {
  if (x.src !== null && y.src === null) return -1;
  if (x.src === null && y.src !== null) return 1;
  const xs = glibcScope(x.a);
  const ys = glibcScope(y.a);
  if (x.src !== null && y.src !== null) {
    const xm = xs === glibcScope(x.src);
    const ym = ys === glibcScope(y.src);
    if (xm && !ym) return -1;
    if (!xm && ym) return 1;
    const xl = lookup(x.a, GLIBC_LABELS) === lookup(x.src, GLIBC_LABELS);
    const yl = lookup(y.a, GLIBC_LABELS) === lookup(y.src, GLIBC_LABELS);
    if (xl && !yl) return -1;
    if (!xl && yl) return 1;
  }
  const xp = lookup(x.a, GLIBC_PRECEDENCE);
  const yp = lookup(y.a, GLIBC_PRECEDENCE);
  if (xp !== yp) return yp - xp;
  if (xs !== ys) return xs - ys;
  if (x.src !== null && y.src !== null && !isV4(x.a) && !isV4(y.a)) {
    const xb = commonPrefix(x.a, x.src, 8);
    const yb = commonPrefix(y.a, y.src, 8);
    if (xb !== yb) return yb - xb;
  }
  return x.index - y.index;
}

function muslKey(d: Dest): number {
  const prec = lookup(d.a, MUSL_POLICY_PREC);
  const label = lookup(d.a, MUSL_POLICY_LABEL);
  const scope = muslScope(d.a);
  let key = 0;
  let prefixlen = 0;
  if (d.src !== null) {
    key |= 0x40000000;
    if (scope === muslScope(d.src)) key |= 0x20000000;
    if (label === lookup(d.src, MUSL_POLICY_LABEL)) key |= 0x10000000;
    prefixlen = commonPrefix(d.src, d.a);
  }
  key |= prec << 20;
  key |= (15 - scope) << 16;
  key |= prefixlen << 8;
  key |= 48 - d.index;
  return key;
}

/** Go's Less (addrselect.go): true when x goes before y. */
function goLess(x: Dest, y: Dest): boolean {
  if (x.src === null && y.src === null) return false;
  if (y.src === null) return true;
  if (x.src === null) return false;
  const xs = goScope(x.a);
  const ys = goScope(y.a);
  const xss = goScope(x.src);
  const yss = goScope(y.src);
  if (xs === xss && ys !== yss) return true;
  if (xs !== xss && ys === yss) return false;
  const xl = lookup(x.src, GO_LABEL) === lookup(x.a, GO_LABEL);
  const yl = lookup(y.src, GO_LABEL) === lookup(y.a, GO_LABEL);
  if (xl && !yl) return true;
  if (!xl && yl) return false;
  const xp = lookup(x.a, GO_PREC);
  const yp = lookup(y.a, GO_PREC);
  if (xp > yp) return true;
  if (xp < yp) return false;
  if (xs < ys) return true;
  if (xs > ys) return false;
  if (!isV4(x.a) && !isV4(y.a)) {
    const xb = commonPrefix(x.src, x.a, 8);
    const yb = commonPrefix(y.src, y.a, 8);
    if (xb > yb) return true;
    if (xb < yb) return false;
  }
  return false;
}

export interface SortResult {
  readonly addresses: readonly string[];
  /** Go: some pair of addresses compared equal, so their order is the arrival order. */
  readonly arrivalOrderKept: boolean;
}

/**
 * Sorts addresses (given in the order the resolver collected them) as the resolver's
 * getaddrinfo does. `sources`: the host's non-loopback addresses (see the file comment).
 */
export function sortAddresses(kind: ResolverKind, addresses: readonly string[], sources: readonly string[] = []): SortResult {
  const srcs = sources.filter((s) => ipFamily(s) !== 0).map(bytes16);
  const dests: Dest[] = addresses.map((text, index) => {
    const a = bytes16(text);
    return { text, a, src: sourceFor(a, srcs), index };
  });
  if (kind === 'glibc') {
    return { addresses: [...dests].sort(glibcCompare).map((d) => d.text), arrivalOrderKept: false };
  }
  if (kind === 'go') {
    // sort.Stable: insertion sort for short lists (the same result as Go's for ≤ 20 elements).
    const out = [...dests];
    let equalPair = false;
    for (let i = 1; i < out.length; i++) {
      for (let j = i; j > 0 && goLess(out[j]!, out[j - 1]!); j--) [out[j], out[j - 1]] = [out[j - 1]!, out[j]!];
    }
    for (let i = 0; i < out.length; i++) {
      for (let j = i + 1; j < out.length; j++) {
        if (isV4(out[i]!.a) !== isV4(out[j]!.a) && !goLess(out[i]!, out[j]!) && !goLess(out[j]!, out[i]!)) equalPair = true;
      }
    }
    return { addresses: out.map((d) => d.text), arrivalOrderKept: equalPair };
  }
  // musl: no sorting for fewer than two addresses or only IPv4 ones.
  if (dests.length < 2 || dests.every((d) => isV4(d.a))) return { addresses: [...addresses], arrivalOrderKept: false };
  return { addresses: [...dests].sort((x, y) => muslKey(y) - muslKey(x)).map((d) => d.text), arrivalOrderKept: false };
}
