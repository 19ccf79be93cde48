/** Address ranges: parsing `10.96.0.0/12` or `fd00::/108`, membership, and ranges inferred from addresses. */
import { ipBytes, ipText, maskBits, parseCIDR, prefixContains } from '../dns/ip.ts';
import type { CIDR } from '../dns/ip.ts';

export { parseCIDR };
export type { CIDR };

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
