/**
 * Forwarding-loop detection (CoreDNS plugin/loop/loop.go and setup.go). Once the server listens,
 * a probe sends `HINFO <random>.<random>.<zone>` to the server itself (the block's first listen
 * address, 127.0.0.1 when bound to all addresses): up to 30 s, each try waiting 2 s for a reply,
 * 1 s apart, the count reset after a failed try. The handler counts HINFO queries for exactly that
 * name; seeing it more than twice means the query came back through an upstream that is this
 * server, and the process is stopped through ctx.fatal with CoreDNS's message. Once the probe has
 * been answered (or the 30 s are over) the plugin is disabled: every query passes straight on.
 *
 * podns differs in one point: the query that trips the detection is answered SERVFAIL instead of
 * being passed on once more (CoreDNS exits right there; here the process stops a moment later,
 * and tests keep running, so the loop is cut at once).
 */
import { randomBytes } from 'node:crypto';
import type { Handler, SetupContext } from '../../core/handler.ts';
import { nextOrFailure } from '../../core/handler.ts';
import type { Request } from '../../core/request.ts';
import { reply } from '../../core/request.ts';
import type { ResponseWriter } from '../../core/writer.ts';
import { encodeMessage } from '../../dns/message.ts';
import { isSubdomain } from '../../dns/name.ts';
import { RRClass, RRType, Rcode } from '../../dns/types.ts';
import { joinHostPort } from '../../transport/client.ts';
import { udpExchange } from '../../transport/probe.ts';

/** How long the probe keeps trying to reach the server (CoreDNS: 30 s). */
export const PROBE_DEADLINE_MS = 30_000;
/** How long one try waits for the reply (miekg/dns Exchange's 2 s read timeout). */
export const PROBE_TIMEOUT_MS = 2_000;
/** The pause after a failed try (CoreDNS: 1 s). */
export const PROBE_RETRY_MS = 1_000;

export interface LoopClock {
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export type Exchange = (host: string, port: number, query: Uint8Array, timeoutMs: number, signal: AbortSignal) => Promise<Uint8Array>;

export interface LoopDeps {
  readonly clock?: LoopClock;
  readonly exchange?: Exchange;
  /** Two random labels; default: Go-style non-negative 63-bit integers. */
  readonly labels?: () => readonly [string, string];
}

export const realClock: LoopClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => new Promise<void>((resolve) => {
    if (signal.aborted) { resolve(); return; }
    const done = (): void => { clearTimeout(timer); signal.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  }),
};

/** A non-negative 63-bit integer in decimal, like Go's rand.Int() printed with strconv.Itoa. */
function int63(): string {
  return (randomBytes(8).readBigUInt64BE() & 0x7fffffffffffffffn).toString();
}

/** The probe name: `<l1>.<l2>.<zone>` (CoreDNS dnsutil.Join). */
export function probeName(l1: string, l2: string, zone: string): string {
  return zone === '.' ? `${l1}.${l2}.` : `${l1}.${l2}.${zone}`;
}

/** Go's %q for the plain ASCII strings used here. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}


/** Where the probe goes for a listen host: the host itself, or 127.0.0.1 for a wildcard. */
function probeTarget(host: string): string {
  return host === '' || host === '::' || host === '0.0.0.0' ? '127.0.0.1' : host;
}

export class Loop {
  /** The block's first zone (lower case, absolute). */
  readonly zone: string;
  /** The probe name (lower case). */
  readonly qname: string;
  readonly #ctx: SetupContext;
  readonly #clock: LoopClock;
  readonly #exchange: Exchange;
  readonly #abort = new AbortController();
  #count = 0;
  #disabled = false;
  #stopped = false;
  #detected = false;
  /** The address the probe was sent to, as CoreDNS prints it (`:53` when not bound). */
  #address = '';
  #running: Promise<void> | null = null;

  constructor(zone: string, ctx: SetupContext, deps: LoopDeps = {}) {
    this.zone = zone;
    const [l1, l2] = deps.labels?.() ?? [int63(), int63()];
    this.qname = probeName(l1, l2, zone);
    this.#ctx = ctx;
    this.#clock = deps.clock ?? realClock;
    this.#exchange = deps.exchange ?? udpExchange;
  }

  /** Whether queries pass straight through (probe answered, given up, or stopped). */
  get disabled(): boolean { return this.#disabled; }
  /** How many times the probe name was seen since the last reset. */
  get seen(): number { return this.#count; }

  /** Starts the probe (ctx.onListening); resolves when it has finished. */
  start(): Promise<void> {
    if (this.#running === null) this.#running = this.#stopped ? Promise.resolve() : this.#probe();
    return this.#running;
  }

  /** Stops the probe and disables the plugin (ctx.onShutdown); nothing is left running. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#disabled = true;
    this.#abort.abort();
    await this.#running;
  }

  async #probe(): Promise<void> {
    const listen = this.#ctx.listenAddresses()[0];
    if (listen === undefined) { this.#disabled = true; return; }
    this.#address = this.#listenText();
    const target = probeTarget(listen.host);
    const signal = this.#abort.signal;
    const deadline = this.#clock.now() + PROBE_DEADLINE_MS;
    while (!this.#stopped && !this.#detected && this.#clock.now() < deadline) {
      try {
        await this.#exchange(target, listen.port, this.#query(), PROBE_TIMEOUT_MS, signal);
        break;
      } catch {
        if (this.#stopped || this.#detected || signal.aborted) break;
        this.#count = 0;
        await this.#clock.sleep(PROBE_RETRY_MS, signal);
      }
    }
    this.#disabled = true;
  }

  /** The probed address as CoreDNS prints it: `HOST:PORT` when bound, `:PORT` when listening on all. */
  #listenText(): string {
    const listen = this.#ctx.listenAddresses()[0];
    if (listen === undefined) return '';
    return this.#ctx.bindAddresses.length > 0 ? joinHostPort(listen.host, listen.port) : `:${listen.port}`;
  }

  /** `HINFO <qname>` with a fresh id and RD set (miekg SetQuestion). */
  #query(): Uint8Array {
    return encodeMessage({
      id: randomBytes(2).readUInt16BE(), qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false,
      ad: false, cd: false, rcode: 0, questions: [{ name: this.qname, type: RRType.HINFO, class: RRClass.IN }],
      answers: [], authorities: [], additionals: [], edns: null,
    });
  }

  /** The chain link. */
  handler(next: Handler): Handler {
    const serveDNS = (req: Request, w: ResponseWriter): Promise<void> => {
      if (req.qtype !== RRType.HINFO || this.#disabled) return nextOrFailure('loop', next, req, w);
      if (!isSubdomain(req.lname, this.zone)) return nextOrFailure('loop', next, req, w);
      if (req.lname === this.qname) this.#count++;
      if (this.#count > 2) {
        this.#report(req);
        w.write(reply(req, { rcode: Rcode.SERVFAIL }), 'loop');
        return Promise.resolve();
      }
      return nextOrFailure('loop', next, req, w);
    };
    return { name: 'loop', serveDNS };
  }

  #report(req: Request): void {
    if (this.#detected || this.#stopped) return;
    this.#detected = true;
    this.#disabled = true;
    const c = req.client;
    const remote = joinHostPort(c.address.startsWith('::ffff:') && c.address.includes('.') ? c.address.slice(7) : c.address, c.port);
    this.#ctx.log.plugin('loop').error(
      'this server forwards to itself. When forward reads /etc/resolv.conf, the usual cause is a node ' +
      'resolver on a loopback address (systemd-resolved\'s 127.0.0.53): point the kubelet\'s resolvConf at ' +
      '/run/systemd/resolve/resolv.conf, or forward to real upstream servers.',
    );
    if (this.#address === '') this.#address = this.#listenText();
    this.#ctx.fatal(
      `plugin/loop: Loop (${remote} -> ${this.#address}) detected for zone ${goQuote(this.zone)}, ` +
      `see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO ${this.qname}"`,
    );
  }
}
