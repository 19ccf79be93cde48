/**
 * loadbalance's policy on decoded messages (CoreDNS plugin/loadbalance/loadbalance.go and
 * prefer.go): the round_robin reorder of one section, the shuffle itself, the `prefer` subnet
 * ordering, and the whole-message transform (NOERROR replies only, never AXFR/IXFR). The wire
 * fast path (wire.ts) does the same on bytes when it can, and falls back to this.
 */
import type { Message, ResourceRecord } from '../../dns/types.ts';
import { RRType, Rcode } from '../../dns/types.ts';
import { ipv4Bytes, ipv6Bytes } from '../../dns/ip.ts';

/** A random number in [0, 1) (Math.random; tests inject a sequence). */
export type Random = () => number;

/** A `prefer` subnet: network bytes (masked), prefix length. IPv4-mapped IPv6 subnets are stored as IPv4. */
export interface Subnet {
  readonly text: string;
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
  readonly bits: number;
}

export interface Policy {
  readonly prefer: readonly Subnet[];
  readonly random: Random;
}

/**
 * CoreDNS's roundRobinShuffle: two records swap with probability 1/2; more are shuffled with
 * j + rand % (n - j) for every j (a Fisher-Yates shuffle). `a` is permuted in place.
 */
export function shuffle<T>(a: T[], random: Random, from = 0, to = a.length): void {
  const n = to - from;
  if (n < 2) return;
  if (n === 2) {
    if (random() < 0.5) { const t = a[from]!; a[from] = a[from + 1]!; a[from + 1] = t; }
    return;
  }
  for (let j = 0; j < n; j++) {
    const p = j + Math.floor(random() * (n - j));
    if (p === j) continue;
    const t = a[from + j]!;
    a[from + j] = a[from + p]!;
    a[from + p] = t;
  }
}

const isAddress = (t: number): boolean => t === RRType.A || t === RRType.AAAA;

/**
 * CoreDNS's roundRobin on one section: all A (or all AAAA) records are shuffled where they are;
 * otherwise the section becomes CNAMEs, other records, addresses (A and AAAA, shuffled together),
 * MX (shuffled), the first two groups in their original order.
 */
export function roundRobin(rrs: readonly ResourceRecord[], random: Random): readonly ResourceRecord[] {
  if (rrs.length <= 1) return rrs;
  const first = rrs[0]!.type;
  if (isAddress(first) && rrs.every((r) => r.type === first)) {
    const out = [...rrs];
    shuffle(out, random);
    return out;
  }
  const cname: ResourceRecord[] = [];
  const rest: ResourceRecord[] = [];
  const address: ResourceRecord[] = [];
  const mx: ResourceRecord[] = [];
  for (const r of rrs) {
    if (r.type === RRType.CNAME) cname.push(r);
    else if (isAddress(r.type)) address.push(r);
    else if (r.type === RRType.MX) mx.push(r);
    else rest.push(r);
  }
  shuffle(address, random);
  shuffle(mx, random);
  return [...cname, ...rest, ...address, ...mx];
}

/** Whether `ip` (4 or 16 bytes at `off` of `b`) is in `s`; an IPv4-mapped IPv6 address counts as IPv4 (Go's IPNet.Contains). */
export function subnetContains(s: Subnet, b: Uint8Array, off: number, len: number): boolean {
  let at = off;
  if (s.family === 4) {
    if (len === 16) {
      for (let i = 0; i < 10; i++) if (b[off + i] !== 0) return false;
      if (b[off + 10] !== 0xff || b[off + 11] !== 0xff) return false;
      at = off + 12;
    } else if (len !== 4) return false;
  } else if (len !== 16) return false;
  const full = s.bits >> 3;
  for (let i = 0; i < full; i++) if (b[at + i] !== s.bytes[i]) return false;
  const rem = s.bits & 7;
  if (rem === 0) return true;
  const mask = (0xff << (8 - rem)) & 0xff;
  return (b[at + full]! & mask) === s.bytes[full];
}

function addressBytes(r: ResourceRecord): Uint8Array | null {
  if (typeof r.data !== 'string') return null;
  return r.type === RRType.A ? ipv4Bytes(r.data) : r.type === RRType.AAAA ? ipv6Bytes(r.data) : null;
}

/**
 * CoreDNS's reorderPreferredSubnets on one section: CNAMEs, then addresses in the subnets' order
 * (each subnet's matches in their current order, then the unmatched ones), then MX, then the rest.
 */
export function preferOrder(rrs: readonly ResourceRecord[], subnets: readonly Subnet[]): readonly ResourceRecord[] {
  if (subnets.length === 0 || rrs.length === 0) return rrs;
  const cname: ResourceRecord[] = [];
  const address: ResourceRecord[] = [];
  const mx: ResourceRecord[] = [];
  const rest: ResourceRecord[] = [];
  for (const r of rrs) {
    if (r.type === RRType.CNAME) cname.push(r);
    else if (isAddress(r.type)) address.push(r);
    else if (r.type === RRType.MX) mx.push(r);
    else rest.push(r);
  }
  const ips = address.map(addressBytes);
  const taken = new Array<boolean>(address.length).fill(false);
  const sorted: ResourceRecord[] = [];
  for (const s of subnets) {
    for (let i = 0; i < address.length; i++) {
      const ip = ips[i];
      if (taken[i] === true || ip === null || ip === undefined) continue;
      if (subnetContains(s, ip, 0, ip.length)) { sorted.push(address[i]!); taken[i] = true; }
    }
  }
  for (let i = 0; i < address.length; i++) if (taken[i] !== true) sorted.push(address[i]!);
  return [...cname, ...sorted, ...mx, ...rest];
}

/** Whether loadbalance touches this reply: NOERROR, and not a zone transfer (CoreDNS WriteMsg). */
export function applies(m: Message): boolean {
  if (m.rcode !== Rcode.NOERROR) return false;
  const q = m.questions[0];
  return q !== undefined && q.type !== RRType.AXFR && q.type !== RRType.IXFR;
}

/** The whole policy on a message: round_robin on every section, then `prefer` on answer and additional. */
export function balance(m: Message, policy: Policy): Message {
  if (!applies(m)) return m;
  let answers = roundRobin(m.answers, policy.random);
  const authorities = roundRobin(m.authorities, policy.random);
  let additionals = roundRobin(m.additionals, policy.random);
  if (policy.prefer.length > 0) {
    answers = preferOrder(answers, policy.prefer);
    additionals = preferOrder(additionals, policy.prefer);
  }
  return { ...m, answers, authorities, additionals };
}
