/**
 * IP address text and bytes: strict parsing, canonical text (dotted quad without leading zeros;
 * IPv6 per RFC 5952 §4), and the reverse-lookup names of RFC 1035 §3.5 (in-addr.arpa) and
 * RFC 3596 §2.5 (ip6.arpa). The wire codec uses the buffer-level functions
 * (writeIPv4 / writeIPv6 / ipv4Text / ipv6Text) so A and AAAA records cost no extra allocation.
 *
 * Parsing is strict: IPv4 needs exactly four decimal parts 0-255 without leading zeros (they
 * would be octal to inet_aton, so they are refused, as Go's net.ParseIP does); IPv6 accepts
 * hex groups of 1-4 digits in either case, one "::", and a trailing dotted quad; zone ids
 * ("%eth0") and prefixes are refused.
 */

const ZERO = 48;
const NINE = 57;
const COLON = 58;
const DOT = 46;

/** Scratch for IPv6 parsing (parsing is synchronous, so one is enough). */
const groups = new Uint16Array(8);

function hexValue(c: number): number {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** Parses text[start, end) as a dotted quad into out[offset..offset+4). */
function parseIPv4Range(text: string, start: number, end: number, out: Uint8Array, offset: number): boolean {
  let part = 0;
  let i = start;
  while (part < 4) {
    const partStart = i;
    let v = 0;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c < ZERO || c > NINE) break;
      v = v * 10 + (c - ZERO);
      i++;
      if (i - partStart > 3) return false;
    }
    const digits = i - partStart;
    if (digits === 0 || v > 255) return false;
    if (digits > 1 && text.charCodeAt(partStart) === ZERO) return false; // leading zero
    out[offset + part] = v;
    part++;
    if (part < 4) {
      if (i >= end || text.charCodeAt(i) !== DOT) return false;
      i++;
    }
  }
  return i === end;
}

/** Parses a dotted quad into out[offset..offset+4); false (out untouched or partly written) if invalid. */
export function writeIPv4(text: string, out: Uint8Array, offset: number): boolean {
  const n = text.length;
  if (n < 7 || n > 15) return false;
  return parseIPv4Range(text, 0, n, out, offset);
}

const v4tmp = new Uint8Array(4);

/** Parses IPv6 text into out[offset..offset+16); false if invalid. */
export function writeIPv6(text: string, out: Uint8Array, offset: number): boolean {
  const n = text.length;
  if (n < 2 || n > 45) return false;
  let count = 0;
  let gap = -1;
  let i = 0;
  if (text.charCodeAt(0) === COLON) {
    if (text.charCodeAt(1) !== COLON) return false;
    gap = 0;
    i = 2;
  }
  while (i < n) {
    let j = i;
    let v = 0;
    while (j < n && j - i < 5) {
      const h = hexValue(text.charCodeAt(j));
      if (h < 0) break;
      v = v * 16 + h;
      j++;
    }
    if (j < n && text.charCodeAt(j) === DOT) {
      // A trailing dotted quad fills the last 32 bits (RFC 4291 §2.2 form 3).
      if (count > 6) return false;
      if (!parseIPv4Range(text, i, n, v4tmp, 0)) return false;
      groups[count++] = (v4tmp[0]! << 8) | v4tmp[1]!;
      groups[count++] = (v4tmp[2]! << 8) | v4tmp[3]!;
      i = n;
      break;
    }
    const digits = j - i;
    if (digits === 0 || digits > 4 || count === 8) return false;
    groups[count++] = v;
    if (j === n) {
      i = n;
      break;
    }
    if (text.charCodeAt(j) !== COLON) return false;
    j++;
    if (j < n && text.charCodeAt(j) === COLON) {
      if (gap >= 0) return false; // a second "::"
      gap = count;
      j++;
    } else if (j === n) {
      return false; // a single trailing colon
    }
    i = j;
  }
  if (gap < 0 ? count !== 8 : count > 7) return false;
  const fill = 8 - count;
  let g = 0;
  for (let k = 0; k < 8; k++) {
    let v = 0;
    if (gap >= 0 && k >= gap && k < gap + fill) v = 0;
    else v = groups[g++]!;
    out[offset + 2 * k] = v >> 8;
    out[offset + 2 * k + 1] = v & 0xff;
  }
  return true;
}

/** Dotted-quad text of bytes[offset..offset+4). */
export function ipv4Text(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/**
 * RFC 5952 §4 text of bytes[offset..offset+16): lower-case hex without leading zeros, the longest
 * run (the first of equal ones) of two or more zero groups as "::", and IPv4-mapped addresses as
 * "::ffff:a.b.c.d" (§5).
 */
export function ipv6Text(bytes: Uint8Array, offset = 0): string {
  let mapped = bytes[offset + 10] === 0xff && bytes[offset + 11] === 0xff;
  for (let k = 0; mapped && k < 10; k++) if (bytes[offset + k] !== 0) mapped = false;
  if (mapped) return '::ffff:' + ipv4Text(bytes, offset + 12);
  let bestStart = -1;
  let bestLen = 1; // a single zero group is not compressed (§4.2.2)
  let runStart = -1;
  for (let k = 0; k <= 8; k++) {
    const zero = k < 8 && bytes[offset + 2 * k] === 0 && bytes[offset + 2 * k + 1] === 0;
    if (zero) {
      if (runStart < 0) runStart = k;
    } else if (runStart >= 0) {
      const len = k - runStart;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
      runStart = -1;
    }
  }
  let out = '';
  for (let k = 0; k < 8; k++) {
    if (k === bestStart) {
      out += '::';
      k += bestLen - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += (((bytes[offset + 2 * k]! << 8) | bytes[offset + 2 * k + 1]!)).toString(16);
  }
  return out;
}

/** The 4 bytes of a dotted quad, or null. */
export function ipv4Bytes(text: string): Uint8Array | null {
  const out = new Uint8Array(4);
  return writeIPv4(text, out, 0) ? out : null;
}

/** The 16 bytes of an IPv6 address, or null. */
export function ipv6Bytes(text: string): Uint8Array | null {
  const out = new Uint8Array(16);
  return writeIPv6(text, out, 0) ? out : null;
}

/** The bytes of an address: 4 for IPv4, 16 for IPv6; null when the text is neither. */
export function ipBytes(text: string): Uint8Array | null {
  return ipv4Bytes(text) ?? ipv6Bytes(text);
}

/** The canonical text of 4 (IPv4) or 16 (IPv6) address bytes. */
export function ipText(bytes: Uint8Array): string {
  return bytes.length === 4 ? ipv4Text(bytes) : ipv6Text(bytes);
}

/** A copy of `bytes` with every bit after the first `bits` cleared: a CIDR's network address. */
export function maskBits(bytes: Uint8Array, bits: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - 8 * i));
    out[i] = bytes[i]! & ((0xff00 >> keep) & 0xff);
  }
  return out;
}

/** Whether `bytes` lies in the network `net`/`bits` (same family only, no IPv4-mapped matching). */
export function prefixContains(net: Uint8Array, bits: number, bytes: Uint8Array): boolean {
  if (net.length !== bytes.length) return false;
  const m = maskBits(bytes, bits);
  for (let i = 0; i < m.length; i++) if (m[i] !== net[i]) return false;
  return true;
}

/** A network: its address with the host bits cleared, and its prefix length. */
export interface CIDR {
  readonly bytes: Uint8Array;
  readonly prefix: number;
  /** Canonical text, network address and prefix (`10.96.0.0/12`). */
  readonly text: string;
}

/**
 * `a.b.c.d/n` or `v6/n` (as Go's net.ParseCIDR reads them), the address masked to the prefix;
 * null when malformed. An IPv4-mapped address (`::ffff:10.0.0.0/104`) is an IPv6 network.
 */
export function parseCIDR(text: string): CIDR | null {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (m === null) return null;
  const bytes = ipBytes(m[1]!);
  const prefix = Number(m[2]);
  if (bytes === null || prefix > bytes.length * 8) return null;
  const net = maskBits(bytes, prefix);
  return { bytes: net, prefix, text: `${ipText(net)}/${prefix}` };
}

/**
 * A client's address as Go's net.IP.To4 sees it: 4 bytes for IPv4 and for IPv4-mapped IPv6
 * (`::ffff:10.0.0.1`, how a dual-stack socket reports an IPv4 client), 16 for any other IPv6;
 * a zone (`fe80::1%eth0`) is dropped. Null when the text is not an address.
 */
export function clientBytes(address: string): Uint8Array | null {
  const pct = address.indexOf('%');
  const bytes = ipBytes(pct < 0 ? address : address.slice(0, pct));
  if (bytes === null || bytes.length === 4) return bytes;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return bytes;
  return bytes[10] === 0xff && bytes[11] === 0xff ? bytes.subarray(12) : bytes;
}

/** 4 for a valid IPv4 text, 6 for a valid IPv6 text, 0 otherwise. */
export function ipFamily(text: string): 4 | 6 | 0 {
  if (writeIPv4(text, v4tmp, 0)) return 4;
  return writeIPv6(text, v6tmp, 0) ? 6 : 0;
}

const v6tmp = new Uint8Array(16);

/** The canonical text of an IP address, or null if it is not one. */
export function canonicalIP(text: string): string | null {
  if (writeIPv4(text, v4tmp, 0)) return ipv4Text(v4tmp, 0);
  if (writeIPv6(text, v6tmp, 0)) return ipv6Text(v6tmp, 0);
  return null;
}

const HEX = '0123456789abcdef';

/**
 * The reverse-lookup name of an address: "4.3.2.1.in-addr.arpa." (RFC 1035 §3.5) or the 32
 * nibbles of "…ip6.arpa." (RFC 3596 §2.5). Throws RangeError for text that is not an address.
 */
export function reverseName(ip: string): string {
  if (writeIPv4(ip, v4tmp, 0)) {
    return `${v4tmp[3]}.${v4tmp[2]}.${v4tmp[1]}.${v4tmp[0]}.in-addr.arpa.`;
  }
  if (writeIPv6(ip, v6tmp, 0)) {
    let out = '';
    for (let k = 15; k >= 0; k--) {
      const b = v6tmp[k]!;
      out += HEX[b & 0xf]! + '.' + HEX[b >> 4]! + '.';
    }
    return out + 'ip6.arpa.';
  }
  throw new RangeError(`not an IP address: ${ip}`);
}

/**
 * The address a full reverse name stands for, as canonical text, or null when the name is not
 * exactly four decimal labels under in-addr.arpa. or 32 single-hex-digit labels under ip6.arpa.
 * (partial names such as "3.2.1.in-addr.arpa." give null). Case-insensitive; the trailing dot
 * is optional.
 */
export function ipFromReverse(name: string): string | null {
  let n = name.toLowerCase();
  if (n.endsWith('.')) n = n.slice(0, -1);
  if (n.endsWith('.in-addr.arpa')) {
    const parts = n.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4) return null;
    const text = `${parts[3]}.${parts[2]}.${parts[1]}.${parts[0]}`;
    return writeIPv4(text, v4tmp, 0) ? ipv4Text(v4tmp, 0) : null;
  }
  if (n.endsWith('.ip6.arpa')) {
    const body = n.slice(0, -'.ip6.arpa'.length);
    // 32 nibbles and 31 dots between them.
    if (body.length !== 63) return null;
    for (let k = 0; k < 32; k++) {
      const hi = hexValue(body.charCodeAt(2 * (31 - k)));
      if (hi < 0) return null;
      if (k < 31 && body.charCodeAt(2 * k + 1) !== DOT) return null;
      // nibble k (from the most significant) is the (31-k)th label
      const byte = k >> 1;
      if ((k & 1) === 0) v6tmp[byte] = hi << 4;
      else v6tmp[byte] = v6tmp[byte]! | hi;
    }
    return ipv6Text(v6tmp, 0);
  }
  return null;
}
