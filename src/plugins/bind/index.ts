/**
 * bind: the addresses a server block listens on (CoreDNS plugin/bind). Setup-only: it has no
 * per-query handler. Accepts IPv4/IPv6 addresses; `except` and interface names are not supported
 * yet and are reported as errors rather than ignored.
 */
import { isIP } from 'node:net';
import type { Directive } from '../../corefile/index.ts';
import type { PluginDefinition, SetupContext } from '../../core/handler.ts';
import { ConfigError } from '../../core/errors.ts';

export interface BindOptions { readonly addresses: readonly string[] }

export const bindPlugin: PluginDefinition<BindOptions> = {
  name: 'bind',
  parse(d: Directive): BindOptions {
    if (d.args.length === 0) throw new ConfigError(d.file, d.line, 'plugin/bind: at least one address is required');
    if (d.block !== null && d.block.length > 0) throw new ConfigError(d.file, d.line, 'plugin/bind: `except` and blocks are not supported');
    for (const a of d.args) {
      if (isIP(a) === 0) throw new ConfigError(d.file, d.line, `plugin/bind: not an IP address: ${JSON.stringify(a)} (interface names are not supported)`);
    }
    return { addresses: d.args };
  },
  setup(options: BindOptions, ctx: SetupContext) {
    ctx.setBindAddresses(options.addresses);
    return null;
  },
};
