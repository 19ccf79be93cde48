/**
 * IP address text as Kubernetes reads it, which is not dns/ip.ts's strict reading:
 *
 * - `parseIPSloppy`: k8s.io/utils/net.ParseIPSloppy, a copy of Go 1.16's net.ParseIP, which the API
 *   server's legacy IP validation and the kubelet (its --cluster-dns list) use. IPv4 parts may have
 *   leading zeros, read as decimal ("010.1.2.3" is 10.1.2.3); IPv6 hex groups may have more than
 *   four digits as long as the value fits 16 bits; a trailing dotted quad is allowed; zones
 *   ("%eth0") and prefixes are not. The first '.' or ':' decides the family.
 * - `strictProblems`: what the API server adds under StrictIPCIDRValidation (KEP-4858) for new
 *   objects: netip.ParseAddr's rejections (reported as "must not have leading 0s") and
 *   IPv4-mapped IPv6 addresses.
 * - `goIPString`: Go's net.IP.String() (the kubelet writes its cluster DNS IPs with it): IPv4 and
 *   IPv4-mapped addresses as a dotted quad, others as RFC 5952 text.
 */
import { ipv4Text, ipv6Text } from '../dns/ip.ts';

export interface SloppyIP {
  /** 16 bytes; IPv4 addresses are stored IPv4-mapped, as Go does. */
  readonly bytes: Uint8Array;
  /** An IPv4 part with a leading zero, or an IPv6 group of more than four digits (netip.ParseAddr refuses both). */
  readonly leadingZeros: boolean;
}

const BIG = 0xffffff;

interface Num { n: number; len: number; leadingZero: boolean }

function dtoi(s: string, from: number): Num | null {
  let n = 0;
  let i = from;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) {
    n = n * 10 + (s.charCodeAt(i) - 48);
    if (n >= BIG) return null;
    i++;
  }
  if (i === from) return null;
  return { n, len: i - from, leadingZero: i - from > 1 && s[from] === '0' };
}

function xtoi(s: string, from: number): Num | null {
  let n = 0;
  let i = from;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    else break;
    n = n * 16 + d;
    if (n >= BIG) return null;
  }
  if (i === from) return null;
  return { n, len: i - from, leadingZero: i - from > 4 };
}

/** Parses s[from..] as a dotted quad into out[12..16]; the flag is set on a leading zero. */
function parseV4(s: string, from: number, out: Uint8Array, flags: { lz: boolean }): boolean {
  let pos = from;
  for (let i = 0; i < 4; i++) {
    if (pos >= s.length) return false;
    if (i > 0) {
      if (s[pos] !== '.') return false;
      pos++;
    }
    const d = dtoi(s, pos);
    if (d === null || d.n > 0xff) return false;
    if (d.leadingZero) flags.lz = true;
    pos += d.len;
    out[12 + i] = d.n;
  }
  return pos === s.length;
}

function parseV6(s: string, out: Uint8Array, flags: { lz: boolean }): boolean {
  let ellipsis = -1;
  let pos = 0;
  if (s.length >= 2 && s[0] === ':' && s[1] === ':') {
    ellipsis = 0;
    pos = 2;
    if (pos === s.length) return true;
  }
  let i = 0;
  while (i < 16) {
    const x = xtoi(s, pos);
    if (x === null || x.n > 0xffff) return false;
    if (pos + x.len < s.length && s[pos + x.len] === '.') {
      if (ellipsis < 0 && i !== 12) return false;
      if (i + 4 > 16) return false;
      const v4 = new Uint8Array(16);
      if (!parseV4(s, pos, v4, flags)) return false;
      out.set(v4.subarray(12), i);
      pos = s.length;
      i += 4;
      break;
    }
    if (x.leadingZero) flags.lz = true;
    out[i] = x.n >> 8;
    out[i + 1] = x.n & 0xff;
    i += 2;
    pos += x.len;
    if (pos === s.length) break;
    if (s[pos] !== ':' || pos + 1 === s.length) return false;
    pos++;
    if (s[pos] === ':') {
      if (ellipsis >= 0) return false;
      ellipsis = i;
      pos++;
      if (pos === s.length) break;
    }
  }
  if (pos !== s.length) return false;
  if (i < 16) {
    if (ellipsis < 0) return false;
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) out[j + n] = out[j]!;
    for (let j = ellipsis + n - 1; j >= ellipsis; j--) out[j] = 0;
  } else if (ellipsis >= 0) {
    return false;
  }
  return true;
}

/** k8s.io/utils/net.ParseIPSloppy (Go 1.16 net.ParseIP), or null. */
export function parseIPSloppy(s: string): SloppyIP | null {
  const flags = { lz: false };
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '.') {
      const out = new Uint8Array(16);
      out[10] = 0xff;
      out[11] = 0xff;
      return parseV4(s, 0, out, flags) ? { bytes: out, leadingZeros: flags.lz } : null;
    }
    if (s[i] === ':') {
      const out = new Uint8Array(16);
      return parseV6(s, out, flags) ? { bytes: out, leadingZeros: flags.lz } : null;
    }
  }
  return null;
}

/** True when the 16 bytes are an IPv4(-mapped) address (Go's To4() != nil). */
export function isIPv4Bytes(b: Uint8Array): boolean {
  for (let k = 0; k < 10; k++) if (b[k] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** Go's net.IP.String() of a parsed address. */
export function goIPString(ip: SloppyIP): string {
  return isIPv4Bytes(ip.bytes) ? ipv4Text(ip.bytes, 12) : ipv6Text(ip.bytes, 0);
}

/**
 * The API server's strict-validation complaints about text that parseIPSloppy accepted:
 * netip.ParseAddr's refusal ("must not have leading 0s") and IPv4-mapped IPv6 text.
 */
export function strictProblems(text: string, ip: SloppyIP): string[] {
  if (ip.leadingZeros) return ['must not have leading 0s'];
  // Written as IPv6 (it has a colon) but holding an IPv4 address: netip's Is4In6.
  if (text.includes(':') && isIPv4Bytes(ip.bytes)) return ['must not be an IPv4-mapped IPv6 address'];
  return [];
}
