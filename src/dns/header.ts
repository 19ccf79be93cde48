/**
 * Cheap checks on the raw bytes of an incoming query, before any full decode: whether to answer
 * it at all (the rules of miekg/dns acceptfunc.go, which CoreDNS serves with), a minimal error
 * reply built from the raw header, and the question's byte range for use as a cache key.
 * Nothing here allocates on the accept path.
 */

import { Buffer } from 'node:buffer';
import { WireError } from './message.ts';

const HEADER_SIZE = 12;
const TYPE_OPT = 41;

export type QueryAction = 'accept' | 'ignore' | 'formerr' | 'notimp';
export type QueryVerdictReason =
  | 'ok' | 'short' | 'response' | 'opcode' | 'qdcount' | 'ancount' | 'nscount' | 'arcount';

export interface QueryVerdict {
  readonly action: QueryAction;
  /** Which rule decided. */
  readonly reason: QueryVerdictReason;
}

const ACCEPT: QueryVerdict = Object.freeze({ action: 'accept', reason: 'ok' });
const SHORT: QueryVerdict = Object.freeze({ action: 'ignore', reason: 'short' });
const RESPONSE: QueryVerdict = Object.freeze({ action: 'ignore', reason: 'response' });
const OPCODE: QueryVerdict = Object.freeze({ action: 'notimp', reason: 'opcode' });
const QDCOUNT: QueryVerdict = Object.freeze({ action: 'formerr', reason: 'qdcount' });
const ANCOUNT: QueryVerdict = Object.freeze({ action: 'formerr', reason: 'ancount' });
const NSCOUNT: QueryVerdict = Object.freeze({ action: 'formerr', reason: 'nscount' });
const ARCOUNT: QueryVerdict = Object.freeze({ action: 'formerr', reason: 'arcount' });

function u16(buf: Uint8Array, off: number): number {
  return (buf[off]! << 8) | buf[off + 1]!;
}

/**
 * What to do with a datagram before decoding it, following miekg/dns defaultMsgAcceptFunc:
 * - ignore: shorter than the header (nothing to reply to), or QR set (a response; replying
 *   would invite ping-pong and amplification);
 * - notimp: opcode other than QUERY (miekg also accepts NOTIFY; we have no use for it);
 * - formerr: QDCOUNT ≠ 1, ANCOUNT > 1, NSCOUNT > 1 (RFC 1995 §3 IXFR carries one SOA there),
 *   ARCOUNT > 2 (an OPT plus a TSIG at most);
 * - accept otherwise. The returned objects are shared constants.
 */
export function inspectQuery(buf: Uint8Array): QueryVerdict {
  if (buf.length < HEADER_SIZE) return SHORT;
  const b2 = buf[2]!;
  if ((b2 & 0x80) !== 0) return RESPONSE;
  if (((b2 >> 3) & 0xf) !== 0) return OPCODE;
  if (u16(buf, 4) !== 1) return QDCOUNT;
  if (u16(buf, 6) > 1) return ANCOUNT;
  if (u16(buf, 8) > 1) return NSCOUNT;
  if (u16(buf, 10) > 2) return ARCOUNT;
  return ACCEPT;
}

/** The question of a single-question query located in the raw bytes. */
export interface QuestionKey {
  /** Offset of the question: always 12. */
  readonly start: number;
  /** Offset just after QCLASS; bytes [start, end) are the whole question. */
  readonly end: number;
  /** Offset of QTYPE (also the end of QNAME). */
  readonly typeOffset: number;
  /** Offset of QCLASS. */
  readonly classOffset: number;
  readonly qtype: number;
  readonly qclass: number;
  /** Whether QNAME holds any ASCII upper-case letter (a lower-cased key would differ). */
  readonly hasUpper: boolean;
}

/**
 * Locates the question of a query by walking label lengths only. Returns null, so the caller
 * falls back to a full decode, for anything but the simple case: QDCOUNT ≠ 1, a compression
 * pointer or extended label type in QNAME, a label over 63 or a name over 255 octets
 * (RFC 1035 §2.3.4), or bytes running out.
 */
export function questionKey(buf: Uint8Array): QuestionKey | null {
  const size = buf.length;
  if (size < HEADER_SIZE + 5 || u16(buf, 4) !== 1) return null;
  let p = HEADER_SIZE;
  let hasUpper = false;
  for (;;) {
    if (p >= size) return null;
    const len = buf[p]!;
    if (len === 0) break;
    if (len > 63) return null;
    const stop = p + 1 + len;
    if (stop > size) return null;
    for (let i = p + 1; i < stop; i++) {
      const c = buf[i]!;
      if (c >= 65 && c <= 90) hasUpper = true;
    }
    p = stop;
  }
  const typeOffset = p + 1;
  if (typeOffset - HEADER_SIZE > 255) return null;
  if (typeOffset + 4 > size) return null;
  return {
    start: HEADER_SIZE,
    end: typeOffset + 4,
    typeOffset,
    classOffset: typeOffset + 2,
    qtype: u16(buf, typeOffset),
    qclass: u16(buf, typeOffset + 2),
    hasUpper,
  };
}

/** Skips a possibly compressed name; returns the offset after it or -1. */
function skipName(buf: Uint8Array, p: number): number {
  const size = buf.length;
  for (;;) {
    if (p >= size) return -1;
    const len = buf[p]!;
    if (len === 0) return p + 1;
    if ((len & 0xc0) === 0xc0) return p + 2 <= size ? p + 2 : -1;
    if (len > 63) return -1;
    p += 1 + len;
  }
}

/**
 * Offsets of the TTL fields of every record but OPT (whose TTL field holds EDNS flags), in order,
 * or null when the message cannot be walked: what the answer cache rewrites to count a cached
 * reply's TTLs down without decoding it.
 */
export function ttlOffsets(buf: Uint8Array): number[] | null {
  const size = buf.length;
  if (size < HEADER_SIZE) return null;
  const qd = u16(buf, 4);
  const total = u16(buf, 6) + u16(buf, 8) + u16(buf, 10);
  let p = HEADER_SIZE;
  for (let i = 0; i < qd; i++) {
    p = skipName(buf, p);
    if (p < 0 || p + 4 > size) return null;
    p += 4;
  }
  const out: number[] = [];
  for (let i = 0; i < total; i++) {
    p = skipName(buf, p);
    if (p < 0 || p + 10 > size) return null;
    const rdlength = u16(buf, p + 8);
    if (p + 10 + rdlength > size) return null;
    if (u16(buf, p) !== TYPE_OPT) out.push(p + 4);
    p += 10 + rdlength;
  }
  return p === size ? out : null;
}

/**
 * Offset of the OPT record's CLASS field in the additional section, or -1 when the message has
 * none or cannot be walked.
 */
export function findOpt(buf: Uint8Array): number {
  const size = buf.length;
  const qd = u16(buf, 4);
  const an = u16(buf, 6);
  const ns = u16(buf, 8);
  const ar = u16(buf, 10);
  let p = HEADER_SIZE;
  for (let i = 0; i < qd; i++) {
    p = skipName(buf, p);
    if (p < 0 || p + 4 > size) return -1;
    p += 4;
  }
  const total = an + ns + ar;
  for (let i = 0; i < total; i++) {
    p = skipName(buf, p);
    if (p < 0 || p + 10 > size) return -1;
    const type = u16(buf, p);
    const rdlength = u16(buf, p + 8);
    if (p + 10 + rdlength > size) return -1;
    if (type === TYPE_OPT && i >= an + ns) return p + 2;
    p += 10 + rdlength;
  }
  return -1;
}

export interface ErrorReplyOptions {
  /** UDP payload size to advertise in the reply's OPT record (default 1232). */
  readonly udpSize?: number;
}

/**
 * A minimal reply to a query that will not be decoded further (FORMERR, NOTIMP, SERVFAIL, …):
 * ID, opcode, RD and CD copied (RFC 1035 §4.1.1, RFC 4035 §3.2.2), QR set, AA/TC/RA clear.
 * The question is echoed when QDCOUNT is 1 and QNAME is a plain uncompressed name; otherwise
 * all counts are zero. When the query carries an OPT record that can be located, the reply
 * carries one too (RFC 6891 §7): our UDP size, version 0, the query's DO bit (RFC 3225 §3), no
 * options, and the rcode's upper 8 bits. An rcode over 15 cannot be expressed without OPT and
 * becomes SERVFAIL. Throws WireError when the query is shorter than 12 octets.
 */
export function errorReply(query: Uint8Array, rcode: number, options: ErrorReplyOptions = {}): Uint8Array {
  if (query.length < HEADER_SIZE) {
    throw new WireError(`query is ${query.length} octets, shorter than the 12-octet header`);
  }
  const q = questionKey(query);
  const optAt = findOpt(query);
  let code = rcode;
  if (code > 0xf && optAt < 0) code = 2; // SERVFAIL
  const qlen = q === null ? 0 : q.end - q.start;
  const size = HEADER_SIZE + qlen + (optAt < 0 ? 0 : 11);
  const out = Buffer.allocUnsafe(size);
  out[0] = query[0]!;
  out[1] = query[1]!;
  out[2] = 0x80 | (query[2]! & 0x79); // QR, opcode, RD (AA and TC cleared)
  out[3] = (query[3]! & 0x10) | (code & 0xf); // CD, rcode
  out.writeUInt16BE(q === null ? 0 : 1, 4);
  out.writeUInt16BE(0, 6);
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(optAt < 0 ? 0 : 1, 10);
  let p = HEADER_SIZE;
  if (q !== null) {
    out.set(query.subarray(q.start, q.end), p);
    p += qlen;
  }
  if (optAt >= 0) {
    // OPT TTL layout (RFC 6891 §6.1.3): EXTENDED-RCODE, VERSION, DO|Z.
    const doBit = query[optAt + 4]! & 0x80;
    out[p++] = 0;
    out.writeUInt16BE(TYPE_OPT, p);
    out.writeUInt16BE((options.udpSize ?? 1232) & 0xffff, p + 2);
    out[p + 4] = (code >>> 4) & 0xff;
    out[p + 5] = 0;
    out[p + 6] = doBit;
    out[p + 7] = 0;
    out.writeUInt16BE(0, p + 8);
  }
  return out;
}
