/**
 * loadbalance on wire bytes, so that replies the server replays from its answer cache are
 * shuffled too. The fast path permutes records inside the reply's bytes: one pass over the
 * message finds each record's extent and every compression pointer; a run of records to shuffle
 * (the A/AAAA run, the MX run of a section) can be permuted as whole byte ranges when no pointer
 * anywhere in the message points into the run (then moving records inside it changes nothing any
 * name refers to, and the run keeps its length, so nothing after it moves). That holds for what
 * podns's encoder writes for usual replies: address owners are pointers to the question, and
 * address RDATA holds no name.
 *
 * It also needs the sections laid out as CoreDNS's reorder leaves them (CNAMEs, other records,
 * addresses, MX), so that reordering is only shuffling inside runs. Anything else (another
 * layout, a pointer into a run, the OPT record not last, a name it cannot read) goes to the slow
 * path: decode, reorder and shuffle the Message (roundrobin.ts), encode within the client's size.
 * Both paths draw the same random numbers in the same order, so they give the same result.
 */
import { decodeMessage, encodeMessage } from '../../dns/message.ts';
import type { Policy, Subnet } from './roundrobin.ts';
import { applies, balance, subnetContains } from './roundrobin.ts';

const A = 1;
const AAAA = 28;
const CNAME = 5;
const MX = 15;
const OPT = 41;
const IXFR = 251;
const AXFR = 252;

// Scratch, reused by every call (the transform is synchronous); grown on demand.
let starts = new Int32Array(64);
let ends = new Int32Array(64);
let rdatas = new Int32Array(64);
let types = new Uint16Array(64);
let targets = new Int32Array(256);
let nTargets = 0;
/** Runs to shuffle: [first record, end record) and whether `prefer` orders it. */
const blockFrom: number[] = [];
const blockTo: number[] = [];
const blockPrefer: boolean[] = [];
let order = new Int32Array(64);

function u16(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}

function grow(n: number): void {
  if (n <= starts.length) return;
  const size = Math.max(n, starts.length * 2);
  starts = new Int32Array(size);
  ends = new Int32Array(size);
  rdatas = new Int32Array(size);
  types = new Uint16Array(size);
  order = new Int32Array(size);
}

function pushTarget(t: number): void {
  if (nTargets === targets.length) {
    const bigger = new Int32Array(targets.length * 2);
    bigger.set(targets);
    targets = bigger;
  }
  targets[nTargets++] = t;
}

/** Skips the name at `off`, recording its pointer; the offset after it, or -1 when it is malformed. */
function skipName(b: Uint8Array, off: number): number {
  for (let labels = 0; labels < 128; labels++) {
    if (off >= b.length) return -1;
    const c = b[off]!;
    if (c === 0) return off + 1;
    if ((c & 0xc0) === 0xc0) {
      if (off + 1 >= b.length) return -1;
      pushTarget(((c & 0x3f) << 8) | b[off + 1]!);
      return off + 2;
    }
    if ((c & 0xc0) !== 0) return -1;
    off += 1 + c;
  }
  return -1;
}

/** Records the pointers in the names of RDATA types that may carry compressed names; false when unreadable. */
function rdataNames(b: Uint8Array, type: number, rd: number, end: number): boolean {
  if (rd >= end) return true;
  switch (type) {
    case 2: case 3: case 4: case 5: case 7: case 8: case 9: case 12: case 39: // NS MD MF CNAME MB MG MR PTR DNAME
      return skipName(b, rd) >= 0;
    case 6: case 14: case 17: { // SOA MINFO RP: two names
      const p = skipName(b, rd);
      return p >= 0 && skipName(b, p) >= 0;
    }
    case 15: case 18: case 21: case 36: // MX AFSDB RT KX: preference, name
      return skipName(b, rd + 2) >= 0;
    case 26: { // PX: preference, two names
      const p = skipName(b, rd + 2);
      return p >= 0 && skipName(b, p) >= 0;
    }
    case 33: // SRV: priority, weight, port, target (compressed by some encoders)
      return skipName(b, rd + 6) >= 0;
    default: // RFC 3597 §4: no compression in other types
      return true;
  }
}

function rank(type: number): number {
  if (type === CNAME) return 0;
  if (type === A || type === AAAA) return 2;
  if (type === MX) return 3;
  return 1;
}

function addBlock(from: number, to: number, prefer: boolean): void {
  blockFrom.push(from);
  blockTo.push(to);
  blockPrefer.push(prefer);
}

/** Plans the runs of records [s, e) to shuffle; false when the section is not laid out as CoreDNS would leave it. */
function plan(s: number, e: number, prefer: boolean): boolean {
  if (e - s < 2) return true;
  const first = types[s]!;
  if (first === A || first === AAAA) {
    let same = true;
    for (let i = s + 1; i < e; i++) if (types[i] !== first) { same = false; break; }
    if (same) { addBlock(s, e, prefer); return true; }
  }
  let prev = 0;
  let addrFrom = -1;
  let addrTo = -1;
  let mxFrom = -1;
  let mxTo = -1;
  let rest = false;
  for (let i = s; i < e; i++) {
    const r = rank(types[i]!);
    if (r < prev) return false;
    prev = r;
    if (r === 1) rest = true;
    else if (r === 2) { if (addrFrom < 0) addrFrom = i; addrTo = i + 1; }
    else if (r === 3) { if (mxFrom < 0) mxFrom = i; mxTo = i + 1; }
  }
  // `prefer` moves the other records after the addresses and MX: not a shuffle inside runs.
  if (prefer && rest && (addrFrom >= 0 || mxFrom >= 0)) return false;
  if (addrTo - addrFrom >= 2) addBlock(addrFrom, addrTo, prefer);
  if (mxTo - mxFrom >= 2) addBlock(mxFrom, mxTo, false);
  return true;
}

/** CoreDNS's shuffle on order[0, n) (the same draws as roundrobin.ts's shuffle). */
function shuffleOrder(n: number, random: () => number): void {
  for (let i = 0; i < n; i++) order[i] = i;
  if (n === 2) {
    if (random() < 0.5) { order[0] = 1; order[1] = 0; }
    return;
  }
  for (let j = 0; j < n; j++) {
    const p = j + Math.floor(random() * (n - j));
    if (p === j) continue;
    const t = order[j]!;
    order[j] = order[p]!;
    order[p] = t;
  }
}

/** Stable: each subnet's matches in their current order, then the rest (CoreDNS sortBySubnetPriority). */
function preferOrder(b: Uint8Array, from: number, n: number, subnets: readonly Subnet[]): void {
  const current = Array.from(order.subarray(0, n));
  const taken = new Uint8Array(n);
  let k = 0;
  for (const s of subnets) {
    for (let j = 0; j < n; j++) {
      if (taken[j] === 1) continue;
      const r = from + current[j]!;
      if (subnetContains(s, b, rdatas[r]!, ends[r]! - rdatas[r]!)) { order[k++] = current[j]!; taken[j] = 1; }
    }
  }
  for (let j = 0; j < n; j++) if (taken[j] === 0) order[k++] = current[j]!;
}

/**
 * The fast path: the reply with its runs shuffled in a copy of the bytes (the input may be the
 * answer cache's own copy, so it is never written to); the input itself when loadbalance has
 * nothing to do; null when the bytes cannot safely be permuted in place.
 */
export function fastBalance(b: Uint8Array, policy: Policy): Uint8Array | null {
  const len = b.length;
  if (len < 12) return b;
  if ((b[3]! & 0x0f) !== 0) return b;
  const qd = u16(b, 4);
  const an = u16(b, 6);
  const ns = u16(b, 8);
  const ar = u16(b, 10);
  const total = an + ns + ar;
  if (qd === 0 || total < 2) return b;
  nTargets = 0;
  let p = 12;
  for (let i = 0; i < qd; i++) {
    p = skipName(b, p);
    if (p < 0 || p + 4 > len) return null;
    if (i === 0) {
      const qtype = u16(b, p);
      if (qtype === AXFR || qtype === IXFR) return b;
    }
    p += 4;
  }
  grow(total);
  let opt = -1;
  for (let i = 0; i < total; i++) {
    const start = p;
    p = skipName(b, p);
    if (p < 0 || p + 10 > len) return null;
    const type = u16(b, p);
    const rd = p + 10;
    const end = rd + u16(b, p + 8);
    if (end > len) return null;
    if (type === OPT && i >= an + ns) {
      if (opt >= 0) return null;
      opt = i;
      if (b[p + 4] !== 0) return b; // an extended rcode: not NOERROR
    } else if (!rdataNames(b, type, rd, end)) {
      return null;
    }
    starts[i] = start;
    ends[i] = end;
    rdatas[i] = rd;
    types[i] = type;
    p = end;
  }
  if (opt >= 0 && opt !== total - 1) return null;
  const arEnd = opt >= 0 ? total - 1 : total;
  const prefer = policy.prefer.length > 0;
  blockFrom.length = 0;
  blockTo.length = 0;
  blockPrefer.length = 0;
  if (!plan(0, an, prefer) || !plan(an, an + ns, false) || !plan(an + ns, arEnd, prefer)) return null;
  const nBlocks = blockFrom.length;
  if (nBlocks === 0) return b;
  for (let k = 0; k < nBlocks; k++) {
    const lo = starts[blockFrom[k]!]!;
    const hi = ends[blockTo[k]! - 1]!;
    for (let t = 0; t < nTargets; t++) {
      const at = targets[t]!;
      if (at >= lo && at < hi) return null;
    }
  }
  const out = Buffer.allocUnsafe(len);
  out.set(b);
  for (let k = 0; k < nBlocks; k++) {
    const from = blockFrom[k]!;
    const n = blockTo[k]! - from;
    shuffleOrder(n, policy.random);
    if (blockPrefer[k] === true) preferOrder(b, from, n, policy.prefer);
    let pos = starts[from]!;
    for (let j = 0; j < n; j++) {
      const r = from + order[j]!;
      const s = starts[r]!;
      const e = ends[r]!;
      out.set(b.subarray(s, e), pos);
      pos += e - s;
    }
  }
  return out;
}

/** The slow path: decode, balance the Message, encode within `maxSize`; the input when it cannot be read. */
export function slowBalance(b: Uint8Array, maxSize: number, policy: Policy): Uint8Array {
  let m;
  try {
    m = decodeMessage(b);
  } catch {
    return b;
  }
  if (!applies(m)) return b;
  try {
    return encodeMessage(balance(m, policy), maxSize);
  } catch {
    return b;
  }
}

/** loadbalance's reply transform: the fast path when it is safe, else the slow one. */
export function balanceReply(b: Uint8Array, maxSize: number, policy: Policy): Uint8Array {
  return fastBalance(b, policy) ?? slowBalance(b, maxSize, policy);
}
