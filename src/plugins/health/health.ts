/**
 * The health plugin's self-check (CoreDNS plugin/health/overloaded.go): once a second it GETs its
 * own /health and records how long that took; a slow or failed local request means the process
 * is struggling to keep up. The timer is unref'd and stopped on shutdown; checks never overlap.
 */
import type { ClientRequest } from 'node:http';
import type { Logger } from '../../core/log.ts';
import { goDuration } from '../../corefile/index.ts';
import { request } from '../../transport/http.ts';
import { healthDuration, healthFailures } from './metrics.ts';
import { joinHostPort } from '../../transport/client.ts';

/** CoreDNS's client timeout for the self-check. */
export const CHECK_TIMEOUT_MS = 3000;
/** A local request slower than this is worth a warning (CoreDNS: "1s is pretty random"). */
export const SLOW_MS = 1000;

export interface CheckTarget {
  /** Where to send the request. */
  readonly url: string;
  /** The URL as CoreDNS prints it: `http://` + the configured address + `/health`. */
  readonly display: string;
}

/** The loopback URL to reach a listener bound to `host` (wildcards become loopback). */
export function loopbackUrl(host: string, port: number, path: string): string {
  const h = host === '' || host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${joinHostPort(h, port)}${path}`;
}

export class SelfCheck {
  readonly #target: () => CheckTarget | null;
  readonly #log: Logger;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | null = null;
  #inflight: ClientRequest | null = null;
  #stopped = false;

  constructor(target: () => CheckTarget | null, log: Logger, intervalMs: number) {
    this.#target = target;
    this.#log = log;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    if (this.#timer !== null || this.#stopped) return;
    this.#timer = setInterval(() => { void this.check(); }, this.#intervalMs).unref();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#inflight?.destroy();
    this.#inflight = null;
  }

  /** One check; resolves when it is recorded. Skipped while another is in flight. */
  async check(): Promise<void> {
    if (this.#inflight !== null || this.#stopped) return;
    const target = this.#target();
    if (target === null) return;
    const start = process.hrtime.bigint();
    const elapsedNs = (): number => Number(process.hrtime.bigint() - start);
    try {
      await this.#get(target.url);
    } catch (err) {
      this.#inflight = null;
      if (this.#stopped) return; // cancelled by shutdown, as CoreDNS's context cancellation
      healthDuration.observe(elapsedNs() / 1e9);
      healthFailures.inc();
      this.#log.warn(`Local health request to ${JSON.stringify(target.display)} failed: ${(err as Error).message}`);
      return;
    }
    this.#inflight = null;
    const ns = elapsedNs();
    healthDuration.observe(ns / 1e9);
    if (ns > SLOW_MS * 1e6) {
      this.#log.warn(`Local health request to ${JSON.stringify(target.display)} took more than 1s: ${goDuration(ns)}`);
    }
  }

  #get(url: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request(url, { agent: false, timeout: CHECK_TIMEOUT_MS }, (res) => {
        res.resume();
        res.once('end', () => resolve());
        res.once('error', reject);
      });
      this.#inflight = req;
      req.once('timeout', () => req.destroy(new Error('Client.Timeout exceeded while awaiting headers')));
      req.once('error', reject);
      req.end();
    });
  }
}
