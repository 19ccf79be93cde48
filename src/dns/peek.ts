/**
 * Reading the few fields observers need (log lines, metrics labels) straight from a message's
 * bytes, without a full decode: answer-cache hits are never decoded, yet they are logged and
 * counted like any other reply. Every function tolerates short or odd input.
 */
import { findOpt } from './header.ts';
import { nameAt } from './message.ts';

function u16(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}

export interface QueryPeek {
  readonly id: number;
  readonly opcode: number;
  /** The question's name as spelled (presentation form), "." when it cannot be read. */
  readonly qname: string;
  readonly qtype: number;
  readonly qclass: number;
  readonly size: number;
  /** The DO bit of the query's OPT. */
  readonly do: boolean;
  /** The client's UDP payload size as CoreDNS reports it: the OPT's size, or 512 without EDNS. */
  readonly bufsize: number;
  readonly edns: boolean;
}

export function peekQuery(q: Uint8Array): QueryPeek {
  if (q.length < 12) return { id: 0, opcode: 0, qname: '.', qtype: 0, qclass: 0, size: q.length, do: false, bufsize: 512, edns: false };
  let qname = '.';
  let qtype = 0;
  let qclass = 0;
  if (u16(q, 4) >= 1) {
    try {
      qname = nameAt(q, 12);
      // The question's name is normally uncompressed: find its end by walking labels.
      let p = 12;
      while (p < q.length && q[p] !== 0 && (q[p]! & 0xc0) === 0) p += 1 + q[p]!;
      p = p < q.length && (q[p]! & 0xc0) === 0xc0 ? p + 2 : p + 1;
      if (p + 4 <= q.length) { qtype = u16(q, p); qclass = u16(q, p + 2); }
    } catch { /* unreadable question: keep the defaults */ }
  }
  const opt = findOpt(q);
  const edns = opt >= 0;
  return {
    id: u16(q, 0), opcode: (q[2]! >> 3) & 0xf, qname, qtype, qclass, size: q.length,
    do: edns && (q[opt + 4]! & 0x80) !== 0,
    bufsize: edns ? Math.max(512, u16(q, opt)) : 512,
    edns,
  };
}

export interface ReplyPeek {
  /** The full rcode, with the OPT's upper bits when there is one (BADVERS = 16). */
  readonly rcode: number;
  readonly qr: boolean; readonly aa: boolean; readonly tc: boolean; readonly rd: boolean;
  readonly ra: boolean; readonly z: boolean; readonly ad: boolean; readonly cd: boolean;
  readonly ancount: number;
  readonly size: number;
}

export function peekReply(r: Uint8Array): ReplyPeek {
  if (r.length < 12) return { rcode: 2, qr: true, aa: false, tc: false, rd: false, ra: false, z: false, ad: false, cd: false, ancount: 0, size: r.length };
  const b2 = r[2]!;
  const b3 = r[3]!;
  const opt = findOpt(r);
  const ext = opt >= 0 ? r[opt + 2]! : 0;
  return {
    rcode: (ext << 4) | (b3 & 0xf),
    qr: (b2 & 0x80) !== 0, aa: (b2 & 0x04) !== 0, tc: (b2 & 0x02) !== 0, rd: (b2 & 0x01) !== 0,
    ra: (b3 & 0x80) !== 0, z: (b3 & 0x40) !== 0, ad: (b3 & 0x20) !== 0, cd: (b3 & 0x10) !== 0,
    ancount: u16(r, 6), size: r.length,
  };
}

/** The reply's flags as CoreDNS's log prints them: "qr,aa,tc,rd,ra,z,ad,cd" minus those unset. */
export function flagsText(p: ReplyPeek): string {
  const out: string[] = [];
  if (p.qr) out.push('qr');
  if (p.aa) out.push('aa');
  if (p.tc) out.push('tc');
  if (p.rd) out.push('rd');
  if (p.ra) out.push('ra');
  if (p.z) out.push('z');
  if (p.ad) out.push('ad');
  if (p.cd) out.push('cd');
  return out.join(',');
}
