/**
 * The /ready answer (CoreDNS plugin/ready/ready.go and list.go): 200 "OK" when every plugin that
 * reports readiness is ready; else 503 with the not-ready plugin names, sorted and comma-joined,
 * logged as `Plugins not ready: "a,b"`; 503 "Shutting down" once shutdown has begun (lameduck).
 *
 * With `monitor until-ready` (the default) a plugin seen ready stays ready: CoreDNS drops it from
 * its list at the first request that finds it ready. podns only sees the names that are not ready,
 * so it latches each plugin it has reported and later found ready, and everything once a request
 * finds all ready. `monitor continuously` asks the plugins at every request.
 */
import type { HttpResponse } from '../../core/handler.ts';
import type { Logger } from '../../core/log.ts';

export type Monitor = 'until-ready' | 'continuously';

export interface ReadySource {
  /** Names of the plugins not ready now, sorted. */
  notReady(): string[];
  shuttingDown(): boolean;
}

export class Readiness {
  readonly #source: ReadySource;
  readonly #monitor: Monitor;
  readonly #log: Logger;
  /** until-ready: every plugin has been ready at one request. */
  #allReady = false;
  /** until-ready: reported not ready, not yet seen ready. */
  readonly #waiting = new Set<string>();
  /** until-ready: seen ready after having been reported. */
  readonly #latched = new Set<string>();

  constructor(source: ReadySource, monitor: Monitor, log: Logger) {
    this.#source = source;
    this.#monitor = monitor;
    this.#log = log;
  }

  /** The plugins to report as not ready now. */
  pending(): string[] {
    const now = this.#source.notReady();
    if (this.#monitor === 'continuously') return now;
    if (this.#allReady) return [];
    for (const name of this.#waiting) {
      if (!now.includes(name)) { this.#waiting.delete(name); this.#latched.add(name); }
    }
    const out = now.filter((n) => !this.#latched.has(n));
    for (const n of out) this.#waiting.add(n);
    if (out.length === 0) this.#allReady = true;
    return out;
  }

  answer(): HttpResponse {
    if (this.#source.shuttingDown()) return { status: 503, body: 'Shutting down' };
    const pending = this.pending();
    if (pending.length === 0) return { status: 200, body: 'OK' };
    const list = pending.join(',');
    this.#log.info(`Plugins not ready: ${JSON.stringify(list)}`);
    return { status: 503, body: list };
  }
}
