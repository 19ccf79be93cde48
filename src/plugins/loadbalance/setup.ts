/**
 * The loadbalance stanza (CoreDNS plugin/loadbalance/setup.go):
 *   loadbalance [round_robin] { prefer CIDR... }
 * The `weighted WEIGHTFILE` policy is refused with a clear error (not provided by podns). Setup
 * registers a reply transform, so that answers replayed from the server's answer cache are
 * shuffled as well; loadbalance has no link in the chain.
 */
import type { Directive } from '../../corefile/index.ts';
import { ConfigError } from '../../core/errors.ts';
import type { SetupContext } from '../../core/handler.ts';
import { ipv4Bytes, ipv6Bytes, maskBits } from '../../dns/ip.ts';
import type { Random, Subnet } from './roundrobin.ts';
import { balanceReply } from './wire.ts';

export interface LoadbalanceOptions {
  readonly policy: 'round_robin';
  /** `prefer` subnets, in order. */
  readonly prefer: readonly Subnet[];
}

function fail(d: Directive, message: string): ConfigError {
  return new ConfigError(d.file, d.line, `plugin/loadbalance: ${message}`);
}

/** Go's net.ParseCIDR, masked; null when invalid. */
export function parseCidr(text: string): Subnet | null {
  const slash = text.indexOf('/');
  if (slash < 0) return null;
  const ip = text.slice(0, slash);
  const len = text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(len)) return null;
  let bits = Number(len);
  let bytes = ipv4Bytes(ip);
  let family: 4 | 6 = 4;
  if (bytes === null) {
    bytes = ipv6Bytes(ip);
    family = 6;
    if (bytes === null || bits > 128) return null;
    // An IPv4-mapped network (::ffff:a.b.c.d/n) is an IPv4 one to Go's IPNet.Contains.
    if (bytes.slice(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
      bytes = bytes.slice(12);
      family = 4;
      bits = Math.max(0, bits - 96);
    }
  } else if (bits > 32) {
    return null;
  }
  return { text, family, bytes: maskBits(bytes, bits), bits };
}

export function parseLoadbalance(d: Directive): LoadbalanceOptions {
  const [policy, ...extra] = d.args;
  if (policy !== undefined && policy !== 'round_robin') {
    if (policy === 'weighted') throw fail(d, 'the weighted policy is not supported by podns (use round_robin)');
    throw fail(d, `unknown policy: ${policy}`);
  }
  if (policy !== undefined && extra.length > 0) throw fail(d, `unknown property for ${policy}`);
  const prefer: Subnet[] = [];
  for (const c of d.block ?? []) {
    if (c.name !== 'prefer') throw fail(c, `unknown property '${c.name}'`);
    for (const text of c.args) {
      const s = parseCidr(text);
      if (s === null) throw fail(c, `invalid CIDR ${JSON.stringify(text)}: invalid CIDR address: ${text}`);
      prefer.push(s);
    }
  }
  return { policy: 'round_robin', prefer };
}

export function setupLoadbalance(o: LoadbalanceOptions, ctx: SetupContext, random: Random = Math.random): null {
  const policy = { prefer: o.prefer, random };
  ctx.transformReply((bytes, maxSize) => balanceReply(bytes, maxSize, policy));
  return null;
}
