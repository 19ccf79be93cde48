/**
 * The plugin contract. A Handler answers a Request by writing to the ResponseWriter, passes it
 * to the next handler, or throws a DnsError; nothing else. Chains are built once per server
 * block, back to front, in the fixed order of plugins/order.ts (CoreDNS's plugin.cfg).
 */
import type { Directive } from '../corefile/index.ts';
import type { Message } from '../dns/types.ts';
import { NoNextPluginError } from './errors.ts';
import type { Logger } from './log.ts';
import type { Address, Request, Transport } from './request.ts';
import type { ResponseWriter } from './writer.ts';

export interface Handler {
  readonly name: string;
  serveDNS(req: Request, w: ResponseWriter): Promise<void>;
}

/** Builds a plugin's link of the chain around the rest of it; called once per server block. */
export type PluginFactory = (next: Handler) => Handler;

/**
 * One answered (or dropped) query, reported after the reply is sent to the observers of the
 * server block that handled it (log, prometheus). Raw bytes, so that answer-cache hits, which
 * never decode, report the same as chain answers; dns/peek.ts reads the fields cheaply.
 */
export interface QueryEvent {
  /** The listener, CoreDNS-style: `dns://127.0.0.1:53` (`dns://:53` when bound to all addresses). */
  readonly server: string;
  /** The zone of the server block that matched (`.` style, lower case); `dropped` when none did. */
  readonly zone: string;
  /** The address the listener is bound to (`::` when bound to all addresses). */
  readonly local: string;
  readonly client: Address;
  readonly transport: Transport;
  readonly query: Uint8Array;
  /** The reply's bytes; null when nothing was sent. For a zone transfer, the first message. */
  readonly reply: Uint8Array | null;
  /** The plugin that wrote the reply; null when the server answered itself (REFUSED, SERVFAIL). */
  readonly by: string | null;
  /** process.hrtime.bigint() when the query arrived. */
  readonly start: bigint;
  /** Nanoseconds from arrival to the reply being handed to the socket. */
  readonly durationNs: number;
}
export type QueryObserver = (e: QueryEvent) => void;

/**
 * A last step on every reply of a block, on wire bytes (loadbalance's shuffle): also applied to
 * answer-cache hits. Returns the bytes to send (the input when there is nothing to do).
 * `maxSize` is the client's limit, for transforms that must re-encode.
 */
export type ReplyTransform = (reply: Uint8Array, maxSize: number) => Uint8Array;

export interface HttpResponse { readonly status: number; readonly body: string; readonly contentType?: string }
export type HttpHandler = () => HttpResponse | Promise<HttpResponse>;

/** What setup() gets from the server: lifecycle hooks and the server's shared services. */
export interface SetupContext {
  /** The zones of the server block the plugin is in (normalised, lower case, trailing dot). */
  readonly zones: readonly string[];
  /** The addresses the block is bound to (from `bind`; [] means all interfaces). */
  readonly bindAddresses: readonly string[];
  /** Manifest paths given on the command line; when set, cluster sources read them, not the API. */
  readonly manifests: readonly string[];
  readonly log: Logger;
  /** Before listeners open (load state, open sockets); a throw fails the start (or the reload). */
  onStartup(fn: () => Promise<void> | void): void;
  /** After every listener of the instance is open (loop sends its probe here). */
  onListening(fn: () => Promise<void> | void): void;
  /** When this configuration stops serving: at exit, and for the old configuration after a reload. */
  onShutdown(fn: () => Promise<void> | void): void;
  /** At process exit only, before listeners close (health's lameduck waits here). */
  onFinalShutdown(fn: () => Promise<void> | void): void;
  /** Asks the whole server (zone routing and chains) a question on behalf of `req` (CoreDNS's upstream lookup). */
  lookup(req: Request, name: string, type: number): Promise<Message | null>;
  /** Sets a server-wide value on the block's config (bind uses it for its addresses). */
  setBindAddresses(addresses: readonly string[]): void;
  /** Caps the EDNS UDP size of this block's queries before the chain runs (bufsize); the smallest cap holds. */
  setUdpSizeLimit(size: number): void;
  /** The block's listen addresses as actually bound (valid once listening). */
  listenAddresses(): ReadonlyArray<{ readonly host: string; readonly port: number }>;
  /** Reports every query of this block, after the reply is sent. */
  observe(fn: QueryObserver): void;
  /**
   * Reports the queries the server refuses itself before any block takes them (class not IN, no
   * block for the name), with zone `dropped` (CoreDNS vars.Dropped). Process-wide: the same
   * function registered by several blocks is called once per query.
   */
  observeDropped(fn: QueryObserver): void;
  /**
   * The plugins of this block that take part in answering queries (a link of the chain, an
   * observer or a reply transform), in execution order: CoreDNS's handlers of a block, for
   * coredns_plugin_enabled. Complete once every plugin is set up (from onStartup on).
   */
  plugins(): readonly string[];
  /** Adds a last step to every reply of this block (see ReplyTransform). */
  transformReply(fn: ReplyTransform): void;
  /**
   * Serves `path` on an HTTP listener at `address` (`:8080`, `localhost:9153`, `127.0.0.1:0`).
   * Listeners are process-wide: blocks share them, and they survive reloads while still configured.
   * When several blocks register the same address and path (NodeLocal DNSCache's Corefile has
   * `prometheus :9253` in each of its four blocks), the first registration serves it.
   */
  http(address: string, path: string, handler: HttpHandler): void;
  /** The bound address of an HTTP listener requested with http() (valid once listening). */
  httpAddress(address: string): { readonly host: string; readonly port: number } | null;
  /** Registers a readiness check (ready plugin): `plugin` is ready when check() is true. */
  readiness(plugin: string, check: () => boolean): void;
  /** Names of the plugins, across the whole process, whose readiness check is false, sorted. */
  notReady(): string[];
  /** Whether the process is shutting down (ready answers 503 during lameduck). */
  shuttingDown(): boolean;
  /** Offers a capability to the other plugins of this block (kubernetes → autopath, transfer). */
  provide(key: string, value: unknown): void;
  /** A capability another plugin of this block offered; resolve it lazily (setup order is plugin order). */
  provided(key: string): unknown;
  /** Re-reads the configuration and swaps it in when it changed and is valid (reload plugin, SIGUSR1). */
  reload(): Promise<ReloadOutcome>;
  /** SHA-512 (hex) of the running configuration's text, imports included; "" for the built-in one. */
  readonly configHash: string;
  /** Stops the whole process with an error (loop detection). */
  fatal(message: string): void;
}

export type ReloadOutcome =
  | { readonly status: 'unchanged' }
  | { readonly status: 'reloaded'; readonly hash: string }
  | { readonly status: 'failed'; readonly error: Error };

export interface PluginDefinition<O> {
  /** The Corefile directive. */
  readonly name: string;
  /** At most one such directive per server block (CoreDNS plugin.ErrOnce); otherwise each directive is its own link, in file order. */
  readonly once?: boolean;
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
