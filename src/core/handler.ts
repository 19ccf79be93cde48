/**
 * The plugin contract. A Handler answers a Request by writing to the ResponseWriter, passes it
 * to the next handler, or throws a DnsError; nothing else. Chains are built once per server
 * block, back to front, in the fixed order of plugins/order.ts (CoreDNS's plugin.cfg).
 */
import type { Directive } from '../corefile/index.ts';
import type { Message } from '../dns/types.ts';
import { NoNextPluginError } from './errors.ts';
import type { Logger } from './log.ts';
import type { Request } from './request.ts';
import type { ResponseWriter } from './writer.ts';

export interface Handler {
  readonly name: string;
  serveDNS(req: Request, w: ResponseWriter): Promise<void>;
}

/** Builds a plugin's link of the chain around the rest of it; called once per server block. */
export type PluginFactory = (next: Handler) => Handler;

/** What setup() gets from the server: lifecycle hooks and the server's shared services. */
export interface SetupContext {
  /** The zones of the server block the plugin is in (normalised, lower case, trailing dot). */
  readonly zones: readonly string[];
  /** The addresses the block is bound to (from `bind`; [] means all interfaces). */
  readonly bindAddresses: readonly string[];
  /** Manifest paths given on the command line; when set, cluster sources read them, not the API. */
  readonly manifests: readonly string[];
  readonly log: Logger;
  onStartup(fn: () => Promise<void> | void): void;
  onShutdown(fn: () => Promise<void> | void): void;
  /** Asks the whole server (zone routing and chains) a question on behalf of `req` (CoreDNS's upstream lookup). */
  lookup(req: Request, name: string, type: number): Promise<Message | null>;
  /** Sets a server-wide value on the block's config (bind uses it for its addresses). */
  setBindAddresses(addresses: readonly string[]): void;
}

export interface PluginDefinition<O> {
  /** The Corefile directive. */
  readonly name: string;
  /** Pure: from the directive to options with every default resolved; throws ConfigError at the directive's file:line. */
  parse(d: Directive, zones: readonly string[]): O;
  /** Registers lifecycle hooks and returns the link of the chain; setup-only plugins return null. */
  setup(options: O, ctx: SetupContext): PluginFactory | null;
}

/** Calls next, or fails with SERVFAIL "no next plugin found" at the end of the chain (CoreDNS NextOrFailure). */
export function nextOrFailure(name: string, next: Handler | null, req: Request, w: ResponseWriter): Promise<void> {
  if (next === null || next === endOfChain) return Promise.reject(new NoNextPluginError(name));
  return next.serveDNS(req, w);
}

/** The terminal link: there is nothing after the last plugin. */
export const endOfChain: Handler = {
  name: 'end',
  serveDNS(): Promise<void> { return Promise.reject(new NoNextPluginError('end')); },
};
