/**
 * bufsize: caps the UDP payload size a client advertises in its EDNS OPT record (CoreDNS
 * plugin/bufsize), so that no UDP reply of the block is larger than SIZE (default 1232, the DNS
 * Flag Day 2020 value; 512 to 4096): fewer fragmented replies, and a smaller reflected answer for a
 * forged query. Only lowers, and only queries with an OPT record; forwarded queries carry the
 * capped size upstream.
 *
 * The cap is applied by the server before the chain runs (ctx.setUdpSizeLimit), not by a link of
 * the chain as in CoreDNS: the request is immutable here, and the server encodes (and truncates)
 * the reply to the request's size, so the server must be the one to know. The factory is the
 * identity, so bufsize is listed among the block's plugins (coredns_plugin_enabled) and costs
 * nothing per query. Several bufsize directives in a block: the smallest size holds (in CoreDNS
 * each is a link that lowers the size in turn).
 */
import type { Directive } from '../../corefile/index.ts';
import { argError, expectNoBlock } from '../../corefile/index.ts';
import type { PluginDefinition, PluginFactory, SetupContext } from '../../core/handler.ts';

/** CoreDNS's default (http://www.dnsflagday.net/2020/). */
export const DEFAULT_BUFSIZE = 1232;

export function parseBufsize(d: Directive): number {
  expectNoBlock(d);
  if (d.args.length === 0) return DEFAULT_BUFSIZE;
  if (d.args.length > 1) throw argError(d, d.args[1]);
  const arg = d.args[0]!;
  // strconv.Atoi: an optional sign and decimal digits; RFC 6891's range.
  const size = /^[+-]?\d+$/.test(arg) ? Number(arg) : NaN;
  if (!(size >= 512 && size <= 4096)) throw argError(d, arg);
  return size;
}

export const bufsizePlugin: PluginDefinition<number> = {
  name: 'bufsize',
  parse: parseBufsize,
  setup(size: number, ctx: SetupContext): PluginFactory {
    ctx.setUdpSizeLimit(size);
    return (next) => next;
  },
};
