/**
 * The /etc/hosts format as CoreDNS's hosts plugin reads it (plugin/hosts/hostsfile.go, itself
 * Go's net/hosts.go): per line, everything from `#` on is a comment; the fields are separated by
 * white space; a line needs an address and at least one name; the address may carry an IPv6 zone
 * (`fe80::1%eth0`, the zone is dropped); lines whose first field is not an address are skipped.
 * Names are lower-cased and made absolute, and names outside the plugin's zones are dropped.
 * An IPv4-mapped IPv6 address (`::ffff:10.0.0.2`) counts as IPv4, as Go's To4() makes it.
 *
 * Pure text → maps; no I/O. The maps keep CoreDNS's shape (by name per family, names by
 * address) and its entry count (coredns_hosts_entries); table.ts turns them into answers.
 */
import { canonicalIP, ipv4Text, ipv6Bytes, ipv6Text } from '../../dns/ip.ts';
import { fqdn, inZones, lowerName, validateName } from '../../dns/name.ts';

export interface HostsMap {
  /** Lower-case absolute name → IPv4 addresses (canonical text), in file order. */
  readonly name4: ReadonlyMap<string, readonly string[]>;
  /** Lower-case absolute name → IPv6 addresses (canonical text), in file order. */
  readonly name6: ReadonlyMap<string, readonly string[]>;
  /** Address (canonical text) → names, for PTR; empty with `no_reverse`. Wildcard names are not here. */
  readonly addr: ReadonlyMap<string, readonly string[]>;
  /** CoreDNS's Map.Len(): every address of every name plus every reverse entry, duplicates included. */
  readonly size: number;
}

export const EMPTY_MAP: HostsMap = { name4: new Map(), name6: new Map(), addr: new Map(), size: 0 };

/**
 * Go's unicode.IsSpace, which bytes.Fields splits on: ASCII white space, NEL, NBSP and the
 * Unicode space separators (JavaScript's \s differs: it has U+FEFF and lacks U+0085).
 */
const FIELD_SEPARATOR = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** An address field as Go's net.ParseIP sees it, zone dropped: [family, canonical text] or null. */
export function parseAddress(field: string): [4 | 6, string] | null {
  const pct = field.indexOf('%');
  const text = pct >= 0 ? field.slice(0, pct) : field;
  const canonical = canonicalIP(text);
  if (canonical === null) return null;
  if (!canonical.includes(':')) return [4, canonical];
  const bytes = ipv6Bytes(text)!;
  let mapped = bytes[10] === 0xff && bytes[11] === 0xff;
  for (let i = 0; mapped && i < 10; i++) if (bytes[i] !== 0) mapped = false;
  return mapped ? [4, ipv4Text(bytes, 12)] : [6, ipv6Text(bytes, 0)];
}

/**
 * Parses hosts-file text. `origins` are the zones kept; `autoReverse` false (`no_reverse`) leaves
 * the reverse map empty. Names that cannot be a DNS name (empty label, label over 63 octets) are
 * skipped: CoreDNS keeps them but could never answer for them.
 */
export function parseHostsText(text: string, origins: readonly string[], autoReverse: boolean): HostsMap {
  const name4 = new Map<string, string[]>();
  const name6 = new Map<string, string[]>();
  const addr = new Map<string, string[]>();
  let size = 0;
  for (let line of text.split('\n')) {
    const hash = line.indexOf('#');
    if (hash >= 0) line = line.slice(0, hash);
    const f = line.split(FIELD_SEPARATOR).filter((s) => s !== '');
    if (f.length < 2) continue;
    const parsed = parseAddress(f[0]!);
    if (parsed === null) continue;
    const [family, ip] = parsed;
    const byName = family === 4 ? name4 : name6;
    for (let i = 1; i < f.length; i++) {
      const name = lowerName(fqdn(f[i]!));
      if (validateName(name) !== null) continue;
      if (!inZones(name, origins)) continue;
      push(byName, name, ip);
      size++;
      // Wildcard owners answer for names below them; they have no address of their own to reverse.
      if (!autoReverse || name.startsWith('*.')) continue;
      push(addr, ip, name);
      size++;
    }
  }
  return { name4, name6, addr, size };
}

function push(m: Map<string, string[]>, key: string, value: string): void {
  const list = m.get(key);
  if (list === undefined) m.set(key, [value]);
  else list.push(value);
}
