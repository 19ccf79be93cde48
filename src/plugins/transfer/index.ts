/**
 * transfer: answers zone transfers (AXFR, and IXFR with AXFR fallback) over TCP for the zones a
 * Transferer of the same server block offers, as CoreDNS's plugin/transfer. Each `transfer`
 * stanza is its own link of the chain.
 */
import type { PluginDefinition, PluginFactory, SetupContext } from '../../core/handler.ts';
import type { TransferOptions } from './setup.ts';
import { compileAcl, parseTransfer } from './setup.ts';
import { TransferHandler } from './transfer.ts';

export type { TransferOptions } from './setup.ts';
export { parseTransfer } from './setup.ts';

export const transferPlugin: PluginDefinition<TransferOptions> = {
  name: 'transfer',
  parse: parseTransfer,
  setup(options: TransferOptions, ctx: SetupContext): PluginFactory {
    const allowed = compileAcl(options.to);
    return (next) => new TransferHandler(next, options.zones, allowed, ctx);
  },
};
