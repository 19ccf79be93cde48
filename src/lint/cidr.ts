/** Address ranges: parsing `10.96.0.0/12` or `fd00::/108`, membership, and ranges inferred from addresses. */
import { ipBytes, ipText, maskBits, prefixContains } from '../dns/ip.ts';

export interface CIDR {
  readonly bytes: Uint8Array;
  readonly prefix: number;
  /** Canonical text, network address and prefix (`10.96.0.0/12`). */
  readonly text: string;
}

/** `a.b.c.d/n` or `v6/n`, the address masked to the prefix; null when malformed. */
export function parseCIDR(text: string): CIDR | null {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (m === null) return null;
  const bytes = ipBytes(m[1]!);
  const prefix = Number(m[2]);
  if (bytes === null || prefix > bytes.length * 8) return null;
  const net = maskBits(bytes, prefix);
  return { bytes: net, prefix, text: `${ipText(net)}/${prefix}` };
}

export function cidrContains(cidr: CIDR, ip: string): boolean {
  const bytes = ipBytes(ip);
  return bytes !== null && prefixContains(cidr.bytes, cidr.prefix, bytes);
}

/** The /16 (IPv4) or /64 (IPv6) around each address, without duplicates, in first-seen order. */
export function inferRanges(ips: Iterable<string>): CIDR[] {
  const out = new Map<string, CIDR>();
  for (const ip of ips) {
    const bytes = ipBytes(ip);
    if (bytes === null) continue;
    const prefix = bytes.length === 4 ? 16 : 64;
    const net = maskBits(bytes, prefix);
    const text = `${ipText(net)}/${prefix}`;
    if (!out.has(text)) out.set(text, { bytes: net, prefix, text });
  }
  return [...out.values()];
}
