/**
 * `podns serve --workers N`: N processes sharing nothing but the port.
 *
 * The process started by the user is the *primary*. It loads no plugin and holds no cluster
 * state; it forks N *workers*, each the same `podns serve` command line (same Corefile, same
 * manifests or API server) with PODNS_WORKER=<1…N> in its environment. A worker builds its own
 * DnsServer, reads and watches the cluster itself, and binds its DNS UDP and TCP sockets with
 * SO_REUSEPORT, so every worker has its own socket on the same address and port and the kernel
 * spreads clients over them (by source address and port). Nothing per query crosses processes.
 *
 * HTTP (health, ready, prometheus) must describe the whole server, so workers do not bind it:
 * a worker asks the primary to serve each address its Corefile names, and the primary forwards
 * every request to the workers over IPC and merges their answers (worker.ts is the other end):
 *
 *   /metrics   the workers' values combined series by series, as each metric declares
 *              (core/prom.ts `aggregate`): counters and histograms summed, gauges such as
 *              build_info or plugin_enabled taking the largest value, process memory summed;
 *              plus the primary's own process metrics and podns_worker_* (up, restarts, the
 *              queries each worker answered). A worker that died keeps counting: its counters
 *              as last scraped are added in, so the sums never go down.
 *   /ready     200 only when all N workers run and each says 200; else the first 503.
 *   /health    (and any other path) 200 when every running worker answers 200.
 *
 * The primary restarts a worker that exits or is killed, after 0.1 s doubling to 10 s while it
 * keeps dying within 10 s of starting. SIGTERM and SIGINT are passed to the workers (each runs
 * its lameduck and stops), and the primary exits once they all have; SIGUSR1 (reload) is passed
 * on, and each worker's *reload* plugin watches the Corefile itself. A worker's ctx.fatal (loop
 * detected) stops the whole server with status 1, as it stops a single process. Workers stop when
 * the primary's IPC channel closes, so none outlives it.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { HttpResponse } from '../core/handler.ts';
import type { Logger } from '../core/log.ts';
import { Registry, formatMetrics } from '../core/prom.ts';
import type { Aggregate, MetricData, Sample } from '../core/prom.ts';
import { registerProcessMetrics } from '../core/process-metrics.ts';
import { listenHttp } from '../transport/http.ts';
import type { HttpListener } from '../transport/http.ts';
import type { AnswerKind, FromWorker, ToWorker } from './worker.ts';
import { joinHostPort } from '../transport/client.ts';

/** Set in a worker's environment by the primary: the worker's number, 1…N. */
export const WORKER_ENV = 'PODNS_WORKER';

/** This process's worker number when a primary started it (the variable and an IPC channel), else null. */
export function workerNumber(): number | null {
  const n = Number(process.env[WORKER_ENV]);
  return Number.isInteger(n) && n > 0 && process.send !== undefined ? n : null;
}

export interface PrimaryOptions {
  readonly workers: number;
  /** The script and arguments a worker runs (this process's own: process.argv.slice(1)). */
  readonly argv: readonly string[];
  readonly log: Logger;
  /** Logged once every worker listens (`podns-<version>`), as a single process logs it. */
  readonly banner: string;
  /** Logged after the banner: platform, Node and the UDP path (CoreDNS's second line). */
  readonly platform?: string;
}

/** How long the primary waits for a worker's answer to an HTTP request. */
export const ANSWER_TIMEOUT_MS = 3000;
const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 10_000;
/** A worker that ran this long resets the back-off. */
const HEALTHY_AFTER_MS = 10_000;

/** One of the N places a worker runs in; it keeps its number across restarts. */
interface Slot {
  readonly n: number;
  child: ChildProcess | null;
  /** Started and listening. */
  up: boolean;
  startedAt: number;
  /** Restarts in a row of a worker that did not stay up HEALTHY_AFTER_MS. */
  failures: number;
  restarts: number;
  timer: NodeJS.Timeout | null;
  /** The worker's metrics at the last scrape. */
  last: MetricData[] | null;
  fatal: string | null;
}

/** An HTTP address served for the workers: its listener and the workers that asked for it. */
interface Served {
  readonly listener: Promise<HttpListener>;
  readonly holders: Set<Slot>;
}

interface Answer { readonly kind: AnswerKind; readonly response: HttpResponse; readonly metrics?: MetricData[]; readonly from: ChildProcess }

export async function runPrimary(options: PrimaryOptions): Promise<number> {
  return new Primary(options).run();
}

class Primary {
  readonly #o: PrimaryOptions;
  readonly #log: Logger;
  readonly #slots: Slot[];
  readonly #http = new Map<string, Served>();
  readonly #pending = new Map<number, { slot: Slot; resolve: (a: Answer | null) => void }>();
  #nextId = 1;
  /** The primary's own metrics: its process, and the workers' states. */
  readonly #own = new Registry();
  /** Counters and histograms of workers that exited, as last scraped. */
  #retired: MetricData[] = [];
  #stopping = false;
  #exitCode = 0;
  /** Resolves when stopping and every worker has exited. */
  #allExited: () => void = () => {};
  /** Settles the start: every worker up, or one failed first. */
  #startWaiter: { check(): void } | null = null;

  constructor(options: PrimaryOptions) {
    this.#o = options;
    this.#log = options.log;
    this.#slots = Array.from({ length: options.workers }, (_, i) => ({
      n: i + 1, child: null, up: false, startedAt: 0, failures: 0, restarts: 0, timer: null, last: null, fatal: null,
    }));
    registerProcessMetrics(this.#own);
  }

  async run(): Promise<number> {
    const exited = new Promise<void>((resolve) => { this.#allExited = resolve; });
    const onTerm = (): void => this.#stop('SIGTERM');
    const onInt = (): void => this.#stop('SIGINT');
    const onUsr1 = (): void => { for (const s of this.#slots) if (s.up) s.child?.kill('SIGUSR1'); };
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    process.on('SIGUSR1', onUsr1);
    try {
      // The first worker alone, so that a broken Corefile or a port in use is reported once.
      if (await this.#startAll([this.#slots[0]!]) && await this.#startAll(this.#slots.slice(1))) this.#started();
      await exited;
    } finally {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      process.off('SIGUSR1', onUsr1);
      for (const served of this.#http.values()) await (await served.listener.catch(() => null))?.close();
      this.#http.clear();
    }
    return this.#exitCode;
  }

  /** Starts these slots and waits until all are up (true) or one exited first, which stops everything (false). */
  #startAll(slots: readonly Slot[]): Promise<boolean> {
    return new Promise((resolve) => {
      this.#startWaiter = {
        check: () => {
          if (this.#stopping) { this.#startWaiter = null; resolve(false); return; }
          if (slots.every((s) => s.up)) { this.#startWaiter = null; resolve(true); }
        },
      };
      for (const s of slots) this.#fork(s);
      this.#startWaiter.check();
    });
  }

  #started(): void {
    const first = this.#slots[0]!;
    const addresses = this.#listening.get(first) ?? [];
    for (const a of addresses) this.#log.info(`listening on ${a.transport}://${joinHostPort(a.address, a.port)}`);
    this.#log.info(`${this.#o.banner} (${this.#slots.length} workers)`);
    if (this.#o.platform !== undefined) this.#log.info(this.#o.platform);
  }

  /** The DNS addresses each worker reported. */
  readonly #listening = new Map<Slot, ReadonlyArray<{ transport: string; address: string; port: number }>>();

  #fork(slot: Slot): void {
    slot.timer = null;
    slot.up = false;
    slot.fatal = null;
    slot.last = null;
    slot.startedAt = Date.now();
    const [script, ...args] = this.#o.argv;
    const child = fork(script!, args, {
      execArgv: process.execArgv,
      env: { ...process.env, [WORKER_ENV]: String(slot.n) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // Structured clone: metric values may be NaN or ±Inf, which JSON cannot carry.
      serialization: 'advanced',
    });
    slot.child = child;
    child.on('message', (m: FromWorker) => this.#receive(slot, child, m));
    child.once('error', (err) => this.#log.error(`worker ${slot.n}: ${err.message}`));
    child.once('exit', (code, signal) => this.#exited(slot, child, code, signal));
  }

  #receive(slot: Slot, child: ChildProcess, m: FromWorker): void {
    if (slot.child !== child) return;
    switch (m.type) {
      case 'listening': {
        const first = [...this.#listening.entries()].find(([s]) => s !== slot)?.[1];
        const key = (a: ReadonlyArray<{ transport: string; address: string; port: number }>): string => a.map((x) => `${x.transport}://${x.address}:${x.port}`).sort().join(' ');
        if (first !== undefined && key(first) !== key(m.addresses)) {
          this.#log.error(`worker ${slot.n} listens on ${key(m.addresses)}, not on ${key(first)} as the others: with --workers every DNS port must be fixed (port 0 gives each worker its own)`);
          this.#exitCode = 1;
          this.#stop(null);
          return;
        }
        this.#listening.set(slot, m.addresses);
        slot.up = true;
        this.#log.info(`worker ${slot.n} (pid ${child.pid}) started`);
        this.#startWaiter?.check();
        return;
      }
      case 'http-open': void this.#open(slot, child, m.id, m.address); return;
      case 'http-close': this.#release(slot, m.address); return;
      case 'response': {
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        p?.resolve({ kind: m.kind, response: m.response, from: child, ...(m.metrics !== undefined ? { metrics: m.metrics } : {}) });
        return;
      }
      case 'fatal': slot.fatal = m.message; return;
    }
  }

  #exited(slot: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (slot.child !== child) return;
    const wasUp = slot.up;
    slot.child = null;
    slot.up = false;
    this.#listening.delete(slot);
    for (const address of [...this.#http.keys()]) this.#release(slot, address);
    for (const [id, p] of this.#pending) if (p.slot === slot) { this.#pending.delete(id); p.resolve(null); }
    if (slot.last !== null) {
      this.#retired = merge([this.#retired, slot.last.filter((f) => f.type !== 'gauge')]);
      slot.last = null;
    }
    const how = signal !== null ? `signal ${signal}` : `status ${code}`;
    if (this.#stopping) {
      if (this.#slots.every((s) => s.child === null)) this.#allExited();
      return;
    }
    if (slot.fatal !== null) {
      this.#log.error(`worker ${slot.n} (pid ${child.pid}) stopped: ${slot.fatal}; stopping every worker`);
      this.#exitCode = 1;
      this.#stop(null);
      return;
    }
    if (this.#startWaiter !== null && !wasUp) {
      // Not up yet during the start: the same error would stop a single process; it stops this one.
      this.#log.error(`worker ${slot.n} (pid ${child.pid}) exited (${how}) before listening`);
      this.#exitCode = code !== null && code !== 0 ? code : 1;
      this.#stop(null);
      return;
    }
    if (Date.now() - slot.startedAt >= HEALTHY_AFTER_MS) slot.failures = 0;
    const delay = Math.min(BACKOFF_FIRST_MS * 2 ** slot.failures, BACKOFF_MAX_MS);
    slot.failures++;
    slot.restarts++;
    this.#log.warn(`worker ${slot.n} (pid ${child.pid}) exited (${how}); restarting it in ${delay} ms`);
    slot.timer = setTimeout(() => this.#fork(slot), delay);
  }

  /** Stops every worker (SIGTERM: each runs its lameduck); run() returns once all have exited. */
  #stop(signal: string | null): void {
    if (signal !== null) this.#log.info(`${signal}: shutting down`);
    if (this.#stopping) return;
    this.#stopping = true;
    for (const s of this.#slots) {
      if (s.timer !== null) { clearTimeout(s.timer); s.timer = null; }
      s.child?.kill('SIGTERM');
    }
    this.#startWaiter?.check();
    if (this.#slots.every((s) => s.child === null)) this.#allExited();
  }

  /** A worker asks for an HTTP address: the first one opens it, the others share it. */
  async #open(slot: Slot, child: ChildProcess, id: number, address: string): Promise<void> {
    let served = this.#http.get(address);
    if (served === undefined) {
      const listener = listenHttp(address, () => ({ get: (path: string) => () => this.#request(address, path) }), this.#log);
      this.#http.set(address, (served = { listener, holders: new Set() }));
      listener.catch(() => { if (this.#http.get(address) === served) this.#http.delete(address); });
    }
    served.holders.add(slot);
    let reply: ToWorker;
    try {
      const l = await served.listener;
      reply = { type: 'http-opened', id, host: l.host, port: l.port };
    } catch (err) {
      served.holders.delete(slot);
      const code = (err as { code?: unknown }).code;
      reply = { type: 'http-failed', id, message: (err as Error).message, ...(typeof code === 'string' ? { code } : {}) };
    }
    if (slot.child === child && child.connected) child.send(reply);
  }

  /** The worker no longer serves `address`; the last one out closes it. */
  #release(slot: Slot, address: string): void {
    const served = this.#http.get(address);
    if (served === undefined || !served.holders.delete(slot) || served.holders.size > 0) return;
    this.#http.delete(address);
    void served.listener.then((l) => l.close(), () => {});
  }

  /** One HTTP request: asked of every worker serving the address, the answers merged. */
  async #request(address: string, path: string): Promise<HttpResponse> {
    const served = this.#http.get(address);
    const asked = this.#slots.filter((s) => s.up && served?.holders.has(s));
    const answers = await Promise.all(asked.map((s) => this.#ask(s, address, path)));
    const kind = answers.find((a) => a !== null)?.kind ?? 'other';
    if (kind === 'metrics') return this.#metrics(asked, answers);
    const failed = answers.findIndex((a) => a === null || a.response.status !== 200);
    if (failed >= 0) {
      const a = answers[failed];
      return a === null || a === undefined ? { status: 503, body: `worker ${asked[failed]!.n} did not answer\n` } : a.response;
    }
    if (kind === 'ready') {
      const missing = this.#slots.find((s) => !asked.includes(s));
      if (missing !== undefined) return { status: 503, body: `worker ${missing.n} is not running` };
    }
    return answers[0]?.response ?? { status: 503, body: 'no worker is running\n' };
  }

  #ask(slot: Slot, address: string, path: string): Promise<Answer | null> {
    const child = slot.child;
    if (child === null || !child.connected) return Promise.resolve(null);
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.#pending.delete(id); resolve(null); }, ANSWER_TIMEOUT_MS);
      this.#pending.set(id, { slot, resolve: (a) => { clearTimeout(timer); resolve(a); } });
      child.send({ type: 'request', id, address, path } satisfies ToWorker);
    });
  }

  /** The merged exposition: every worker's families (the last ones of a worker that did not answer), the retired counters, the primary's own. */
  async #metrics(asked: readonly Slot[], answers: ReadonlyArray<Answer | null>): Promise<HttpResponse> {
    asked.forEach((s, i) => {
      const a = answers[i];
      // Not from a worker that exited meanwhile (its last values are retired already).
      if (a?.metrics !== undefined && a.from === s.child) s.last = a.metrics;
    });
    const workers = this.#slots.filter((s) => s.last !== null && s.child !== null).map((s) => s.last!);
    const own = [...await this.#own.collect(), ...this.#workerFamilies()];
    return { status: 200, body: formatMetrics(merge([...workers, this.#retired, own])), contentType: this.#own.contentType };
  }

  /** podns_worker_up, podns_worker_restarts_total and podns_worker_requests_total, by worker number. */
  #workerFamilies(): MetricData[] {
    const by = (value: (s: Slot) => number): Sample[] => this.#slots.map((s) => ({ labels: { worker: String(s.n) }, value: value(s) }));
    const requests = (s: Slot): number => {
      const f = s.child === null ? undefined : s.last?.find((m) => m.name === 'coredns_dns_requests_total');
      return f === undefined ? 0 : f.values.reduce((sum, v) => sum + v.value, 0);
    };
    return [
      { name: 'podns_worker_up', help: 'Whether the worker runs and listens (1) or not (0), by worker number (--workers).', type: 'gauge', aggregate: 'max', values: by((s) => (s.up ? 1 : 0)) },
      { name: 'podns_worker_restarts_total', help: 'Times the primary restarted the worker after it exited.', type: 'counter', aggregate: 'sum', values: by((s) => s.restarts) },
      { name: 'podns_worker_requests_total', help: 'DNS requests the worker answered since it started (its share of coredns_dns_requests_total).', type: 'counter', aggregate: 'sum', values: by(requests) },
    ];
  }
}

/**
 * Families from several processes as one: series with the same name and labels combined by the
 * family's `aggregate` (a histogram's _bucket, _sum and _count lines are each summed, which sums
 * the histograms). Families and series keep the order they are first seen in.
 */
export function merge(sources: ReadonlyArray<readonly MetricData[]>): MetricData[] {
  const out = new Map<string, { family: MetricData; series: Map<string, Sample> }>();
  for (const families of sources) {
    for (const f of families) {
      let m = out.get(f.name);
      if (m === undefined) out.set(f.name, (m = { family: f, series: new Map() }));
      for (const v of f.values) {
        const key = `${v.metricName ?? ''}\u0000${Object.entries(v.labels).map(([k, l]) => `${k}=${l}`).join('\u0000')}`;
        const prev = m.series.get(key);
        m.series.set(key, prev === undefined ? v : { ...v, value: combine(m.family.aggregate, prev.value, v.value) });
      }
    }
  }
  return [...out.values()].map(({ family, series }) => ({ ...family, values: [...series.values()] }));
}

function combine(how: Aggregate, a: number, b: number): number {
  switch (how) {
    case 'sum': return a + b;
    case 'max': return Math.max(a, b);
    case 'min': return Math.min(a, b);
  }
}
