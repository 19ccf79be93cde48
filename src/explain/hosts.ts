/**
 * /etc/hosts as each resolver reads it (nsswitch `hosts: files dns`: the file first, for the name
 * exactly as typed — never a search-list expansion). pod-dns spec §4.3.
 *
 * glibc 2.36 (nss/nss_files/files-hosts.c, files-parse.c):
 * - `#` starts a comment; leading white space is skipped; the first field is the address, the
 *   others are names; names compare case-insensitively (strcasecmp), so `foo.` never matches a
 *   `foo` line;
 * - AF_UNSPEC (gethostbyname4_r): any IPv4 or IPv6 line; AF_INET (gethostbyname3_r): IPv4 lines,
 *   plus IPv4-mapped IPv6 lines and `::1` (as 127.0.0.1); AF_INET6: IPv6 lines only;
 * - only the first matching line unless /etc/host.conf says `multi on` (Debian's default).
 *
 * musl (src/network/lookup_name.c name_from_hosts):
 * - lines read with fgets(512); `#` cuts the line; the name must appear with white space on both
 *   sides (strstr), case-sensitively — so a name ending the file without a final newline does not
 *   match; the address is the text before the first white space (a line starting with white space
 *   has none and is skipped);
 * - every matching line counts (up to 48); a matching line of the other family makes the lookup
 *   fail (EAI_NONAME, EAI_NODATA in 1.2.4+) without DNS when no line of the right family matched.
 *
 * Go (net/hosts.go readHosts, lookupStaticHost):
 * - `#` cuts the line; fields; names are lower-cased and made absolute, so `WEB`, `web` and `web.`
 *   all match; every matching line counts; the family is filtered afterwards (net/ipsock.go
 *   filterAddrList): no address of the asked family → "no suitable address found", without DNS.
 */
import { canonicalIP, ipFamily, ipv6Bytes } from '../dns/ip.ts';
import type { Family, GaiError, ResolverKind } from './types.ts';

export interface HostsAnswer {
  /** Addresses in file order (before getaddrinfo's sorting). */
  readonly addresses: readonly string[];
  /** 1-based line numbers that matched. */
  readonly lines: readonly number[];
  /** Set when the lookup stops here with an error instead of going on to DNS. */
  readonly error: GaiError | null;
  readonly why: string;
  readonly goError?: string;
}

export interface HostsOptions {
  /** glibc: /etc/host.conf `multi on` (Debian and Ubuntu ship it; minimal images have no host.conf). */
  readonly multi?: boolean;
}

/** The hosts-file answer for `name`, or null when the resolver goes on to DNS. */
export function lookupHosts(kind: ResolverKind, text: string, name: string, family: Family, options: HostsOptions = {}): HostsAnswer | null {
  if (kind === 'glibc') return glibcHosts(text, name, family, options.multi ?? true);
  if (kind === 'go') return goHosts(text, name, family);
  return muslHosts(kind, text, name, family);
}

/** A v4-mapped IPv6 address as IPv4 text, or null. */
function unmapped(addr: string): string | null {
  const b = ipv6Bytes(addr);
  if (b === null) return null;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return null;
  if (b[10] !== 0xff || b[11] !== 0xff) return null;
  return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
}

function glibcHosts(text: string, name: string, family: Family, multi: boolean): HostsAnswer | null {
  const addresses: string[] = [];
  const lines: number[] = [];
  const rows = text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const line = rows[i]!.replace(/#.*/, '');
    const f = line.split(/[ \t\n\v\f\r]+/).filter((w) => w !== '');
    if (f.length < 2) continue;
    let addr = f[0]!;
    const fam = ipFamily(addr);
    if (fam === 0) continue;
    if (family === 'inet' && fam === 6) {
      // files-hosts.c LINE_PARSER: a v4-mapped address becomes IPv4, ::1 becomes 127.0.0.1,
      // any other IPv6 line is skipped for AF_INET.
      const v4 = unmapped(addr);
      if (v4 !== null) addr = v4;
      else if (canonicalIP(addr) === '::1') addr = '127.0.0.1';
      else continue;
    }
    if (family === 'inet6' && fam === 4) continue;
    if (!f.slice(1).some((n) => n.toLowerCase() === name.toLowerCase())) continue;
    addresses.push(canonicalIP(addr)!);
    lines.push(i + 1);
    if (!multi) break;
  }
  if (addresses.length === 0) return null;
  return {
    addresses, lines, error: null,
    why: `/etc/hosts line${lines.length > 1 ? 's' : ''} ${lines.join(', ')} (glibc nss_files: case-insensitive, ${multi ? 'every matching line (host.conf multi on)' : 'first matching line only (no multi on in host.conf)'})`,
  };
}

function muslHosts(kind: ResolverKind, text: string, name: string, family: Family): HostsAnswer | null {
  const addresses: string[] = [];
  const lines: number[] = [];
  let badfam = false;
  const isSpace = (c: string | undefined): boolean => c !== undefined && /[ \t\n\v\f\r]/.test(c);
  // fgets keeps the '\n'; the last line may lack it.
  const rows = text.split(/(?<=\n)/);
  for (let i = 0; i < rows.length && addresses.length < 48; i++) {
    let line = rows[i]!;
    const hash = line.indexOf('#');
    if (hash >= 0) line = `${line.slice(0, hash)}\n`;
    let found = false;
    for (let p = line.indexOf(name, 1); p >= 0 && name !== ''; p = line.indexOf(name, p + 1)) {
      if (isSpace(line[p - 1]) && isSpace(line[p + name.length])) { found = true; break; }
    }
    if (!found) continue;
    const addr = /^[^ \t\n\v\f\r]*/.exec(line)![0];
    const fam = ipFamily(addr.split('%')[0]!);
    if (fam === 0) continue;
    if ((family === 'inet' && fam === 6) || (family === 'inet6' && fam === 4)) { badfam = true; continue; }
    addresses.push(canonicalIP(addr.split('%')[0]!)!);
    lines.push(i + 1);
  }
  if (addresses.length > 0) {
    return { addresses, lines, error: null, why: `/etc/hosts line${lines.length > 1 ? 's' : ''} ${lines.join(', ')} (musl: case-sensitive, every matching line)` };
  }
  if (badfam) {
    const error: GaiError = kind === 'musl-1.2.3' ? 'EAI_NONAME' : 'EAI_NODATA';
    return { addresses: [], lines: [], error, why: `/etc/hosts names ${name} only with an address of the other family: musl stops with ${error} without asking DNS (lookup_name.c name_from_hosts badfam)` };
  }
  return null;
}

function goHosts(text: string, name: string, family: Family): HostsAnswer | null {
  const key = (n: string): string => (n.endsWith('.') ? n : `${n}.`).toLowerCase();
  const want = key(name);
  const addresses: string[] = [];
  const lines: number[] = [];
  const rows = text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const line = rows[i]!.replace(/#.*/, '');
    const f = line.split(/[ \r\t\n]+/).filter((w) => w !== '');
    if (f.length < 2) continue;
    const addr = canonicalIP(f[0]!.split('%')[0]!);
    if (addr === null) continue;
    for (const n of f.slice(1)) {
      if (key(n) === want) { addresses.push(addr); lines.push(i + 1); }
    }
  }
  if (addresses.length === 0) return null;
  const fam = family === 'inet' ? 4 : family === 'inet6' ? 6 : 0;
  const kept = fam === 0 ? addresses : addresses.filter((a) => ipFamily(a) === fam);
  if (kept.length === 0) {
    return {
      addresses: [], lines, error: 'EAI_ADDRFAMILY', goError: 'no suitable address found',
      why: `/etc/hosts names ${name} only with addresses of the other family: Go returns them from the file and then filters them all out (net/ipsock.go filterAddrList), without asking DNS`,
    };
  }
  return { addresses: kept, lines, error: null, why: `/etc/hosts line${lines.length > 1 ? 's' : ''} ${lines.join(', ')} (Go: case-insensitive, trailing dot ignored, every matching line)` };
}
