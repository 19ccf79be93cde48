/**
 * The class of a reply for `log { class … }`, read from its bytes as CoreDNS's
 * plugin/pkg/response Typify + Classify do on the message:
 *   success: NOERROR with answers, a delegation (NS in authority), or any other NOERROR;
 *   denial:  NXDOMAIN or NODATA, i.e. NXDOMAIN/NOERROR with an SOA in the authority section;
 *   error:   everything else (SERVFAIL, NOTIMP, REFUSED, NXDOMAIN without SOA, no reply),
 *            and also NOTIFY/UPDATE and zone transfers, which CoreDNS types as meta/update.
 * CoreDNS also counts a DO reply carrying an expired RRSIG as an error; podns does not check
 * signature validity here.
 */
export type ResponseClass = 'success' | 'denial' | 'error';
export type ClassFilter = ResponseClass | 'all';

export const CLASSES: readonly ClassFilter[] = ['all', 'success', 'denial', 'error'];

const SOA = 6;
const NS = 2;
const IXFR = 251;
const AXFR = 252;

function u16(b: Uint8Array, o: number): number { return (b[o]! << 8) | b[o + 1]!; }

/** Offset after a (possibly compressed) name at `p`, or -1. */
function skipName(b: Uint8Array, p: number): number {
  for (;;) {
    const len = b[p];
    if (len === undefined) return -1;
    if (len === 0) return p + 1;
    if ((len & 0xc0) === 0xc0) return p + 2 <= b.length ? p + 2 : -1;
    if (len > 63) return -1;
    p += 1 + len;
  }
}

export function classify(r: Uint8Array | null): ResponseClass {
  if (r === null || r.length < 12) return 'error';
  const opcode = (r[2]! >> 3) & 0xf;
  if (opcode === 4 || opcode === 5) return 'error'; // NOTIFY (meta), UPDATE
  const qd = u16(r, 4);
  const an = u16(r, 6);
  const ns = u16(r, 8);
  let p = 12;
  for (let i = 0; i < qd; i++) {
    p = skipName(r, p);
    if (p < 0 || p + 4 > r.length) return 'error';
    if (i === 0) {
      const qtype = u16(r, p);
      if (qtype === AXFR || qtype === IXFR) return 'error'; // meta
    }
    p += 4;
  }
  // The full rcode: the header's four bits and, when there is an additional section, the OPT's.
  const ext = (r[10]! | r[11]!) !== 0 ? extendedBits(r) : 0;
  const rcode = (ext << 4) | (r[3]! & 0xf);
  if (an > 0 && rcode === 0) return 'success';
  for (let i = 0; i < an; i++) {
    p = skipRecord(r, p);
    if (p < 0) return 'error';
  }
  let soa = false;
  let nsCount = 0;
  for (let i = 0; i < ns; i++) {
    p = skipName(r, p);
    if (p < 0 || p + 10 > r.length) return 'error';
    const type = u16(r, p);
    if (type === SOA) soa = true;
    else if (type === NS) nsCount++;
    p += 10 + u16(r, p + 8);
  }
  if (soa && (rcode === 0 || rcode === 3)) return 'denial';
  if (rcode === 0) return 'success'; // a delegation, or an empty NOERROR
  return 'error';
}

function skipRecord(r: Uint8Array, p: number): number {
  p = skipName(r, p);
  if (p < 0 || p + 10 > r.length) return -1;
  return p + 10 + u16(r, p + 8);
}

/** The OPT's extended-rcode bits, walking to the additional section. */
function extendedBits(r: Uint8Array): number {
  const qd = u16(r, 4);
  const total = u16(r, 6) + u16(r, 8);
  const ar = u16(r, 10);
  let p = 12;
  for (let i = 0; i < qd; i++) {
    p = skipName(r, p);
    if (p < 0) return 0;
    p += 4;
  }
  for (let i = 0; i < total; i++) {
    p = skipRecord(r, p);
    if (p < 0) return 0;
  }
  for (let i = 0; i < ar; i++) {
    const start = skipName(r, p);
    if (start < 0 || start + 10 > r.length) return 0;
    if (u16(r, start) === 41) return r[start + 4]!;
    p = start + 10 + u16(r, start + 8);
  }
  return 0;
}
