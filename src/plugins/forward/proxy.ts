/**
 * Proxy: one upstream of a forward plugin (CoreDNS plugin/pkg/proxy): its pooled DnsClient, its
 * count of consecutive failed health checks, and the health-check loop. Health checking is
 * in-band: it starts only after an exchange with the upstream failed, then sends `<domain> IN NS`
 * (RD unless no_rec) every interval until a check gets any reply at all (SERVFAIL and REFUSED
 * count as healthy), which resets the count. The upstream is down while the count is above
 * max_fails.
 */
import { encodeMessage } from '../../dns/message.ts';
import { RRClass, RRType } from '../../dns/types.ts';
import { DnsClient } from '../../transport/client.ts';
import type { Proto } from '../../transport/client.ts';
import { connCacheHits, connCacheMisses, healthcheckFailures, rcodeLabel, requestDuration } from './metrics.ts';
import type { UpstreamAddress } from './setup.ts';

const PROXY_NAME = 'forward';
/** CoreDNS's health-check client timeouts (plugin/pkg/proxy/health.go): 1 s. */
const HEALTH_CHECK_TIMEOUT_MS = 1_000;
/** Lower bound between checks, so that `health_check 0` cannot spin. */
const MIN_INTERVAL_MS = 10;

export interface ProxyOptions {
  readonly expireMs: number;
  readonly maxIdleConns: number;
  readonly healthCheckMs: number;
  readonly healthCheckProto: Proto;
  readonly healthCheckRecursion: boolean;
  readonly healthCheckDomain: string;
  /** Timeout of one health check (at most CoreDNS's 1 s; never above the exchange timeout). */
  readonly healthCheckTimeoutMs?: number;
}

type Observer = { observe(value: number): void };

export class Proxy {
  readonly address: string;
  readonly client: DnsClient;
  #fails = 0;
  #probing = false;
  #stopped = false;
  #timer: NodeJS.Timeout | null = null;
  readonly #hcQuery: Uint8Array;
  readonly #hcProto: Proto;
  readonly #hcTimeoutMs: number;
  readonly #intervalMs: number;
  readonly #durations = new Map<number, Observer>();
  readonly #hcFailures: { inc(): void };

  constructor(up: UpstreamAddress, o: ProxyOptions) {
    this.address = up.address;
    const hits = { udp: connCacheHits.labels(PROXY_NAME, up.address, 'udp'), tcp: connCacheHits.labels(PROXY_NAME, up.address, 'tcp') };
    const misses = { udp: connCacheMisses.labels(PROXY_NAME, up.address, 'udp'), tcp: connCacheMisses.labels(PROXY_NAME, up.address, 'tcp') };
    this.client = new DnsClient(up.host, up.port, {
      expireMs: o.expireMs,
      maxIdleConns: o.maxIdleConns,
      onConn: (proto, reused) => (reused ? hits : misses)[proto].inc(),
    });
    this.#hcFailures = healthcheckFailures.labels(PROXY_NAME, up.address);
    this.#hcProto = o.healthCheckProto;
    this.#hcTimeoutMs = o.healthCheckTimeoutMs ?? HEALTH_CHECK_TIMEOUT_MS;
    this.#intervalMs = Math.max(MIN_INTERVAL_MS, o.healthCheckMs);
    this.#hcQuery = encodeMessage({
      id: 0, qr: false, opcode: 0, aa: false, tc: false, rd: o.healthCheckRecursion, ra: false, z: false, ad: false, cd: false,
      rcode: 0, questions: [{ name: o.healthCheckDomain, type: RRType.NS, class: RRClass.IN }],
      answers: [], authorities: [], additionals: [], edns: null,
    });
  }

  /** Consecutive failed health checks. */
  get fails(): number { return this.#fails; }

  /** Whether a health check is under way (or waiting for its next round). */
  get probing(): boolean { return this.#probing; }

  /** Down: more than `maxFails` failed health checks in a row (never, with maxFails 0). */
  down(maxFails: number): boolean {
    return maxFails !== 0 && this.#fails > maxFails;
  }

  /** Records one exchange's duration (seconds) under the reply's rcode. */
  observe(rcode: number, seconds: number): void {
    let o = this.#durations.get(rcode);
    if (o === undefined) {
      o = requestDuration.labels(PROXY_NAME, this.address, rcodeLabel(rcode));
      this.#durations.set(rcode, o);
    }
    o.observe(seconds);
  }

  /** Starts the health-check loop unless it runs already (CoreDNS up.Probe.Do). */
  healthcheck(): void {
    if (this.#probing || this.#stopped) return;
    this.#probing = true;
    this.#round();
  }

  #round(): void {
    void this.#check().then((healthy) => {
      if (healthy || this.#stopped) {
        this.#probing = false;
        return;
      }
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#round();
      }, this.#intervalMs);
      this.#timer.unref();
    });
  }

  /** One check: any reply is healthy (resets the fail count); no reply counts a failure. */
  async #check(): Promise<boolean> {
    try {
      await this.client.exchange(this.#hcQuery, this.#hcProto, this.#hcTimeoutMs);
      this.#fails = 0;
      return true;
    } catch {
      if (this.#stopped) return false;
      this.#hcFailures.inc();
      this.#fails++;
      return false;
    }
  }

  /** Stops health checking and closes every socket. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.client.close();
  }
}
