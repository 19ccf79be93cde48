/**
 * Server block keys `[SCHEME://]ZONE[:PORT]` and zone arguments, normalised as CoreDNS does
 * (core/dnsserver/register.go, plugin.SplitHostPort, plugin/pkg/cidr):
 * - the scheme is one of dns (default), tls, https, grpc, quic, https3;
 * - the port is the number after the last colon (0–65535; 0 means "any free port", as in CoreDNS
 *   tests), absent → null;
 * - the zone is lower-cased and made absolute (`example.org` → `example.org.`, `.` is the root);
 * - a zone written as a CIDR becomes reverse zones: on a label boundary (a multiple of 8 bits for
 *   IPv4, 4 for IPv6) exactly one, otherwise the prefix is rounded up to the next boundary and
 *   every zone it covers is listed (`10.0.0.0/27` → `0.0.0.10.in-addr.arpa.` …
 *   `31.0.0.10.in-addr.arpa.`, `10.0.0.0/15` → `0.10.in-addr.arpa.`, `1.10.in-addr.arpa.`).
 * Functions here throw KeyError (message only); the parser adds the file and line.
 */
import type { Scheme, ServerKey } from './types.ts';

export class KeyError extends Error {
  constructor(message: string) { super(message); this.name = 'KeyError'; }
}

const SCHEMES: readonly Scheme[] = ['dns', 'tls', 'https', 'grpc', 'quic', 'https3'];
const LABEL = /^[a-z0-9_*-]+$/;

export function parseServerKey(raw: string): ServerKey {
  let rest = raw;
  let scheme: Scheme = 'dns';
  const sep = raw.indexOf('://');
  if (sep !== -1) {
    const s = raw.slice(0, sep).toLowerCase();
    if (!(SCHEMES as readonly string[]).includes(s)) {
      throw new KeyError(`unknown scheme ${JSON.stringify(raw.slice(0, sep))} in server block key ${JSON.stringify(raw)} (expected one of ${SCHEMES.join(', ')})`);
    }
    scheme = s as Scheme;
    rest = raw.slice(sep + 3);
  }
  let port: number | null = null;
  let host = rest;
  const colon = rest.lastIndexOf(':');
  // An IPv6 CIDR has colons but always ends in "/PREFIX": only digits after the last colon are a port.
  if (colon !== -1 && !(rest.includes('/') && !/^[0-9]+$/.test(rest.slice(colon + 1)))) {
    const p = rest.slice(colon + 1);
    if (p === '') throw new KeyError(`expecting a port after the last colon in server block key ${JSON.stringify(raw)}`);
    if (!/^[0-9]+$/.test(p) || Number(p) > 65535) {
      throw new KeyError(`invalid port ${JSON.stringify(p)} in server block key ${JSON.stringify(raw)} (expected a number from 0 to 65535)`);
    }
    port = Number(p);
    host = rest.slice(0, colon);
  }
  let zones: string[];
  try {
    zones = normalizeZone(host);
  } catch (err) {
    throw new KeyError(`${(err as Error).message} in server block key ${JSON.stringify(raw)}`);
  }
  return { raw, scheme, zones, port };
}

/**
 * A zone as written in a key or a plugin argument, without scheme or port: a domain name
 * (lower-cased, made absolute) or a CIDR (expanded to its reverse zones).
 */
export function normalizeZone(text: string): string[] {
  if (text.includes('/')) {
    const cidr = parseCidr(text);
    if (cidr === null) throw new KeyError(`invalid CIDR ${JSON.stringify(text)}`);
    return reverseZones(cidr);
  }
  if (text === '') throw new KeyError('empty zone');
  if (text === '.') return ['.'];
  const name = text.toLowerCase();
  const labels = (name.endsWith('.') ? name.slice(0, -1) : name).split('.');
  let wire = 1;
  for (const l of labels) {
    if (l === '') throw new KeyError(`zone ${JSON.stringify(text)} is not a valid domain name (empty label)`);
    if (l.length > 63) throw new KeyError(`zone ${JSON.stringify(text)} is not a valid domain name (label longer than 63 characters)`);
    if (!LABEL.test(l)) throw new KeyError(`zone ${JSON.stringify(text)} is not a valid domain name`);
    wire += l.length + 1;
  }
  if (wire > 255) throw new KeyError(`zone ${JSON.stringify(text)} is too long (more than 255 octets)`);
  return [labels.join('.') + '.'];
}

export interface Cidr {
  readonly v6: boolean;
  /** Octets (IPv4) or nibbles (IPv6) of the network address, host bits cleared. */
  readonly digits: readonly number[];
  readonly prefix: number;
}

/** Parses `ADDR/PREFIX` like Go's net.ParseCIDR (host bits are cleared); null when it is not one. */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  if (slash === -1) return null;
  const addr = text.slice(0, slash);
  const mask = text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(mask)) return null;
  const prefix = Number(mask);
  const v6 = addr.includes(':');
  const digits = v6 ? parseIPv6Nibbles(addr) : parseIPv4(addr);
  if (digits === null || prefix > (v6 ? 128 : 32)) return null;
  const size = v6 ? 4 : 8;
  const masked = digits.map((d, i) => {
    const keep = Math.min(size, Math.max(0, prefix - i * size));
    return d & (((1 << keep) - 1) << (size - keep));
  });
  return { v6, digits: masked, prefix };
}

function parseIPv4(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    // Go (since 1.17) refuses leading zeros, which other tools read as octal.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return null;
    out.push(Number(p));
  }
  return out;
}

function parseIPv6Nibbles(s: string): number[] | null {
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string): string[] | null => {
    if (h === '') return [];
    const g = h.split(':');
    return g.every((x) => /^[0-9a-fA-F]{1,4}$/.test(x)) ? g : null;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === null || tail === null) return null;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  const all = [...head, ...Array<string>(fill).fill('0'), ...tail];
  return all.flatMap((g) => [...g.padStart(4, '0')].map((c) => parseInt(c, 16)));
}

/** The reverse zones covering a CIDR, as CoreDNS's cidr.Split + cidr.Reverse compute them. */
export function reverseZones(c: Cidr): string[] {
  const size = c.v6 ? 4 : 8;
  const suffix = c.v6 ? 'ip6.arpa.' : 'in-addr.arpa.';
  const fmt = (d: number): string => (c.v6 ? d.toString(16) : String(d));
  const zone = (digits: readonly number[]): string =>
    [...digits].reverse().map((d) => fmt(d) + '.').join('') + suffix;
  const whole = Math.ceil(c.prefix / size);
  if (c.prefix % size === 0) return [zone(c.digits.slice(0, whole))];
  // Round the prefix up to the next boundary: only the last kept digit varies.
  const count = 2 ** (whole * size - c.prefix);
  const base = c.digits[whole - 1]!;
  const zones: string[] = [];
  for (let i = 0; i < count; i++) zones.push(zone([...c.digits.slice(0, whole - 1), base + i]));
  return zones;
}
