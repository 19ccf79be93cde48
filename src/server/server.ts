/**
 * DnsServer: from parsed Corefile server blocks to running listeners, and the path of one query.
 *
 *   bytes ─► header check ─► answer cache ─► decode ─► class/EDNS checks ─► zone routing
 *         ─► plugin chain (Recorder) ─► EDNS + truncation + encode ─► bytes (and the answer cache)
 *
 * Setup: every block's directives are looked up in the plugin registry, sorted into the fixed
 * plugin order, parsed and set up once; the chain is built back to front. Blocks are grouped by
 * listen address and port; within one listener a query goes to the block with the longest
 * matching zone (CoreDNS core/dnsserver/server.go), and REFUSED when none matches.
 */
import type { Directive, ServerBlock } from '../corefile/index.ts';
import { WireError, decodeMessage, encodeMessage } from '../dns/message.ts';
import { errorReply, inspectQuery } from '../dns/header.ts';
import type { Edns, Message } from '../dns/types.ts';
import { RRClass, RRType, Rcode } from '../dns/types.ts';
import { ConfigError, DnsError } from '../core/errors.ts';
import type { Handler, PluginDefinition, PluginFactory, SetupContext } from '../core/handler.ts';
import { endOfChain } from '../core/handler.ts';
import type { Logger } from '../core/log.ts';
import type { Address, Transport } from '../core/request.ts';
import { Request, reply } from '../core/request.ts';
import { Recorder } from '../core/writer.ts';
import { orderOf } from '../plugins/order.ts';
import { plugins as registry } from '../plugins/registry.ts';
import { listenTcp, listenUdp } from '../transport/listen.ts';
import type { Listener } from '../transport/listen.ts';
import { AnswerCache } from './answer-cache.ts';

export interface ServerOptions {
  /** Manifest files/folders: kubernetes plugins read cluster state from them instead of an API server. */
  readonly manifests: readonly string[];
  readonly log: Logger;
  /** Port for server keys written without one (CoreDNS -dns.port); default 53. */
  readonly defaultPort?: number;
  /** Plugins by directive name; defaults to the registry (tests may inject more). */
  readonly plugins?: ReadonlyMap<string, PluginDefinition<unknown>>;
}

/** One server block once set up: its zones and its chain. */
interface Block {
  readonly zones: readonly string[];
  readonly chain: Handler | null;
  readonly bind: readonly string[];
  readonly ports: ReadonlyMap<string, number>;
}

/** The zone table of one listen address:port. */
class Route {
  readonly zones = new Map<string, Block>();
  readonly cache = new AnswerCache();
  readonly host: string;
  readonly port: number;
  constructor(host: string, port: number) { this.host = host; this.port = port; }
}

/** EDNS options CoreDNS passes back to the client (request.SupportedOptions): NSID, EXPIRE, COOKIE, TCP-KEEPALIVE, PADDING. */
const SUPPORTED_OPTIONS = new Set([3, 9, 10, 11, 12]);

/** How deep plugin lookups through the server may nest (ExternalName chains, autopath). */
const MAX_LOOKUP_DEPTH = 8;

export class DnsServer {
  readonly #routes: Route[] = [];
  readonly #listeners: Listener[] = [];
  readonly #startup: Array<() => Promise<void> | void> = [];
  readonly #shutdown: Array<() => Promise<void> | void> = [];
  readonly #log: Logger;

  private constructor(log: Logger) { this.#log = log; }

  /** Sets up every block (parse, setup, chains) without opening sockets; throws ConfigError on bad config. */
  static create(blocks: readonly ServerBlock[], options: ServerOptions): DnsServer {
    const server = new DnsServer(options.log);
    const defs = options.plugins ?? registry;
    const defaultPort = options.defaultPort ?? 53;
    const seen = new Map<string, string>();
    for (const sb of blocks) {
      const block = server.#setupBlock(sb, defs, options, defaultPort);
      const hosts = block.bind.length > 0 ? block.bind : ['::'];
      for (const [zone, port] of block.ports) {
        for (const host of hosts) {
          const where = `${host}|${port}`;
          const dup = seen.get(`${where}|${zone}`);
          if (dup !== undefined) throw new ConfigError(sb.file, sb.line, `cannot serve ${zone} on port ${port} twice (also at ${dup})`);
          seen.set(`${where}|${zone}`, `${sb.file}:${sb.line}`);
          let route = server.#routes.find((r) => r.host === host && r.port === port);
          if (route === undefined) server.#routes.push((route = new Route(host, port)));
          route.zones.set(zone, block);
        }
      }
    }
    return server;
  }

  #setupBlock(sb: ServerBlock, defs: ReadonlyMap<string, PluginDefinition<unknown>>, options: ServerOptions, defaultPort: number): Block {
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
      steps.push({ def, d });
    }
    steps.sort((a, b) => orderOf(a.def.name) - orderOf(b.def.name));
    let bind: readonly string[] = [];
    const log = options.log;
    const ctx: SetupContext = {
      zones,
      get bindAddresses() { return bind; },
      manifests: options.manifests,
      log,
      onStartup: (fn) => { this.#startup.push(fn); },
      onShutdown: (fn) => { this.#shutdown.push(fn); },
      lookup: (req, name, type) => this.lookup(req, name, type),
      setBindAddresses: (a) => { bind = a; },
    };
    const factories: PluginFactory[] = [];
    for (const { def, d } of steps) {
      const opts = def.parse(d, zones);
      const f = def.setup(opts, ctx);
      if (f !== null) factories.push(f);
    }
    let chain: Handler | null = null;
    if (factories.length > 0) {
      let next: Handler = endOfChain;
      for (let i = factories.length - 1; i >= 0; i--) next = factories[i]!(next);
      chain = next;
    }
    return { zones, chain, bind, ports };
  }

  /** Runs the plugins' startup hooks, then opens a UDP and a TCP listener per address:port. */
  async start(): Promise<void> {
    for (const fn of this.#startup) await fn();
    try {
      for (const route of this.#routes) {
        const onQuery = (q: Uint8Array, client: Address, t: Transport) => this.handle(route, q, client, t);
        this.#listeners.push(await listenUdp(route.host, route.port, onQuery, this.#log));
        this.#listeners.push(await listenTcp(route.host, route.port, onQuery, this.#log));
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    const listeners = this.#listeners.splice(0);
    await Promise.all(listeners.map((l) => l.close()));
    for (const fn of this.#shutdown.splice(0)) {
      try { await fn(); } catch (err) { this.#log.error(`shutdown: ${(err as Error).message}`); }
    }
  }

  /** The addresses actually bound (port 0 in the Corefile picks a free port), for tests and logs. */
  addresses(): Array<{ transport: Transport; address: string; port: number }> {
    return this.#listeners.map((l) => ({ transport: l.transport, address: l.address, port: l.port }));
  }

  /**
   * Answers one query's bytes: a reply's bytes, or null to stay silent. Synchronous on the hot path
   * (header rejects and answer-cache hits); a promise only when the chain has to run.
   */
  handle(route: Route, query: Uint8Array, client: Address, transport: Transport): Uint8Array | null | Promise<Uint8Array | null> {
    const verdict = inspectQuery(query);
    if (verdict.action === 'ignore') return null;
    if (verdict.action === 'formerr') return errorReply(query, Rcode.FORMERR);
    if (verdict.action === 'notimp') return errorReply(query, Rcode.NOTIMP);
    const key = AnswerCache.key(query, transport);
    const hit = route.cache.get(key, query);
    if (hit !== null) return hit;
    let msg: Message;
    try {
      msg = decodeMessage(query);
    } catch (err) {
      if (err instanceof WireError) return errorReply(query, Rcode.FORMERR);
      throw err;
    }
    return this.#serve(route, msg, client, transport, key);
  }

  async #serve(route: Route, msg: Message, client: Address, transport: Transport, key: string): Promise<Uint8Array | null> {
    const req = new Request(msg, client, transport);
    if (req.qclass !== RRClass.IN) return this.#encode(req, reply(req, { rcode: Rcode.REFUSED }));
    if (msg.edns !== null && msg.edns.version !== 0) {
      // RFC 6891 §6.1.3: unknown EDNS version → BADVERS, with an OPT of version 0 (CoreDNS edns.Version).
      const m: Message = { ...reply(req, { rcode: Rcode.BADVERS }), edns: { udpSize: 0, version: 0, do: false, extendedRcode: 0, options: [] } };
      return encodeMessage(m);
    }
    const block = this.#route(route, req);
    if (block === null || block.chain === null) return this.#encode(req, reply(req, { rcode: Rcode.REFUSED }));
    const w = new Recorder();
    try {
      await block.chain.serveDNS(req, w);
    } catch (err) {
      if (w.written === null) return this.#encode(req, this.#failure(req, err));
      this.#logError(req, err);
    }
    if (w.written === null) return this.#encode(req, reply(req, { rcode: Rcode.SERVFAIL }));
    const bytes = this.#encode(req, w.written);
    if (w.cacheSource !== null && (msg.edns === null || msg.edns.options.length === 0) && msg.additionals.length === 0) {
      route.cache.set(key, bytes, w.cacheSource, w.cacheRevision);
    }
    return bytes;
  }

  /** Longest matching zone; DS goes to the parent-most match (CoreDNS server.go); "." last. */
  #route(route: Route, req: Request): Block | null {
    const q = req.lname;
    let ds: Block | null = null;
    let off = 0;
    while (off < q.length && q !== '.') {
      const b = route.zones.get(off === 0 ? q : q.slice(off));
      if (b !== undefined) {
        if (req.qtype !== RRType.DS) return b;
        ds = b;
      }
      const dot = nextLabel(q, off);
      if (dot < 0) break;
      off = dot;
    }
    return ds ?? route.zones.get('.') ?? null;
  }

  /** Asks the server a question on behalf of a plugin (CoreDNS's upstream lookup through its own chain). */
  async lookup(parent: Request, name: string, type: number): Promise<Message | null> {
    if (parent.depth >= MAX_LOOKUP_DEPTH) return null;
    const req = parent.withQuestion(name, type);
    for (const route of this.#routes) {
      const block = this.#route(route, req);
      if (block === null || block.chain === null) continue;
      const w = new Recorder();
      try {
        await block.chain.serveDNS(req, w);
      } catch (err) {
        if (w.written === null) { this.#logError(req, err); return null; }
      }
      return w.written;
    }
    return null;
  }

  #failure(req: Request, err: unknown): Message {
    this.#logError(req, err);
    const rcode = err instanceof DnsError ? err.rcode : Rcode.SERVFAIL;
    return reply(req, { rcode });
  }

  #logError(req: Request, err: unknown): void {
    const what = err instanceof Error ? err.message : String(err);
    this.#log.error(`plugin/errors: ${req.msg.id} ${req.qname} ${req.qtype}: ${what}`);
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

/** The offset just past the next unescaped dot of a lower-cased presentation name, or -1 at the end. */
function nextLabel(name: string, off: number): number {
  for (let i = off; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 92 /* \ */) { i++; continue; }
    if (c === 46 /* . */) return i + 1 < name.length ? i + 1 : -1;
  }
  return -1;
}

