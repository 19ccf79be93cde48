/**
 * The transfer stanza (CoreDNS plugin/transfer/setup.go):
 *
 *   transfer [ZONES...] {
 *       to ADDRESS...        # `*`, an IP address, IP:PORT, [IPv6]:PORT, or (podns) a CIDR
 *   }
 *
 * ZONES default to the server block's. `to` is required and may be repeated; addresses are
 * normalised as CoreDNS's parse.HostPort does (port 53 added). The port only matters to CoreDNS's
 * NOTIFY, which podns does not send; a client is allowed when its IP equals one of the addresses
 * or lies in one of the CIDRs. Also here: compiling that list into the matcher the handler uses.
 */
import type { Directive } from '../../corefile/index.ts';
import { zonesFromArgs } from '../../corefile/index.ts';
import { ConfigError } from '../../core/errors.ts';
import { canonicalIP, ipBytes, ipText, maskBits, prefixContains } from '../../dns/ip.ts';
import { joinHostPort } from '../../transport/client.ts';

export interface TransferOptions {
  /** Lower-case absolute zones transfers are answered for. */
  readonly zones: readonly string[];
  /** `*`, `IP:PORT` / `[IPv6]:PORT` (canonical IP), or `IP/PREFIX` (network address, canonical). */
  readonly to: readonly string[];
}

function fail(d: Directive, message: string): ConfigError {
  return new ConfigError(d.file, d.line, `plugin/transfer: ${message}`);
}

/** An IPv4-mapped IPv6 address as the IPv4 address it stands for (Go prints them that way). */
export function unmapped(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

function canonical(ip: string): string | null {
  const c = canonicalIP(ip);
  return c === null ? null : unmapped(c);
}

/** `IP/PREFIX` with the host bits cleared, or null. */
function parseCidr(text: string): string | null {
  const slash = text.indexOf('/');
  const ip = canonical(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (ip === null || !/^[0-9]{1,3}$/.test(bitsText)) return null;
  const bits = Number(bitsText);
  const bytes = ipBytes(ip);
  if (bytes === null || bits > bytes.length * 8) return null;
  return `${unmapped(ipText(maskBits(bytes, bits)))}/${bits}`;
}

/** CoreDNS parse.HostPort(host, "53"): `IP` or `IP:PORT` / `[IPv6]:PORT`, normalised; null if not an IP. */
function hostPort(text: string): { host: string; port: string } | null {
  const plain = canonical(text);
  if (plain !== null) return { host: plain, port: '53' };
  let host: string;
  let port: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') return null;
    host = text.slice(1, close);
    port = text.slice(close + 2);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0 || text.indexOf(':') !== colon) return null;
    host = text.slice(0, colon);
    port = text.slice(colon + 1);
  }
  const ip = canonical(host);
  if (ip === null) return null;
  return { host: ip, port: port === '' ? '53' : port };
}

export function parseTransfer(d: Directive, blockZones: readonly string[]): TransferOptions {
  const zones = d.args.length > 0 ? zonesFromArgs(d.args, d, 'transfer') : [...blockZones];
  const to: string[] = [];
  for (const o of d.block ?? []) {
    if (o.name !== 'to') throw fail(o, `unknown property ${JSON.stringify(o.name)}`);
    if (o.block !== null) throw fail(o, "'to' takes no block");
    if (o.args.length === 0) throw fail(o, "Wrong argument count or unexpected line ending after 'to'");
    for (const a of o.args) {
      if (a === '*') { to.push(a); continue; }
      if (a.includes('/')) {
        const net = parseCidr(a);
        if (net === null) throw fail(o, `must specify an IP address or a CIDR: \`${a}'`);
        to.push(net);
        continue;
      }
      const hp = hostPort(a);
      if (hp === null) throw fail(o, `must specify an IP address: \`${a}'`);
      if (!/^[0-9]{1,5}$/.test(hp.port) || Number(hp.port) > 65535) throw fail(o, `invalid port in ${JSON.stringify(a)}`);
      to.push(joinHostPort(hp.host, String(Number(hp.port))));
    }
  }
  if (to.length === 0) throw fail(d, "'to' is required");
  return { zones, to };
}

/** Whether a client may transfer: built once from `to`, asked once per transfer request. */
export type Acl = (clientIP: string) => boolean;

export function compileAcl(to: readonly string[]): Acl {
  if (to.includes('*')) return () => true;
  const ips = new Set<string>();
  const nets: Array<{ bytes: Uint8Array; bits: number }> = [];
  for (const t of to) {
    const slash = t.indexOf('/');
    if (slash >= 0) {
      const ip = t.slice(0, slash);
      const bytes = ipBytes(ip);
      if (bytes !== null) nets.push({ bytes, bits: Number(t.slice(slash + 1)) });
      continue;
    }
    const host = t.startsWith('[') ? t.slice(1, t.indexOf(']')) : t.slice(0, t.lastIndexOf(':'));
    ips.add(host);
  }
  return (clientIP) => {
    const ip = canonical(clientIP);
    if (ip === null) return false;
    if (ips.has(ip)) return true;
    if (nets.length === 0) return false;
    const bytes = ipBytes(ip);
    return bytes !== null && nets.some((n) => prefixContains(n.bytes, n.bits, bytes));
  };
}
