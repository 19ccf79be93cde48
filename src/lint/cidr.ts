/** Address ranges: parsing `10.96.0.0/12` or `fd00::/108`, membership, and ranges inferred from addresses. */
import { canonicalIP, ipv4Bytes, ipv6Bytes } from '../dns/ip.ts';

export interface CIDR {
  readonly bytes: Uint8Array;
  readonly prefix: number;
  /** Canonical text, network address and prefix (`10.96.0.0/12`). */
  readonly text: string;
}

function bytesOf(ip: string): Uint8Array | null {
  return ipv4Bytes(ip) ?? ipv6Bytes(ip);
}

function masked(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - 8 * i));
    out[i] = bytes[i]! & ((0xff << (8 - bits)) & 0xff);
  }
  return out;
}

function textOf(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return canonicalIP(groups.join(':'))!;
}

/** `a.b.c.d/n` or `v6/n`, the address masked to the prefix; null when malformed. */
export function parseCIDR(text: string): CIDR | null {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (m === null) return null;
  const bytes = bytesOf(m[1]!);
  const prefix = Number(m[2]);
  if (bytes === null || prefix > bytes.length * 8) return null;
  const net = masked(bytes, prefix);
  return { bytes: net, prefix, text: `${textOf(net)}/${prefix}` };
}

export function cidrContains(cidr: CIDR, ip: string): boolean {
  const bytes = bytesOf(ip);
  if (bytes === null || bytes.length !== cidr.bytes.length) return false;
  const m = masked(bytes, cidr.prefix);
  return m.every((b, i) => b === cidr.bytes[i]);
}

/** The /16 (IPv4) or /64 (IPv6) around each address, without duplicates, in first-seen order. */
export function inferRanges(ips: Iterable<string>): CIDR[] {
  const out = new Map<string, CIDR>();
  for (const ip of ips) {
    const bytes = bytesOf(ip);
    if (bytes === null) continue;
    const prefix = bytes.length === 4 ? 16 : 64;
    const net = masked(bytes, prefix);
    const text = `${textOf(net)}/${prefix}`;
    if (!out.has(text)) out.set(text, { bytes: net, prefix, text });
  }
  return [...out.values()];
}
