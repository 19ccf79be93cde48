/**
 * The DNS wire format (RFC 1035 §4.1) for the Message model of types.ts: a strict decoder that
 * throws WireError on any malformed input, and a one-pass encoder with case-sensitive name
 * compression (RFC 1035 §4.1.4), the EDNS(0) OPT record (RFC 6891 §6) and truncation to a size
 * limit (RFC 2181 §9, RFC 6891 §7, the same rules as miekg/dns Msg.Truncate).
 *
 * Record data: A / AAAA are address text (AAAA canonical per RFC 5952); CNAME / NS / PTR names;
 * SOA, MX, SRV objects; TXT an array of character-strings, each a JS string holding one char per
 * octet (latin1: U+0000-U+00FF, so arbitrary bytes survive a round trip; UTF-8 text must be
 * converted by the caller, e.g. Buffer.from(s, 'utf8').toString('latin1')). Any other type, and
 * any record whose RDLENGTH is 0 (dynamic-update style), is raw RDATA bytes (RFC 3597). The
 * encoder writes raw bytes for any record whose `data` is a Uint8Array, whatever its type.
 */

import { Buffer } from 'node:buffer';
import type {
  Edns, EdnsOption, Message, MxData, Question, ResourceRecord, SoaData, SrvData,
} from './types.ts';
import { EdnsOptionCode } from './types.ts';
import { ipv4Text, ipv6Text, writeIPv4, writeIPv6 } from './ip.ts';
import { isFqdn, MAX_NAME_LENGTH, nameWireLength } from './name.ts';

/** Thrown for malformed wire data and for messages that cannot be encoded. */
export class WireError extends Error {
  readonly code: string;
  constructor(message: string, code = 'PODNS_ERR_WIRE') {
    super(message);
    this.name = 'WireError';
    this.code = code;
  }
}

const HEADER_SIZE = 12;
/** The largest message: a TCP length prefix is 16 bits (RFC 1035 §4.2.2). */
export const MAX_MESSAGE_SIZE = 65535;
/** Pointer chains longer than this are refused (as miekg/dns: (255+1)/2 - 2). */
const MAX_POINTERS = 126;
/** Compression pointers hold 14-bit offsets (RFC 1035 §4.1.4). */
const MAX_POINTER_OFFSET = 0x3fff;
const TYPE_OPT = 41;

const DOT = 46;
const BACKSLASH = 92;

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

/** Offset just after the last name read by readName (in the original byte stream). */
let nameEnd = 0;

function fail(message: string): never {
  throw new WireError(message);
}

function u16(buf: Buffer, off: number): number {
  return (buf[off]! << 8) | buf[off + 1]!;
}

function u32(buf: Buffer, off: number): number {
  return ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0;
}

/**
 * Octets that are escaped with a backslash in presentation form, as miekg/dns does:
 * the separator, the escape itself and the zone-file specials (RFC 1035 §5.1).
 */
function isSpecial(b: number): boolean {
  return b === DOT || b === BACKSLASH || b === 32 || b === 34 || b === 39 || b === 40 ||
    b === 41 || b === 59 || b === 64;
}

/**
 * Presentation text of the name being read is assembled here, then turned into a string with a
 * single call. 255 wire octets give at most 4 chars per octet (\DDD).
 */
const text = Buffer.allocUnsafe(1280);
/**
 * Names already decoded in the current message, by the offset they start at, with their wire
 * length: a pointer to one of them (the usual answer owner) costs a short scan instead of a
 * re-decode. A small table rather than a Map: resetting it is free.
 */
const SEEN_MAX = 32;
const seenOffset = new Int32Array(SEEN_MAX);
const seenLength = new Int32Array(SEEN_MAX);
const seenName: string[] = new Array<string>(SEEN_MAX).fill('');
let seenCount = 0;

function remember(offset: number, name: string, wireLen: number): void {
  if (seenCount === SEEN_MAX) return;
  seenOffset[seenCount] = offset;
  seenLength[seenCount] = wireLen;
  seenName[seenCount++] = name;
}

function seenIndex(offset: number): number {
  for (let i = 0; i < seenCount; i++) if (seenOffset[i] === offset) return i;
  return -1;
}

/** Appends one label's octets to `text` at `n` with RFC 1035 §5.1 escapes; returns the new end. */
function appendLabel(buf: Buffer, start: number, stop: number, n: number): number {
  for (let i = start; i < stop; i++) {
    const b = buf[i]!;
    if (b < 32 || b > 126) {
      text[n++] = BACKSLASH;
      text[n++] = 48 + ((b / 100) | 0);
      text[n++] = 48 + (((b / 10) | 0) % 10);
      text[n++] = 48 + (b % 10);
    } else if (isSpecial(b)) {
      text[n++] = BACKSLASH;
      text[n++] = b;
    } else {
      text[n++] = b;
    }
  }
  text[n++] = DOT;
  return n;
}

/**
 * Reads a possibly compressed name at `off`; its in-place labels must end before `limit`.
 * Sets `nameEnd`. RFC 1035 §4.1.4: a pointer refers to a prior occurrence, so every pointer
 * must go strictly below the start of the label run it ends; that makes loops impossible.
 */
function readName(buf: Buffer, off: number, limit: number): string {
  let n = 0;
  let wireLen = 1;
  let pointers = 0;
  let cur = off;
  let segStart = off;
  let lim = limit;
  let end = -1;
  let suffix: string | undefined;
  // The first pointer target that was not cached, to cache it once the name is known.
  let missAt = -1;
  let missChars = 0;
  let missWire = 0;
  for (;;) {
    if (cur >= lim) fail(`name at offset ${off} runs past the end of its data`);
    const b = buf[cur]!;
    if (b === 0) {
      if (end < 0) end = cur + 1;
      break;
    }
    const kind = b & 0xc0;
    if (kind === 0) {
      const start = cur + 1;
      const stop = start + b;
      if (stop > lim) fail(`label at offset ${cur} runs past the end of its data`);
      wireLen += b + 1;
      if (wireLen > MAX_NAME_LENGTH) fail(`name at offset ${off} is longer than 255 octets`);
      n = appendLabel(buf, start, stop, n);
      cur = stop;
    } else if (kind === 0xc0) {
      if (cur + 1 >= lim) fail(`compression pointer at offset ${cur} is truncated`);
      const target = ((b & 0x3f) << 8) | buf[cur + 1]!;
      if (end < 0) end = cur + 2;
      if (target < HEADER_SIZE) fail(`compression pointer at offset ${cur} points into the header`);
      if (target >= segStart) fail(`compression pointer at offset ${cur} does not point backwards`);
      if (++pointers > MAX_POINTERS) fail(`too many compression pointers in name at offset ${off}`);
      const seen = seenIndex(target);
      if (seen >= 0) {
        suffix = seenName[seen]!;
        wireLen += seenLength[seen]! - 1;
        if (wireLen > MAX_NAME_LENGTH) fail(`name at offset ${off} is longer than 255 octets`);
        break;
      }
      if (missAt < 0) {
        missAt = target;
        missChars = n;
        missWire = wireLen;
      }
      cur = target;
      segStart = target;
      lim = buf.length;
    } else {
      // 0x40 / 0x80: extended label types (RFC 6891 §5) or a length over 63 (RFC 1035 §2.3.4).
      fail(`label length octet 0x${b.toString(16)} at offset ${cur} is not a valid label (over 63 octets)`);
    }
  }
  nameEnd = end;
  let name: string;
  if (suffix === undefined) name = n === 0 ? '.' : text.toString('latin1', 0, n);
  else name = n === 0 ? suffix : text.toString('latin1', 0, n) + suffix;
  if (name.length > 1) {
    remember(off, name, wireLen);
    if (missAt >= 0) remember(missAt, name.slice(missChars), wireLen - missWire + 1);
  }
  return name;
}

/** Decodes one record's RDATA (RFC 1035 §3.3, RFC 3596 §2.2, RFC 2782). */
function readRdata(buf: Buffer, type: number, klass: number, start: number, end: number): ResourceRecord['data'] {
  const len = end - start;
  if (len === 0) return new Uint8Array(0);
  // A, AAAA and SRV are defined for class IN only (RFC 1035 §3.4.1, RFC 3596 §2.1, RFC 2782);
  // in other classes (CHAOS A records, say) their RDATA stays raw (RFC 3597 §4).
  if (klass !== 1 && (type === 1 || type === 28 || type === 33)) return new Uint8Array(buf.subarray(start, end));
  switch (type) {
    case 1: // A
      if (len !== 4) fail(`A record RDATA is ${len} octets, not 4`);
      return ipv4Text(buf, start);
    case 28: // AAAA
      if (len !== 16) fail(`AAAA record RDATA is ${len} octets, not 16`);
      return ipv6Text(buf, start);
    case 2: case 5: case 12: { // NS, CNAME, PTR
      const target = readName(buf, start, end);
      if (nameEnd !== end) fail(`name in type ${type} RDATA does not fill its RDLENGTH`);
      return target;
    }
    case 6: { // SOA
      const mname = readName(buf, start, end);
      const rname = readName(buf, nameEnd, end);
      const p = nameEnd;
      if (p + 20 !== end) fail('SOA RDATA length does not match its contents');
      const soa: SoaData = {
        mname, rname, serial: u32(buf, p), refresh: u32(buf, p + 4), retry: u32(buf, p + 8),
        expire: u32(buf, p + 12), minimum: u32(buf, p + 16),
      };
      return soa;
    }
    case 15: { // MX
      if (len < 3) fail('MX RDATA too short');
      const preference = u16(buf, start);
      const exchange = readName(buf, start + 2, end);
      if (nameEnd !== end) fail('MX RDATA length does not match its contents');
      const mx: MxData = { preference, exchange };
      return mx;
    }
    case 33: { // SRV (RFC 2782)
      if (len < 7) fail('SRV RDATA too short');
      const priority = u16(buf, start);
      const weight = u16(buf, start + 2);
      const port = u16(buf, start + 4);
      const target = readName(buf, start + 6, end);
      if (nameEnd !== end) fail('SRV RDATA length does not match its contents');
      const srv: SrvData = { priority, weight, port, target };
      return srv;
    }
    case 16: { // TXT: one or more <character-string>s (RFC 1035 §3.3.14)
      const strings: string[] = [];
      let p = start;
      while (p < end) {
        const sl = buf[p]!;
        const s = p + 1;
        if (s + sl > end) fail('TXT character-string runs past its RDLENGTH');
        strings.push(buf.toString('latin1', s, s + sl));
        p = s + sl;
      }
      return strings;
    }
    default:
      return new Uint8Array(buf.subarray(start, end));
  }
}

/** The OPT record's RDATA: {code, length, data} options (RFC 6891 §6.1.2). */
function readOptions(buf: Buffer, start: number, end: number): EdnsOption[] {
  const options: EdnsOption[] = [];
  let p = start;
  while (p < end) {
    if (p + 4 > end) fail('EDNS option header runs past the OPT RDLENGTH');
    const code = u16(buf, p);
    const len = u16(buf, p + 2);
    const s = p + 4;
    if (s + len > end) fail(`EDNS option ${code} runs past the OPT RDLENGTH`);
    options.push({ code, data: new Uint8Array(buf.subarray(s, s + len)) });
    p = s + len;
  }
  return options;
}

/**
 * Decodes a message. Throws WireError when the header or any section is truncated, a count
 * promises more than the bytes hold, a name is malformed (label over 63, name over 255,
 * pointer that is not strictly backwards, into the header or looping), an RDLENGTH overruns
 * the message or disagrees with its typed contents, or there is a second OPT record.
 * Octets after the last record are ignored (as miekg/dns does).
 */
export function decodeMessage(input: Uint8Array): Message {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const size = buf.length;
  if (size < HEADER_SIZE) fail(`message is ${size} octets, shorter than the 12-octet header`);
  const id = u16(buf, 0);
  const flags = u16(buf, 2);
  const qdcount = u16(buf, 4);
  const ancount = u16(buf, 6);
  const nscount = u16(buf, 8);
  const arcount = u16(buf, 10);
  seenCount = 0;
  // Cheap lie detector: a question takes at least 5 octets, a record at least 11.
  if (HEADER_SIZE + qdcount * 5 + (ancount + nscount + arcount) * 11 > size) {
    fail('section counts promise more records than the message holds');
  }

  let p = HEADER_SIZE;
  const questions: Question[] = [];
  for (let i = 0; i < qdcount; i++) {
    const name = readName(buf, p, size);
    p = nameEnd;
    if (p + 4 > size) fail('question is truncated');
    questions.push({ name, type: u16(buf, p), class: u16(buf, p + 2) });
    p += 4;
  }

  const answers: ResourceRecord[] = [];
  const authorities: ResourceRecord[] = [];
  const additionals: ResourceRecord[] = [];
  let edns: Edns | null = null;
  const total = ancount + nscount + arcount;
  for (let i = 0; i < total; i++) {
    const name = readName(buf, p, size);
    p = nameEnd;
    if (p + 10 > size) fail('resource record header is truncated');
    const type = u16(buf, p);
    const klass = u16(buf, p + 2);
    const ttl = u32(buf, p + 4);
    const rdlength = u16(buf, p + 8);
    const start = p + 10;
    const end = start + rdlength;
    if (end > size) fail(`RDLENGTH ${rdlength} runs past the end of the message`);
    p = end;
    if (i >= ancount + nscount) {
      if (type === TYPE_OPT) {
        // RFC 6891 §6.1.1: at most one OPT record, in the additional section.
        if (edns !== null) fail('more than one OPT record');
        edns = {
          udpSize: klass,
          extendedRcode: ttl >>> 24,
          version: (ttl >>> 16) & 0xff,
          do: (ttl & 0x8000) !== 0,
          options: readOptions(buf, start, end),
        };
        continue;
      }
      additionals.push({ name, type, class: klass, ttl, data: readRdata(buf, type, klass, start, end) } as ResourceRecord);
    } else {
      const rr = { name, type, class: klass, ttl, data: readRdata(buf, type, klass, start, end) } as ResourceRecord;
      if (i < ancount) answers.push(rr);
      else authorities.push(rr);
    }
  }

  const headerRcode = flags & 0xf;
  return {
    id,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    z: (flags & 0x0040) !== 0,
    ad: (flags & 0x0020) !== 0,
    cd: (flags & 0x0010) !== 0,
    // RFC 6891 §6.1.3: the OPT TTL carries the upper 8 bits of a 12-bit rcode.
    rcode: edns === null ? headerRcode : headerRcode | (edns.extendedRcode << 4),
    questions,
    answers,
    authorities,
    additionals,
    edns,
  };
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

/**
 * Scratch space for encoding, reused by every call (encoding is synchronous). Before a record
 * is written the offset is at most 65535, and one record is at most 255 + 10 + 65535 octets,
 * so writes never run past the end even when a record is rolled back.
 */
const out = Buffer.allocUnsafe(MAX_MESSAGE_SIZE + 65_536 + 1024);
/** Write offset into `out`. */
let off = 0;
/** Compression map: exact (case-sensitive) presentation suffix → offset of its wire form. */
const compression = new Map<string, number>();

function put16(v: number): void {
  out[off++] = (v >>> 8) & 0xff;
  out[off++] = v & 0xff;
}

function put32(v: number): void {
  out[off++] = (v >>> 24) & 0xff;
  out[off++] = (v >>> 16) & 0xff;
  out[off++] = (v >>> 8) & 0xff;
  out[off++] = v & 0xff;
}

/**
 * Names written in this message whose suffixes are not in `compression` yet. Registering
 * suffixes costs a string slice and a map insert per label, and most responses never need
 * them (every owner repeats the question name), so it is deferred until a name misses.
 */
const pendingName: string[] = [];
const pendingOffset: number[] = [];
let pendingCount = 0;

/** Index just after the label that starts at `i` (past its separator dot). */
function nextLabel(key: string, i: number): number {
  for (;;) {
    const c = key.charCodeAt(i);
    if (c === DOT) return i + 1;
    i += c === BACKSLASH ? 2 : 1;
  }
}

/**
 * Puts every suffix of the pending names into `compression` (the first occurrence wins).
 * Every name already in the map has all its suffixes there too (registration always walks to
 * the end or to a pointer, whose target is registered), so the walk stops at the first known
 * suffix.
 */
function registerPending(): void {
  for (let p = 0; p < pendingCount; p++) {
    const key = pendingName[p]!;
    let w = pendingOffset[p]!;
    let i = nextLabel(key, 0);
    w += 1 + out[w]!;
    // Walk the written labels alongside the text until the root or a pointer.
    while (w <= MAX_POINTER_OFFSET) {
      const b = out[w]!;
      if (b === 0 || (b & 0xc0) === 0xc0) break;
      const suffix = key.slice(i);
      if (compression.has(suffix)) break;
      compression.set(suffix, w);
      i = nextLabel(key, i);
      w += 1 + b;
    }
  }
  pendingCount = 0;
}

/** Writes the labels of `key` from string index `i` up to `stop` (a label start). */
function writeLabels(key: string, i: number, stop: number): void {
  while (i < stop) {
    const lenPos = off++;
    let j = i;
    for (;;) {
      const c = key.charCodeAt(j);
      if (c === DOT) break;
      if (c === BACKSLASH) {
        const d = key.charCodeAt(j + 1);
        if (d >= 48 && d <= 57) {
          out[off++] = (d - 48) * 100 + (key.charCodeAt(j + 2) - 48) * 10 + (key.charCodeAt(j + 3) - 48);
          j += 4;
        } else {
          out[off++] = d;
          j += 2;
        }
        continue;
      }
      out[off++] = c;
      j++;
    }
    out[lenPos] = off - lenPos - 1;
    i = j + 1;
  }
}

/**
 * Writes a presentation name. With `compress`, the longest suffix already written in this
 * message (at an offset up to 0x3FFF) is replaced by a pointer (RFC 1035 §4.1.4). Suffixes
 * match only byte-for-byte, so compression never changes the case of a name.
 */
function writeName(name: string, compress: boolean): void {
  const n = name.length;
  if (n === 0 || (n === 1 && name.charCodeAt(0) === DOT)) {
    out[off++] = 0;
    return;
  }
  const key = isFqdn(name) ? name : name + '.';
  const len = key.length;
  // Fast path: the whole name was written before (and validated then).
  const whole = compression.get(key);
  if (whole !== undefined && compress) {
    out[off++] = 0xc0 | (whole >> 8);
    out[off++] = whole & 0xff;
    return;
  }
  const wireLen = nameWireLength(name);
  if (wireLen < 0) fail(`cannot encode malformed name "${name}"`);
  if (wireLen > MAX_NAME_LENGTH) fail(`cannot encode name "${name}": ${wireLen} octets, over 255`);
  const start = off;
  let stop = len;
  let ptr = -1;
  // Pending suffixes must be visible before this name is matched or registered, so that the
  // first occurrence of every suffix is the one pointed to.
  let registered = false;
  if (pendingCount > 0) {
    registerPending();
    registered = true;
  }
  if (compress && compression.size > 0) {
    // The whole name missed above unless registering just added it.
    for (let i = registered ? 0 : nextLabel(key, 0); i < len; i = nextLabel(key, i)) {
      const found = compression.get(i === 0 ? key : key.slice(i));
      if (found !== undefined) {
        stop = i;
        ptr = found;
        break;
      }
    }
  }
  writeLabels(key, 0, stop);
  if (ptr >= 0) {
    out[off++] = 0xc0 | (ptr >> 8);
    out[off++] = ptr & 0xff;
  } else {
    out[off++] = 0;
  }
  if (stop > 0 && start <= MAX_POINTER_OFFSET && !compression.has(key)) {
    compression.set(key, start);
    pendingName[pendingCount] = key;
    pendingOffset[pendingCount++] = start;
  }
}

function badData(rr: ResourceRecord, expected: string): never {
  throw new WireError(`cannot encode type ${rr.type} record "${rr.name}": data is not ${expected}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Writes RDATA (RFC 1035 §3.3; names compressed only in the RFC 1035 types, RFC 3597 §4). */
function writeRdata(rr: ResourceRecord): void {
  const data = rr.data;
  if (data instanceof Uint8Array) {
    if (data.length > 0xffff) badData(rr, 'at most 65535 octets');
    out.set(data, off);
    off += data.length;
    return;
  }
  switch (rr.type) {
    case 1:
      if (typeof data !== 'string' || !writeIPv4(data, out, off)) badData(rr, 'an IPv4 address');
      off += 4;
      return;
    case 28:
      if (typeof data !== 'string' || !writeIPv6(data, out, off)) badData(rr, 'an IPv6 address');
      off += 16;
      return;
    case 2: case 5: case 12:
      if (typeof data !== 'string') badData(rr, 'a name');
      writeName(data, true);
      return;
    case 6: {
      if (!isObject(data)) badData(rr, 'SOA data');
      const soa = data as unknown as SoaData;
      if (typeof soa.mname !== 'string' || typeof soa.rname !== 'string') badData(rr, 'SOA data');
      writeName(soa.mname, true);
      writeName(soa.rname, true);
      put32(soa.serial);
      put32(soa.refresh);
      put32(soa.retry);
      put32(soa.expire);
      put32(soa.minimum);
      return;
    }
    case 15: {
      if (!isObject(data)) badData(rr, 'MX data');
      const mx = data as unknown as MxData;
      if (typeof mx.exchange !== 'string') badData(rr, 'MX data');
      put16(mx.preference);
      writeName(mx.exchange, true);
      return;
    }
    case 33: {
      if (!isObject(data)) badData(rr, 'SRV data');
      const srv = data as unknown as SrvData;
      if (typeof srv.target !== 'string') badData(rr, 'SRV data');
      put16(srv.priority);
      put16(srv.weight);
      put16(srv.port);
      // RFC 2782 (and RFC 3597 §4): the target is never compressed, but later names may
      // point into it.
      writeName(srv.target, false);
      return;
    }
    case 16: {
      if (!Array.isArray(data)) badData(rr, 'an array of strings');
      const start = off;
      for (const s of data as readonly unknown[]) {
        if (typeof s !== 'string') badData(rr, 'an array of strings');
        const sl = s.length;
        if (sl > 255) badData(rr, 'character-strings of at most 255 octets');
        if (off - start + 1 + sl > 0xffff) badData(rr, 'at most 65535 octets');
        out[off++] = sl;
        for (let k = 0; k < sl; k++) {
          const c = s.charCodeAt(k);
          if (c > 0xff) badData(rr, 'latin1 text (one char per octet)');
          out[off++] = c;
        }
      }
      return;
    }
    default:
      badData(rr, 'raw bytes (Uint8Array)');
  }
}

function writeRecord(rr: ResourceRecord): void {
  writeName(rr.name, true);
  put16(rr.type);
  put16(rr.class);
  put32(rr.ttl);
  const lenPos = off;
  off += 2;
  writeRdata(rr);
  const rdlength = off - lenPos - 2;
  out[lenPos] = rdlength >>> 8;
  out[lenPos + 1] = rdlength & 0xff;
}

/**
 * Writes records while the message stays within `budget`; returns how many were written.
 * The first record that does not fit is rolled back and ends the section (and the message).
 */
function writeSection(rrs: readonly ResourceRecord[], budget: number, truncating: boolean): number {
  for (let i = 0; i < rrs.length; i++) {
    const start = off;
    writeRecord(rrs[i]!);
    if (off > budget) {
      if (!truncating) fail(`message does not fit in ${MAX_MESSAGE_SIZE} octets`);
      off = start;
      return i;
    }
  }
  return rrs.length;
}

/** An Extended DNS Error option (RFC 8914 §2): the INFO-CODE, then the EXTRA-TEXT in UTF-8. */
export function extendedError(infoCode: number, extraText = ''): EdnsOption {
  const text = Buffer.from(extraText, 'utf8');
  const data = new Uint8Array(2 + text.length);
  data[0] = infoCode >> 8;
  data[1] = infoCode & 0xff;
  data.set(text, 2);
  return { code: EdnsOptionCode.EDE, data };
}

/** The first Extended DNS Error of an OPT record (RFC 8914 §2), or null when it has none. */
export function readExtendedError(edns: Edns | null): { readonly infoCode: number; readonly extraText: string } | null {
  const o = edns?.options.find((x) => x.code === EdnsOptionCode.EDE && x.data.length >= 2);
  if (o === undefined) return null;
  return { infoCode: (o.data[0]! << 8) | o.data[1]!, extraText: Buffer.from(o.data.subarray(2)).toString('utf8') };
}

function ednsLength(edns: Edns): number {
  let len = 11;
  for (const o of edns.options) len += 4 + o.data.length;
  return len;
}

/**
 * Encodes a message with name compression. The OPT record is written last when `msg.edns` is
 * set; the rcode's upper 8 bits go into its TTL (RFC 6891 §6.1.3), so an rcode over 15 without
 * EDNS is an error.
 *
 * With `maxSize` (the client's limit: 512 without EDNS, else max(512, its UDP size)) a message
 * that does not fit is truncated like miekg/dns Msg.Truncate (RFC 2181 §9, RFC 6891 §7): the
 * OPT record is kept, answer then authority then additional records are added in order until
 * the first one that does not fit, everything after it is dropped, and TC is set when an
 * answer or authority record was dropped (dropping additionals alone does not set it). If not
 * even the question fits, the reply is the header (plus OPT when it fits) with TC. The result
 * never exceeds maxSize. Without maxSize, a message over 65535 octets is an error.
 *
 * Returns a fresh Buffer (a Uint8Array) the caller owns.
 */
export function encodeMessage(msg: Message, maxSize?: number): Uint8Array {
  let limit = MAX_MESSAGE_SIZE;
  const truncating = maxSize !== undefined;
  if (truncating) {
    if (!(maxSize >= HEADER_SIZE)) fail(`maxSize ${maxSize} is smaller than the 12-octet header`);
    if (maxSize < limit) limit = Math.floor(maxSize);
  }
  const edns = msg.edns;
  const rcode = msg.rcode;
  if (rcode > 0xf && edns === null) fail(`rcode ${rcode} needs an OPT record (RFC 6891 §6.1.3)`);
  if (rcode < 0 || rcode > 0xfff) fail(`rcode ${rcode} out of range`);
  const optLen = edns === null ? 0 : ednsLength(edns);
  if (optLen > MAX_MESSAGE_SIZE - HEADER_SIZE) fail('EDNS options do not fit in a message');
  const budget = limit - optLen;

  compression.clear();
  pendingCount = 0;
  off = HEADER_SIZE;
  let tc = msg.tc;
  let qd = 0;
  let an = 0;
  let ns = 0;
  let ar = 0;
  let full = false;

  const questions = msg.questions;
  for (let i = 0; i < questions.length; i++) {
    const q = questions[i]!;
    writeName(q.name, true);
    put16(q.type);
    put16(q.class);
    if (off > budget) {
      if (!truncating) fail(`message does not fit in ${MAX_MESSAGE_SIZE} octets`);
      // Not even the question fits: send the header alone, truncated.
      off = HEADER_SIZE;
      qd = 0;
      full = true;
      tc = true;
      break;
    }
    qd++;
  }

  if (!full) {
    an = writeSection(msg.answers, budget, truncating);
    if (an < msg.answers.length) full = true;
  }
  if (!full) {
    ns = writeSection(msg.authorities, budget, truncating);
    if (ns < msg.authorities.length) full = true;
  }
  if (!full) ar = writeSection(msg.additionals, budget, truncating);
  if (an < msg.answers.length || ns < msg.authorities.length) tc = true;

  if (edns !== null && off + optLen <= limit) {
    // RFC 6891 §6.1.2/6.1.3: root owner, CLASS = UDP payload size, TTL = extended rcode,
    // version and the DO flag (RFC 3225).
    out[off++] = 0;
    put16(TYPE_OPT);
    put16(edns.udpSize);
    out[off++] = (rcode >>> 4) & 0xff;
    out[off++] = edns.version & 0xff;
    put16(edns.do ? 0x8000 : 0);
    put16(optLen - 11);
    for (const o of edns.options) {
      put16(o.code);
      put16(o.data.length);
      out.set(o.data, off);
      off += o.data.length;
    }
    ar++;
  }

  // Header (RFC 1035 §4.1.1).
  const flags = (msg.qr ? 0x8000 : 0) | ((msg.opcode & 0xf) << 11) | (msg.aa ? 0x0400 : 0) |
    (tc ? 0x0200 : 0) | (msg.rd ? 0x0100 : 0) | (msg.ra ? 0x0080 : 0) | (msg.z ? 0x0040 : 0) |
    (msg.ad ? 0x0020 : 0) | (msg.cd ? 0x0010 : 0) | (rcode & 0xf);
  const end = off;
  off = 0;
  put16(msg.id);
  put16(flags);
  put16(qd);
  put16(an);
  put16(ns);
  put16(ar);

  const result = Buffer.allocUnsafe(end);
  out.copy(result, 0, 0, end);
  return result;
}

/** The presentation form of the (possibly compressed) name at `off` of a whole message; throws WireError. */
export function nameAt(msg: Uint8Array, off: number): string {
  const buf = Buffer.isBuffer(msg) ? msg : Buffer.from(msg.buffer, msg.byteOffset, msg.length);
  return readName(buf, off, buf.length);
}
