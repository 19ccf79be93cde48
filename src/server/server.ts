/**
 * DnsServer: from parsed Corefile server blocks to running listeners, the path of one query,
 * and reloads.
 *
 *   bytes ─► header check ─► answer cache ─► decode ─► class/EDNS checks ─► zone routing
 *         ─► plugin chain (Recorder) ─► EDNS + truncation + encode ─► reply transforms
 *         ─► bytes (and the answer cache) ─► observers (log, metrics)
 *
 * A configuration (a Generation) is every block's directives looked up in the plugin registry,
 * sorted into the fixed plugin order, parsed and set up once, with its chain built back to front.
 * Blocks are grouped by listen address and port; within one listener a query goes to the block
 * with the longest matching zone (CoreDNS core/dnsserver/server.go), and REFUSED when none matches.
 *
 * Listeners (DNS and HTTP) belong to the DnsServer, not to a configuration: a reload builds and
 * starts a new Generation, then swaps it in with one assignment, so sockets that stay configured
 * never close and no query is lost; a configuration that fails to set up or start is discarded
 * and the running one keeps serving.
 */
import type { Directive, ServerBlock } from '../corefile/index.ts';
import { WireError, decodeMessage, encodeMessage } from '../dns/message.ts';
import { errorReply, inspectQuery } from '../dns/header.ts';
import type { Edns, Message } from '../dns/types.ts';
import { RRClass, RRType, Rcode } from '../dns/types.ts';
import { ConfigError, DnsError } from '../core/errors.ts';
import type {
  Handler, HttpHandler, PluginDefinition, PluginFactory, QueryEvent, QueryObserver, ReloadOutcome, ReplyTransform, SetupContext,
} from '../core/handler.ts';
import { endOfChain } from '../core/handler.ts';
import type { Logger } from '../core/log.ts';
import { panicsTotal } from '../core/metrics.ts';
import type { Address, Transport } from '../core/request.ts';
import { Request, reply } from '../core/request.ts';
import { Recorder } from '../core/writer.ts';
import { orderOf } from '../plugins/order.ts';
import { plugins as registry } from '../plugins/registry.ts';
import { listenHttp, splitHostPort } from '../transport/http.ts';
import type { HttpListener } from '../transport/http.ts';
import { SharedReply, listenTcp, listenUdp, serverLabel } from '../transport/listen.ts';
import type { Listener, Reply } from '../transport/listen.ts';
import { AnswerCache } from './answer-cache.ts';

/**
 * A configuration as read from disk, for reloads: its blocks, or the error that stopped the
 * parse; and the SHA-512 (hex) of the text it came from, imports included, either way (so a
 * broken file is reported once, not at every poll).
 */
export type LoadedConfig =
  | { readonly hash: string; readonly blocks: readonly ServerBlock[] }
  | { readonly hash: string; readonly error: Error };

export interface ServerOptions {
  /** Manifest files/folders: kubernetes plugins read cluster state from them instead of an API server. */
  readonly manifests: readonly string[];
  readonly log: Logger;
  /** Port for server keys written without one (CoreDNS -dns.port); default 53. */
  readonly defaultPort?: number;
  /** Plugins by directive name; defaults to the registry (tests may inject more). */
  readonly plugins?: ReadonlyMap<string, PluginDefinition<unknown>>;
  /** Addresses for blocks without `bind` (default: all, `::`). Tests use ['127.0.0.1']. */
  readonly defaultBind?: readonly string[];
  /** Maps an HTTP address from the Corefile before listening (tests move them to 127.0.0.1:0). */
  readonly httpAddress?: (configured: string) => string;
  /** SHA-512 of the configuration being created ("" for a built-in one). */
  readonly configHash?: string;
  /** Re-reads the configuration (reload plugin, SIGUSR1); without it reload reports "unchanged". */
  readonly load?: () => LoadedConfig;
  /** What ctx.fatal does; default: log the message and exit with status 1. */
  readonly onFatal?: (message: string) => void;
  /**
   * How listeners are opened; default: transport's. A `--workers` worker binds DNS with
   * SO_REUSEPORT and has the primary serve its HTTP routes (server/worker.ts).
   */
  readonly listeners?: { readonly udp: typeof listenUdp; readonly tcp: typeof listenTcp; readonly http: typeof listenHttp };
}

/** One server block once set up: its zones and its chain. */
interface Block {
  readonly zones: readonly string[];
  readonly chain: Handler | null;
  readonly bind: readonly string[];
  readonly ports: ReadonlyMap<string, number>;
  readonly observers: QueryObserver[];
  readonly transforms: ReplyTransform[];
  /** The plugins that answer, observe or transform queries, in execution order (ctx.plugins()). */
  readonly handlers: readonly string[];
  /** host|port keys of the listeners this block is served on. */
  readonly listens: Array<{ host: string; port: number }>;
  /** The EDNS UDP size a query may advertise (bufsize); Infinity for no cap. */
  readonly udpSizeLimit: number;
}

/** The zone table of one listen address:port. */
class Route {
  readonly zones = new Map<string, Block>();
  /** Replies by query bytes, one cache per transport (TCP replies are never truncated). */
  readonly cache = { udp: new AnswerCache(), tcp: new AnswerCache() };
  /** What the cache keeps beside each reply, one object per distinct value (a few per route). */
  readonly #hits = new Map<string, Hit>();
  readonly host: string;
  readonly port: number;
  /** The metrics `server` label: `dns://:53`, or `dns://127.0.0.1:53` when bound to an address. */
  label: string;
  constructor(host: string, port: number, bound: boolean) {
    this.host = host;
    this.port = port;
    this.label = serverLabel(bound, host, port);
  }

  hit(block: Block, zone: string, by: string | null, maxSize: number): Hit {
    const k = `${zone}|${by ?? ''}|${maxSize}`;
    let h = this.#hits.get(k);
    if (h === undefined || h.block !== block) this.#hits.set(k, (h = { block, zone, by, maxSize }));
    return h;
  }
}

/** One configuration: its routes and the hooks and services its plugins registered. */
class Generation {
  readonly routes = new Map<string, Route>();
  readonly startup: Array<() => Promise<void> | void> = [];
  readonly listening: Array<() => Promise<void> | void> = [];
  readonly shutdown: Array<() => Promise<void> | void> = [];
  readonly finalShutdown: Array<() => Promise<void> | void> = [];
  /** Configured HTTP address → path → handler. */
  readonly http = new Map<string, Map<string, HttpHandler>>();
  readonly readiness: Array<{ plugin: string; check: () => boolean }> = [];
  /** Observers of the queries refused before any block (ctx.observeDropped), each once. */
  readonly dropped = new Set<QueryObserver>();
  readonly hash: string;
  /** Queries in this configuration's plugin chains now. */
  #inflight = 0;
  #drained: (() => void) | null = null;
  constructor(hash: string) { this.hash = hash; }

  enter(): void { this.#inflight++; }
  leave(): void {
    if (--this.#inflight === 0 && this.#drained !== null) this.#drained();
  }

  /** Resolves once no query is in the chains any more, or after `ms`. */
  drained(ms: number): Promise<void> {
    if (this.#inflight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.#drained = null; resolve(); }, ms);
      this.#drained = () => { clearTimeout(timer); this.#drained = null; resolve(); };
    });
  }
}

/** EDNS options CoreDNS passes back to the client (request.SupportedOptions): NSID, EXPIRE, COOKIE, TCP-KEEPALIVE, PADDING. */
const SUPPORTED_OPTIONS = new Set([3, 9, 10, 11, 12]);

/**
 * How long a reload waits for the queries still in the old configuration's chains before shutting
 * its plugins down (closing forward's sockets fails them): forward's deadline for a query, and
 * CoreDNS's graceful-stop timeout for the servers a reload replaces.
 */
const RELOAD_DRAIN_MS = 5_000;

/** How deep plugin lookups through the server may nest (ExternalName chains, autopath). */
const MAX_LOOKUP_DEPTH = 8;

const hostPort = (host: string, port: number): string => `${host}|${port}`;

export class DnsServer {
  readonly #options: ServerOptions;
  readonly #log: Logger;
  #gen: Generation;
  /** host|port → the UDP and TCP listener. */
  readonly #listeners = new Map<string, Listener[]>();
  /** HTTP address as written in the Corefile → listener. */
  readonly #http = new Map<string, HttpListener>();
  #started = false;
  #stopping = false;
  #reloading: Promise<ReloadOutcome> | null = null;
  /** The hash of the last configuration that failed to load: not retried until it changes (CoreDNS reload). */
  #failedHash = '';

  private constructor(options: ServerOptions, gen: Generation) {
    this.#options = options;
    this.#log = options.log;
    this.#gen = gen;
  }

  /** Sets up every block (parse, setup, chains) without opening sockets; throws ConfigError on bad config. */
  static create(blocks: readonly ServerBlock[], options: ServerOptions): DnsServer {
    const server = new DnsServer(options, new Generation(options.configHash ?? ''));
    server.#gen = server.#configure(blocks, options.configHash ?? '');
    return server;
  }

  #configure(blocks: readonly ServerBlock[], hash: string): Generation {
    const gen = new Generation(hash);
    const defs = this.#options.plugins ?? registry;
    const defaultPort = this.#options.defaultPort ?? 53;
    const seen = new Map<string, string>();
    for (const sb of blocks) {
      const block = this.#setupBlock(gen, sb, defs, defaultPort);
      const bound = block.bind.length > 0;
      const hosts = bound ? block.bind : (this.#options.defaultBind ?? ['::']);
      for (const [zone, port] of block.ports) {
        for (const host of hosts) {
          const where = hostPort(host, port);
          const dup = seen.get(`${where}|${zone}`);
          if (dup !== undefined) throw new ConfigError(sb.file, sb.line, `cannot serve ${zone} on port ${port} twice (also at ${dup})`);
          seen.set(`${where}|${zone}`, `${sb.file}:${sb.line}`);
          let route = gen.routes.get(where);
          if (route === undefined) gen.routes.set(where, (route = new Route(host, port, bound)));
          route.zones.set(zone, block);
          if (!block.listens.some((l) => l.host === host && l.port === port)) block.listens.push({ host, port });
        }
      }
    }
    return gen;
  }

  #setupBlock(gen: Generation, sb: ServerBlock, defs: ReadonlyMap<string, PluginDefinition<unknown>>, defaultPort: number): Block {
    const zones: string[] = [];
    const ports = new Map<string, number>();
    for (const key of sb.keys) {
      if (key.scheme !== 'dns') throw new ConfigError(sb.file, sb.line, `${key.scheme}:// servers are not supported (key ${JSON.stringify(key.raw)})`);
      for (const z of key.zones) {
        if (ports.has(z)) throw new ConfigError(sb.file, sb.line, `zone ${z} is listed twice in one server block`);
        zones.push(z);
        ports.set(z, key.port ?? defaultPort);
      }
    }
    const steps: Array<{ def: PluginDefinition<unknown>; d: Directive }> = [];
    for (const d of sb.directives) {
      const def = defs.get(d.name);
      if (def === undefined) {
        const why = orderOf(d.name) >= 0 ? `plugin '${d.name}' is not provided by podns yet` : `Unknown directive '${d.name}'`;
        throw new ConfigError(d.file, d.line, why);
      }
      if (def.once === true && steps.some((s) => s.def === def)) {
        throw new ConfigError(d.file, d.line, `plugin/${d.name}: this plugin can only be used once per Server Block`);
      }
      steps.push({ def, d });
    }
    steps.sort((a, b) => orderOf(a.def.name) - orderOf(b.def.name));
    let bind: readonly string[] = [];
    let udpSizeLimit = Infinity;
    const observers: QueryObserver[] = [];
    const transforms: ReplyTransform[] = [];
    const listens: Array<{ host: string; port: number }> = [];
    const handlers: string[] = [];
    const provided = new Map<string, unknown>();
    const ctx: SetupContext = {
      zones,
      get bindAddresses() { return bind; },
      manifests: this.#options.manifests,
      log: this.#log,
      configHash: gen.hash,
      onStartup: (fn) => { gen.startup.push(fn); },
      onListening: (fn) => { gen.listening.push(fn); },
      onShutdown: (fn) => { gen.shutdown.push(fn); },
      onFinalShutdown: (fn) => { gen.finalShutdown.push(fn); },
      lookup: (req, name, type) => this.lookup(req, name, type),
      setBindAddresses: (a) => { bind = a; },
      setUdpSizeLimit: (size) => { udpSizeLimit = Math.min(udpSizeLimit, size); },
      listenAddresses: () => listens.map((l) => {
        const bound = this.#listeners.get(hostPort(l.host, l.port))?.[0];
        return { host: l.host, port: bound?.port ?? l.port };
      }),
      observe: (fn) => { observers.push(fn); },
      observeDropped: (fn) => { gen.dropped.add(fn); },
      plugins: () => handlers,
      transformReply: (fn) => { transforms.push(fn); },
      http: (address, path, handler) => {
        if (splitHostPort(address) === null) throw new ConfigError(sb.file, sb.line, `invalid HTTP address ${JSON.stringify(address)}`);
        let paths = gen.http.get(address);
        if (paths === undefined) gen.http.set(address, (paths = new Map()));
        if (!paths.has(path)) paths.set(path, handler);
      },
      httpAddress: (address) => {
        const l = this.#http.get(address);
        return l === undefined ? null : { host: l.host, port: l.port };
      },
      readiness: (plugin, check) => { gen.readiness.push({ plugin, check }); },
      notReady: () => this.notReady(),
      shuttingDown: () => this.#stopping,
      provide: (key, value) => { provided.set(key, value); },
      provided: (key) => provided.get(key),
      reload: () => this.reload(),
      fatal: (message) => this.#fatal(message),
    };
    const factories: PluginFactory[] = [];
    for (const { def, d } of steps) {
      const opts = def.parse(d, zones);
      const hooks = observers.length + transforms.length;
      const f = def.setup(opts, ctx);
      if (f !== null) factories.push(f);
      if ((f !== null || observers.length + transforms.length > hooks) && !handlers.includes(def.name)) handlers.push(def.name);
    }
    let chain: Handler | null = null;
    if (factories.length > 0) {
      let next: Handler = endOfChain;
      for (let i = factories.length - 1; i >= 0; i--) next = factories[i]!(next);
      chain = next;
    }
    return { zones, chain, bind, ports, observers, transforms, handlers, listens, udpSizeLimit };
  }

  #mapHttp(address: string): string {
    return this.#options.httpAddress?.(address) ?? address;
  }

  /** Runs the plugins' startup hooks, then opens a UDP and a TCP listener per address:port, then HTTP. */
  async start(): Promise<void> {
    const gen = this.#gen;
    try {
      for (const fn of gen.startup) await fn();
      await this.#openListeners(gen);
    } catch (err) {
      await this.#closeUnused(new Generation(''));
      await runAll(gen.shutdown, this.#log);
      throw err;
    }
    this.#started = true;
    this.#afterListening(gen);
  }

  /**
   * Runs the plugins' startup hooks (cluster state loaded) without opening a socket: for answering
   * in-process with ask() (`podns explain --manifests`). stop() then skips the lameduck hooks.
   */
  async prepare(): Promise<void> {
    try {
      for (const fn of this.#gen.startup) await fn();
    } catch (err) {
      await runAll(this.#gen.shutdown, this.#log);
      throw err;
    }
  }

  /**
   * Answers one query's bytes in-process, as the listener on `port` (default: the first one
   * configured) would, and says which plugin wrote the reply (null: the server itself, e.g. REFUSED).
   */
  async ask(query: Uint8Array, client: Address, transport: Transport, port?: number): Promise<{ reply: Uint8Array | readonly Uint8Array[] | null; by: string | null }> {
    const route = [...this.#gen.routes.values()].find((r) => port === undefined || r.port === port);
    if (route === undefined) throw new Error(`no server block listens on port ${port}`);
    let by: string | null = null;
    const reply = await this.handle(route, query, client, transport, (b) => { by = b; });
    return { reply: reply instanceof SharedReply ? reply.to(query) : reply, by };
  }

  /** Opens the DNS and HTTP listeners `gen` needs that are not open yet; on failure closes those it opened. */
  async #openListeners(gen: Generation): Promise<void> {
    const opened: Array<{ close(): Promise<void> }> = [];
    const open = this.#options.listeners ?? { udp: listenUdp, tcp: listenTcp, http: listenHttp };
    try {
      for (const [key, route] of gen.routes) {
        if (this.#listeners.has(key)) continue;
        const onQuery = (q: Uint8Array, client: Address, t: Transport): Reply | Promise<Reply> => {
          const current = this.#gen.routes.get(key);
          return current === undefined ? null : this.handle(current, q, client, t);
        };
        const udp = await open.udp(route.host, route.port, onQuery, this.#log);
        opened.push(udp);
        const tcp = await open.tcp(route.host, route.port, onQuery, this.#log);
        opened.push(tcp);
        this.#listeners.set(key, [udp, tcp]);
      }
      for (const address of gen.http.keys()) {
        if (this.#http.has(address)) continue;
        const l = await open.http(this.#mapHttp(address), () => this.#gen.http.get(address) ?? new Map(), this.#log);
        opened.push(l);
        this.#http.set(address, l);
      }
    } catch (err) {
      for (const l of opened) await l.close();
      for (const [k, ls] of this.#listeners) if (ls.some((l) => opened.includes(l))) this.#listeners.delete(k);
      for (const [k, l] of this.#http) if (opened.includes(l)) this.#http.delete(k);
      throw err;
    }
  }

  /** Closes the listeners the given (new) configuration no longer uses. */
  async #closeUnused(gen: Generation): Promise<void> {
    for (const [key, ls] of [...this.#listeners]) {
      if (gen.routes.has(key)) continue;
      this.#listeners.delete(key);
      await Promise.all(ls.map((l) => l.close()));
    }
    for (const [key, l] of [...this.#http]) {
      if (gen.http.has(key)) continue;
      this.#http.delete(key);
      await l.close();
    }
  }

  #afterListening(gen: Generation): void {
    for (const fn of gen.listening) {
      Promise.resolve().then(fn).catch((err: unknown) => this.#log.error(`startup: ${(err as Error).message}`));
    }
  }

  /**
   * Swaps in a new configuration: set up, started (state loaded) and its new listeners opened
   * before it takes any query; the old one keeps serving until then and whenever anything fails.
   */
  reload(): Promise<ReloadOutcome> {
    if (this.#reloading !== null) return this.#reloading;
    const run = async (): Promise<ReloadOutcome> => {
      const load = this.#options.load;
      if (load === undefined || !this.#started || this.#stopping) return { status: 'unchanged' };
      let gen: Generation;
      try {
        const loaded = load();
        if (loaded.hash === this.#gen.hash || loaded.hash === this.#failedHash) return { status: 'unchanged' };
        this.#failedHash = loaded.hash;
        this.#log.info('Reloading');
        if ('error' in loaded) return { status: 'failed', error: loaded.error };
        gen = this.#configure(loaded.blocks, loaded.hash);
      } catch (err) {
        return { status: 'failed', error: err as Error };
      }
      try {
        for (const fn of gen.startup) await fn();
        await this.#openListeners(gen);
      } catch (err) {
        await runAll(gen.shutdown, this.#log);
        return { status: 'failed', error: err as Error };
      }
      this.#failedHash = '';
      const old = this.#gen;
      this.#gen = gen;
      await this.#closeUnused(gen);
      await old.drained(RELOAD_DRAIN_MS);
      await runAll(old.shutdown, this.#log);
      this.#afterListening(gen);
      this.#log.info('Reloading complete');
      return { status: 'reloaded', hash: gen.hash };
    };
    this.#reloading = run().finally(() => { this.#reloading = null; });
    return this.#reloading;
  }

  /** Final shutdown: lameduck hooks (still serving), then listeners close, then the plugins' shutdown hooks. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    await this.#reloading;
    const gen = this.#gen;
    if (this.#started) await runAll(gen.finalShutdown, this.#log);
    await this.#closeUnused(new Generation(''));
    await runAll(gen.shutdown, this.#log);
  }

  #fatal(message: string): void {
    if (this.#options.onFatal !== undefined) { this.#options.onFatal(message); return; }
    this.#log.error(message);
    process.exit(1);
  }

  /** Names of the plugins whose readiness check fails, sorted and de-duplicated. */
  notReady(): string[] {
    const out = new Set<string>();
    for (const r of this.#gen.readiness) if (!r.check()) out.add(r.plugin);
    return [...out].sort();
  }

  /** The DNS addresses actually bound (port 0 in the Corefile picks a free port), for tests and logs. */
  addresses(): Array<{ transport: Transport; address: string; port: number }> {
    return [...this.#listeners.values()].flat().map((l) => ({ transport: l.transport, address: l.address, port: l.port }));
  }

  /** The HTTP addresses actually bound, by the address written in the Corefile. */
  httpAddresses(): Map<string, { host: string; port: number }> {
    const out = new Map<string, { host: string; port: number }>();
    for (const address of this.#gen.http.keys()) {
      const l = this.#http.get(address);
      if (l !== undefined) out.set(address, { host: l.host, port: l.port });
    }
    return out;
  }

  /**
   * Answers one query's bytes: a reply's bytes, or null to stay silent. Synchronous on the hot path
   * (header rejects and answer-cache hits); a promise only when the chain has to run.
   */
  handle(route: Route, query: Uint8Array, client: Address, transport: Transport, onAnswered?: (by: string | null) => void): Reply | Promise<Reply> {
    const verdict = inspectQuery(query);
    if (verdict.action === 'ignore') return null;
    if (verdict.action === 'formerr') return errorReply(query, Rcode.FORMERR);
    if (verdict.action === 'notimp') return errorReply(query, Rcode.NOTIMP);
    const key = AnswerCache.key(query);
    const cache = route.cache[transport];
    const hit = cache.get(key, client);
    if (hit !== null) {
      const meta = cache.lastMeta as Hit;
      const block = meta.block;
      onAnswered?.(meta.by);
      if (block.transforms.length === 0 && block.observers.length === 0) return hit;
      const start = block.observers.length > 0 ? process.hrtime.bigint() : 0n;
      const out = applyTransforms(block, hit.to(query), meta.maxSize);
      observe(block, route, meta.zone, client, transport, query, out, meta.by, start);
      return out;
    }
    let msg: Message;
    try {
      msg = decodeMessage(query);
    } catch (err) {
      if (err instanceof WireError) return errorReply(query, Rcode.FORMERR);
      throw err;
    }
    return this.#serve(route, query, msg, client, transport, key, onAnswered);
  }

  async #serve(route: Route, query: Uint8Array, msg: Message, client: Address, transport: Transport, key: string, onAnswered?: (by: string | null) => void): Promise<Reply> {
    const start = process.hrtime.bigint();
    let req = new Request(msg, client, transport, 0, route.label);
    if (req.qclass !== RRClass.IN) return this.#refuse(route, req, query, start);
    if (msg.edns !== null && msg.edns.version !== 0) {
      // RFC 6891 §6.1.3: unknown EDNS version → BADVERS, with an OPT of version 0 (CoreDNS edns.Version).
      const m: Message = { ...reply(req, { rcode: Rcode.BADVERS }), edns: { udpSize: 0, version: 0, do: false, extendedRcode: 0, options: [] } };
      return encodeMessage(m);
    }
    const zone = this.#route(route, req);
    const block = zone === null ? undefined : route.zones.get(zone);
    if (zone === null || block === undefined || block.chain === null) return this.#refuse(route, req, query, start);
    // bufsize: the chain (forward's upstream query included) and the reply's size see the cap.
    if (msg.edns !== null && msg.edns.udpSize > block.udpSizeLimit) {
      req = new Request({ ...msg, edns: { ...msg.edns, udpSize: block.udpSizeLimit } }, client, transport, 0, route.label);
    }
    const w = new Recorder();
    const gen = this.#gen; // the route's: handle() called this synchronously
    gen.enter();
    try {
      await block.chain.serveDNS(req, w);
    } catch (err) {
      if (!(err instanceof DnsError)) {
        // A bug in a plugin, not a decision: CoreDNS's recovered panic.
        panicsTotal.inc();
        this.#log.error(`Recovered from panic in server: ${JSON.stringify(route.label)} ${(err as Error).stack ?? String(err)}`);
      }
      if (w.written === null) w.write(failure(req, err), '');
    } finally {
      gen.leave();
    }
    if (w.dropped) {
      // A plugin chose to send nothing (acl's drop): the client times out.
      onAnswered?.(w.writtenBy);
      observe(block, route, zone, client, transport, query, null, w.writtenBy, start);
      return null;
    }
    if (w.written === null) w.write(reply(req, { rcode: Rcode.SERVFAIL }), '');
    const bytes = this.#encode(req, w.written!);
    const by = w.writtenBy === '' ? null : w.writtenBy;
    onAnswered?.(by);
    if ((w.cacheSource !== null || w.countdown !== null) && (msg.edns === null || msg.edns.options.length === 0) && msg.additionals.length === 0) {
      const meta = route.hit(block, zone, by, req.maxSize);
      route.cache[transport].set(key, bytes, {
        source: w.cacheSource, revision: w.cacheRevision, countdown: w.countdown, vary: w.vary, varyValue: w.varyValue,
      }, meta);
    }
    const out = applyTransforms(block, bytes, req.maxSize);
    observe(block, route, zone, client, transport, query, out, by, start);
    if (w.more !== null && transport === 'tcp') return [out, ...w.more.map((m) => this.#encode(req, m))];
    return out;
  }

  /** REFUSED from the server itself (class not IN, no block for the name), reported as `dropped`. */
  #refuse(route: Route, req: Request, query: Uint8Array, start: bigint): Uint8Array {
    const out = this.#encode(req, reply(req, { rcode: Rcode.REFUSED }));
    const dropped = this.#gen.dropped;
    if (dropped.size > 0) {
      const e: QueryEvent = {
        server: route.label, zone: 'dropped', local: route.host, client: req.client, transport: req.transport,
        query, reply: out, by: null, start, durationNs: Number(process.hrtime.bigint() - start),
      };
      for (const fn of dropped) fn(e);
    }
    return out;
  }

  /** Longest matching zone; DS goes to the parent-most match (CoreDNS server.go); "." last. */
  #route(route: Route, req: Request): string | null {
    const q = req.lname;
    let ds: string | null = null;
    let off = 0;
    while (off < q.length && q !== '.') {
      const z = off === 0 ? q : q.slice(off);
      if (route.zones.has(z)) {
        if (req.qtype !== RRType.DS) return z;
        ds = z;
      }
      const dot = nextLabel(q, off);
      if (dot < 0) break;
      off = dot;
    }
    return ds ?? (route.zones.has('.') ? '.' : null);
  }

  /** Asks the server a question on behalf of a plugin (CoreDNS's upstream lookup through its own chain). */
  async lookup(parent: Request, name: string, type: number): Promise<Message | null> {
    if (parent.depth >= MAX_LOOKUP_DEPTH) return null;
    const req = parent.withQuestion(name, type);
    for (const route of this.#gen.routes.values()) {
      const zone = this.#route(route, req);
      const block = zone === null ? undefined : route.zones.get(zone);
      if (block === undefined || block.chain === null) continue;
      const w = new Recorder();
      try {
        await block.chain.serveDNS(req, w);
      } catch {
        if (w.written === null) return null;
      }
      return w.written;
    }
    return null;
  }

  /** Applies the client's EDNS (CoreDNS request.SizeAndDo) and its size limit (RFC 6891 §7, RFC 2181 §9). */
  #encode(req: Request, m: Message): Uint8Array {
    const q = req.msg.edns;
    let edns: Edns | null = null;
    if (q !== null) {
      edns = {
        udpSize: m.edns?.udpSize ?? q.udpSize,
        version: 0,
        do: q.do,
        extendedRcode: 0,
        options: m.edns?.options ?? q.options.filter((o) => SUPPORTED_OPTIONS.has(o.code)),
      };
    }
    return encodeMessage({ ...m, edns }, req.maxSize);
  }
}

/** What the answer cache keeps beside a reply, to report hits like chain answers. */
interface Hit { readonly block: Block; readonly zone: string; readonly by: string | null; readonly maxSize: number }

function failure(req: Request, err: unknown): Message {
  const rcode = err instanceof DnsError ? err.rcode : Rcode.SERVFAIL;
  return reply(req, { rcode });
}

function applyTransforms(block: Block, bytes: Uint8Array, maxSize: number): Uint8Array {
  let out = bytes;
  for (const t of block.transforms) out = t(out, maxSize);
  return out;
}

function observe(block: Block, route: Route, zone: string, client: Address, transport: Transport, query: Uint8Array, reply: Uint8Array | null, by: string | null, start: bigint): void {
  if (block.observers.length === 0) return;
  const e: QueryEvent = { server: route.label, zone, local: route.host, client, transport, query, reply, by, start, durationNs: Number(process.hrtime.bigint() - start) };
  for (const fn of block.observers) fn(e);
}

async function runAll(fns: ReadonlyArray<() => Promise<void> | void>, log: Logger): Promise<void> {
  for (const fn of fns) {
    try { await fn(); } catch (err) { log.error(`shutdown: ${(err as Error).message}`); }
  }
}

/** The offset just past the next unescaped dot of a lower-cased presentation name, or -1 at the end. */
function nextLabel(name: string, off: number): number {
  for (let i = off; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 92 /* \ */) { i++; continue; }
    if (c === 46 /* . */) return i + 1 < name.length ? i + 1 : -1;
  }
  return -1;
}
