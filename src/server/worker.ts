/**
 * A worker's side of `podns serve --workers N` (the primary's side, and the design, are in
 * workers.ts). A worker is an ordinary `podns serve` with its own DnsServer, plugins and cluster
 * state; it differs in how it opens listeners (`listeners`, given to DnsServer):
 *
 *   DNS    bound by the worker itself with SO_REUSEPORT, so the N workers each have a socket on
 *          the same address and port and the kernel spreads clients over them;
 *   HTTP   not bound: the worker asks the primary to serve the address (`http-open`) and answers
 *          the primary's `request` messages from its routes, as its own listener would.
 *
 * Everything else goes over the IPC channel too: `listening` once started, `fatal` before
 * exiting on ctx.fatal (loop), and the primary's disconnection means "stop" (the primary died).
 */
import { registry } from '../core/metrics.ts';
import type { HttpHandler, HttpResponse } from '../core/handler.ts';
import type { MetricData } from '../core/prom.ts';
import type { Transport } from '../core/request.ts';
import { METRICS_PATH } from '../plugins/prometheus/index.ts';
import { READY_PATH } from '../plugins/ready/index.ts';
import type { HttpListener, RouteTable } from '../transport/http.ts';
import { listenHttp } from '../transport/http.ts';
import { listenTcp, listenUdp } from '../transport/listen.ts';

/** What an HTTP answer is, for the primary's merge: metrics are summed, /ready needs every worker. */
export type AnswerKind = 'metrics' | 'ready' | 'other';

/** Messages from a worker to the primary. */
export type FromWorker =
  | { readonly type: 'http-open'; readonly id: number; readonly address: string }
  | { readonly type: 'http-close'; readonly address: string }
  | { readonly type: 'listening'; readonly addresses: ReadonlyArray<{ transport: Transport; address: string; port: number }> }
  | { readonly type: 'response'; readonly id: number; readonly kind: AnswerKind; readonly response: HttpResponse; readonly metrics?: MetricData[] }
  | { readonly type: 'fatal'; readonly message: string };

/** Messages from the primary to a worker. */
export type ToWorker =
  | { readonly type: 'http-opened'; readonly id: number; readonly host: string; readonly port: number }
  | { readonly type: 'http-failed'; readonly id: number; readonly message: string; readonly code?: string }
  | { readonly type: 'request'; readonly id: number; readonly address: string; readonly path: string };

const NOT_FOUND: HttpResponse = { status: 404, body: '404 page not found\n' };

export class WorkerLink {
  /** HTTP address (as the server asked for it) → its routes. */
  readonly #routes = new Map<string, () => RouteTable>();
  readonly #opening = new Map<number, { resolve: (l: { host: string; port: number }) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  readonly #onMessage = (m: ToWorker): void => { void this.#receive(m); };

  /** For DnsServer's `listeners` option. */
  readonly listeners = {
    udp: ((host, port, onQuery, log) => listenUdp(host, port, onQuery, log, { reusePort: true })) as typeof listenUdp,
    tcp: ((host, port, onQuery, log) => listenTcp(host, port, onQuery, log, { reusePort: true })) as typeof listenTcp,
    http: ((address, routes) => this.#openHttp(address, routes)) as typeof listenHttp,
  };

  constructor() {
    process.on('message', this.#onMessage);
  }

  /** Tells the primary this worker serves (its DNS sockets are bound). */
  listening(addresses: ReadonlyArray<{ transport: Transport; address: string; port: number }>): void {
    this.#send({ type: 'listening', addresses });
  }

  /** Tells the primary the whole server must stop (ctx.fatal), before this worker exits. */
  fatal(message: string): void {
    this.#send({ type: 'fatal', message });
  }

  #onGone: (() => void) | null = null;

  /** Calls `fn` once if the primary goes away (its end of the channel closed). */
  onPrimaryGone(fn: () => void): void {
    this.#onGone = fn;
    process.once('disconnect', fn);
  }

  /** Lets the process exit: the channel closes. */
  close(): void {
    process.off('message', this.#onMessage);
    if (this.#onGone !== null) process.off('disconnect', this.#onGone);
    if (process.connected) process.disconnect();
  }

  #send(m: FromWorker): void {
    if (process.connected) process.send!(m);
  }

  #openHttp(address: string, routes: () => RouteTable): Promise<HttpListener> {
    const id = this.#nextId++;
    return new Promise<{ host: string; port: number }>((resolve, reject) => {
      this.#opening.set(id, { resolve, reject });
      this.#send({ type: 'http-open', id, address });
    }).then(({ host, port }) => {
      this.#routes.set(address, routes);
      return {
        host, port,
        close: async () => {
          this.#routes.delete(address);
          this.#send({ type: 'http-close', address });
        },
      };
    });
  }

  async #receive(m: ToWorker): Promise<void> {
    switch (m.type) {
      case 'http-opened':
      case 'http-failed': {
        const waiting = this.#opening.get(m.id);
        this.#opening.delete(m.id);
        if (m.type === 'http-opened') waiting?.resolve({ host: m.host, port: m.port });
        else waiting?.reject(Object.assign(new Error(m.message), m.code === undefined ? {} : { code: m.code }));
        return;
      }
      case 'request': {
        const handler = this.#routes.get(m.address)?.().get(m.path);
        this.#send(await answer(m.id, m.path, handler));
        return;
      }
    }
  }
}

/**
 * A request the primary received: the route's answer, as the worker's own listener would give it.
 * /metrics sends the registry's values instead of their text, for the primary to sum.
 */
async function answer(id: number, path: string, handler: HttpHandler | undefined): Promise<FromWorker> {
  if (handler === undefined) return { type: 'response', id, kind: 'other', response: NOT_FOUND };
  try {
    if (path === METRICS_PATH) return { type: 'response', id, kind: 'metrics', response: { status: 200, body: '' }, metrics: await registry.collect() };
    return { type: 'response', id, kind: path === READY_PATH ? 'ready' : 'other', response: await handler() };
  } catch (err) {
    return { type: 'response', id, kind: 'other', response: { status: 500, body: `${(err as Error).message}\n` } };
  }
}
