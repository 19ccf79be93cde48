/**
 * What kind of reply a message is, and whether and for how long the cache keeps it: CoreDNS's
 * response.Typify, dnsutil.MinimalTTLWithMaximum and the cache's key() / cacheResponseType rules
 * (plugin/cache/cache.go), on podns's Message model.
 */
import type { Message, ResourceRecord } from '../../dns/types.ts';
import { Opcode, RRClass, RRType, Rcode } from '../../dns/types.ts';
import { asciiLower } from '../../core/request.ts';

/** response.Type: how CoreDNS classifies a reply. */
export const Kind = {
  NoError: 0, NameError: 1, ServerError: 2, NoData: 3, Delegation: 4, Meta: 5, Update: 6, OtherError: 7,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** 2^31 seconds: RRSIG times are compared in serial-number arithmetic (RFC 4034 §3.1.5). */
const YEAR68 = 2 ** 31;

function u32(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

/** miekg's RRSIG.ValidityPeriod: is `nowSec` inside [inception, expiration]? */
function rrsigValid(data: Uint8Array, nowSec: number): boolean {
  if (data.length < 16) return true;
  const expiration = u32(data, 8);
  const inception = u32(data, 12);
  const ti = inception + Math.trunc((inception - nowSec) / YEAR68) * YEAR68;
  const te = expiration + Math.trunc((expiration - nowSec) / YEAR68) * YEAR68;
  return ti <= nowSec && nowSec <= te;
}

function hasExpiredSig(rrs: readonly ResourceRecord[], nowSec: number): boolean {
  for (const r of rrs) {
    if (r.type === RRType.RRSIG && r.data instanceof Uint8Array && !rrsigValid(r.data, nowSec)) return true;
  }
  return false;
}

/** response.Typify. `nowMs` is wall-clock time, for RRSIG validity when the reply has DO. */
export function typify(m: Message, nowMs: number): Kind {
  if (m.opcode === Opcode.UPDATE) return Kind.Update;
  if (m.opcode === Opcode.NOTIFY) return Kind.Meta;
  const q = m.questions[0];
  if (q !== undefined && (q.type === RRType.AXFR || q.type === RRType.IXFR)) return Kind.Meta;
  if (m.edns?.do === true) {
    const s = Math.floor(nowMs / 1000);
    if (hasExpiredSig(m.answers, s) || hasExpiredSig(m.authorities, s) || hasExpiredSig(m.additionals, s)) return Kind.OtherError;
  }
  if (m.answers.length > 0 && m.rcode === Rcode.NOERROR) return Kind.NoError;
  let soa = false;
  let ns = 0;
  for (const r of m.authorities) {
    if (r.type === RRType.SOA) soa = true;
    else if (r.type === RRType.NS) ns++;
  }
  if (soa && m.rcode === Rcode.NOERROR) return Kind.NoData;
  if (soa && m.rcode === Rcode.NXDOMAIN) return Kind.NameError;
  if (m.rcode === Rcode.SERVFAIL || m.rcode === Rcode.NOTIMP) return Kind.ServerError;
  if (ns > 0 && m.rcode === Rcode.NOERROR) return Kind.Delegation;
  if (m.rcode === Rcode.NOERROR) return Kind.NoError;
  return Kind.OtherError;
}

export function hasSOA(m: Message): boolean {
  for (const r of m.authorities) if (r.type === RRType.SOA) return true;
  return false;
}

function classMatches(rrClass: number, qclass: number): boolean {
  return qclass === RRClass.ANY || rrClass === qclass;
}

function sameName(a: string, b: string): boolean {
  return a === b || asciiLower(a) === asciiLower(b);
}

/**
 * The target `owner` is aliased to by the CNAMEs of `answer`: '' when it has none, null when it
 * has several distinct ones (RFC 2181 §10.1). Duplicates naming the same target are fine.
 */
function cnameTarget(answer: readonly ResourceRecord[], owner: string, qclass: number): string | null {
  let target = '';
  for (const r of answer) {
    if (r.type !== RRType.CNAME || !classMatches(r.class, qclass) || !sameName(r.name, owner)) continue;
    const t = r.data;
    if (typeof t !== 'string') continue;
    if (target !== '' && !sameName(target, t)) return null;
    target = t;
  }
  return target;
}

/** The end of the CNAME chain from `name`; null for a loop or an ambiguous alias. */
function canonicalName(answer: readonly ResourceRecord[], name: string, qclass: number): string | null {
  const seen = new Set<string>();
  for (;;) {
    const l = asciiLower(name);
    if (seen.has(l)) return null;
    seen.add(l);
    const target = cnameTarget(answer, name, qclass);
    if (target === null) return null;
    if (target === '') return name;
    name = target;
  }
}

/**
 * Does a NOERROR reply answer its question? For types other than CNAME and ANY, a record of the
 * asked type must exist at the end of the CNAME chain that starts at the question's name.
 */
export function answersQuestion(m: Message): boolean {
  const q = m.questions[0];
  if (m.rcode !== Rcode.NOERROR || q === undefined || m.answers.length === 0) return false;
  const answer = m.answers;
  if (q.type === RRType.ANY) {
    for (const r of answer) if (classMatches(r.class, q.class) && sameName(r.name, q.name)) return true;
    return false;
  }
  if (q.type === RRType.CNAME) {
    const t = cnameTarget(answer, q.name, q.class);
    return t !== null && t !== '';
  }
  // Fast path: the usual answer is the asked type at the asked name, no CNAME involved.
  let direct = false;
  let cname = false;
  for (const r of answer) {
    if (r.type === RRType.CNAME) cname = true;
    else if (r.type === q.type && classMatches(r.class, q.class) && sameName(r.name, q.name)) direct = true;
  }
  if (!cname) return direct;
  const terminal = canonicalName(answer, q.name, q.class);
  if (terminal === null) return false;
  for (const r of answer) {
    if (r.type === q.type && classMatches(r.class, q.class) && sameName(r.name, terminal)) return true;
  }
  return false;
}

/** A NOERROR reply with answers that still do not answer the question (an unfinished CNAME chain). */
export function isNoData(m: Message): boolean {
  return m.answers.length > 0 && !answersQuestion(m);
}

/** cacheResponseType: Typify, with a NOERROR + SOA reply whose answers do not answer as NODATA. */
export function cacheKind(m: Message, nowMs: number): Kind {
  const t = typify(m, nowMs);
  if (t === Kind.NoError && hasSOA(m) && isNoData(m)) return Kind.NoData;
  return t;
}

/**
 * key()'s "do we store this" half: not truncated replies, not errors other than SERVFAIL/NOTIMP,
 * not zone transfers, NOTIFY or UPDATE, not NXDOMAIN without an SOA (no negative TTL), and not a
 * NOERROR whose CNAME chain does not reach the asked type without an SOA (RFC 2308 §5).
 */
export function storable(m: Message, t: Kind): boolean {
  if (m.tc) return false;
  if (t === Kind.OtherError || t === Kind.Meta || t === Kind.Update) return false;
  if (t === Kind.NameError && !hasSOA(m)) return false;
  if (t === Kind.NoError && !hasSOA(m) && isNoData(m)) return false;
  return true;
}

/**
 * dnsutil.MinimalTTLWithMaximum, in seconds: the smallest TTL of every record (OPT aside), starting
 * from `max`; 5 for replies that are neither NOERROR, NXDOMAIN nor NODATA, and for empty ones.
 */
export function minimalTtl(m: Message, t: Kind, max: number): number {
  if (t !== Kind.NoError && t !== Kind.NameError && t !== Kind.NoData) return 5;
  if (m.answers.length + m.authorities.length + m.additionals.length === 0) return 5;
  let min = max;
  for (const r of m.answers) if (r.ttl < min) min = r.ttl;
  for (const r of m.authorities) if (r.ttl < min) min = r.ttl;
  for (const r of m.additionals) if (r.ttl < min) min = r.ttl;
  return min;
}

/** request.Match: the reply is a response to this question (name, case-insensitively, and type). */
export function matchesQuestion(m: Message, lname: string, qtype: number): boolean {
  const q = m.questions[0];
  return m.questions.length === 1 && m.qr && q !== undefined && q.type === qtype && asciiLower(q.name) === lname;
}
