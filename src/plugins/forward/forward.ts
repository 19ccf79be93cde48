/**
 * The forward handler (CoreDNS plugin/forward/forward.go ServeDNS): sends queries for names
 * under FROM (and not under an `except` zone) to the upstreams and relays their replies as
 * received (rcode, flags, every section; the server applies the client's EDNS and size), under
 * the client's ID. Other names go to the next plugin.
 *
 * One query tries upstreams in the policy's order: a down upstream is skipped; when all are down
 * a random one is tried anyway (or SERVFAIL at once with failfast_all_unhealthy_upstreams); an
 * exchange that fails starts that upstream's health checks and moves on to the next upstream.
 * A query gives up after 5 s in all (CoreDNS defaultTimeout; each exchange gets at most what is
 * left) or after 2 × upstreams failed exchanges (max_connect_attempts), and then fails with the
 * last upstream error (SERVFAIL, logged by the errors plugin).
 *
 * Transport: the client's, unless force_tcp (TCP) or prefer_udp (UDP first, and a truncated UDP
 * reply is asked again over TCP). Without prefer_udp a truncated reply is relayed as is and the
 * client retries over TCP itself, as with CoreDNS. Replies are never cacheable by the server's
 * answer cache: they come from elsewhere and age there.
 */
import type { Handler } from '../../core/handler.ts';
import { nextOrFailure } from '../../core/handler.ts';
import { DnsError } from '../../core/errors.ts';
import { reply } from '../../core/request.ts';
import type { Request } from '../../core/request.ts';
import type { ResponseWriter } from '../../core/writer.ts';
import { decodeMessage, encodeMessage } from '../../dns/message.ts';
import { isSubdomain, lowerName } from '../../dns/name.ts';
import type { Message } from '../../dns/types.ts';
import { Rcode } from '../../dns/types.ts';
import type { Proto } from '../../transport/client.ts';
import { healthcheckBroken, maxConcurrentRejects } from './metrics.ts';
import { policyList } from './policy.ts';
import type { Proxy } from './proxy.ts';
import type { ForwardOptions } from './setup.ts';

/** How long one query may spend on upstreams in all (CoreDNS forward.go defaultTimeout). */
export const DEFAULT_TIMEOUT_MS = 5_000;

export interface ForwardDeps {
  /** For picking a random upstream when all are down (and the random policy). */
  readonly random?: () => number;
  readonly now?: () => number;
}

export class Forward implements Handler {
  readonly name = 'forward';
  readonly #next: Handler;
  readonly #o: ForwardOptions;
  readonly #proxies: readonly Proxy[];
  readonly #list: () => readonly Proxy[];
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #maxAttempts: number;
  #inflight = 0;

  constructor(next: Handler, options: ForwardOptions, proxies: readonly Proxy[], deps: ForwardDeps = {}) {
    this.#next = next;
    this.#o = options;
    this.#proxies = proxies;
    this.#random = deps.random ?? Math.random;
    this.#now = deps.now ?? Date.now;
    this.#list = policyList(options.policy, proxies, this.#random);
    this.#maxAttempts = options.maxConnectAttempts > 0 ? options.maxConnectAttempts : 2 * proxies.length;
  }

  /** The upstreams, in configured order. */
  get proxies(): readonly Proxy[] { return this.#proxies; }

  /** Queries being forwarded now. */
  get inflight(): number { return this.#inflight; }

  serveDNS(req: Request, w: ResponseWriter): Promise<void> {
    if (!this.#matches(req.lname)) return nextOrFailure(this.name, this.#next, req, w);
    const max = this.#o.maxConcurrent;
    if (max > 0 && this.#inflight >= max) {
      maxConcurrentRejects.inc();
      return Promise.reject(new DnsError('PODNS_ERR_PLUGIN', `concurrent queries exceeded maximum ${max}`, Rcode.REFUSED, this.name));
    }
    this.#inflight++;
    return this.#forward(req, w).finally(() => { this.#inflight--; });
  }

  /** Under FROM and not under an `except` zone (FROM itself is always forwarded). */
  #matches(lname: string): boolean {
    const from = this.#o.from;
    if (from !== '.' && !isSubdomain(lname, from)) return false;
    if (lname === from) return true;
    const except = this.#o.except;
    for (let i = 0; i < except.length; i++) if (isSubdomain(lname, except[i]!)) return false;
    return true;
  }

  async #forward(req: Request, w: ResponseWriter): Promise<void> {
    const o = this.#o;
    const proxies = this.#proxies;
    const n = proxies.length;
    const list = this.#list();
    const query = encodeMessage(req.msg);
    const deadline = this.#now() + DEFAULT_TIMEOUT_MS;
    let i = 0;
    let fails = 0;
    let failures = 0;
    let failedOver = 0;
    let upstreamErr: Error | null = null;

    while (this.#now() < deadline) {
      if (i >= list.length) {
        i = 0;
        fails = 0;
      }
      let proxy = list[i++]!;
      if (proxy.down(o.maxFails)) {
        fails++;
        if (fails < n) continue;
        // Every upstream is down: health checking is assumed broken; try a random one anyway.
        healthcheckBroken.inc();
        if (o.failfastAllUnhealthyUpstreams) break;
        proxy = proxies[Math.floor(this.#random() * n)]!;
      }

      let proto: Proto = o.forceTcp ? 'tcp' : o.preferUdp ? 'udp' : req.transport;
      let ret: Message | null = null;
      let err: Error | null = null;
      for (;;) {
        const left = deadline - this.#now();
        const start = performance.now();
        try {
          // A reply that does not decode is as good as none (CoreDNS: an unpack error from ReadMsg).
          ret = decodeMessage(await proxy.client.exchange(query, proto, Math.max(1, Math.min(o.readTimeoutMs, left))));
        } catch (e) {
          err = e as Error;
          ret = null;
          break;
        }
        proxy.observe(ret.rcode, (performance.now() - start) / 1000);
        // prefer_udp: a truncated UDP reply is asked again over TCP.
        if (ret.tc && proto === 'udp' && o.preferUdp && !o.forceTcp) {
          proto = 'tcp';
          continue;
        }
        break;
      }

      if (ret === null) {
        upstreamErr = err;
        // Kick off health checking to see whether the upstream is broken.
        if (o.maxFails !== 0) proxy.healthcheck();
        if (++failures >= this.#maxAttempts) break;
        if (fails < n) continue;
        break;
      }

      if (!answers(req, ret)) {
        w.write(reply(req, { rcode: Rcode.FORMERR }), this.name);
        w.uncacheable();
        return;
      }

      // failover: this rcode is as good as no reply; try the next upstream until all were asked.
      if (o.failover.length > 0 && o.failover.includes(ret.rcode) && ++failedOver < n) {
        fails++;
        continue;
      }

      // next: hand the query to the following forward plugin.
      if (this.#next.name === 'forward' &&
        ((o.next.length > 0 && o.next.includes(ret.rcode)) || (o.nextOnNodata && ret.rcode === Rcode.NOERROR && ret.answers.length === 0))) {
        return this.#next.serveDNS(req, w);
      }

      w.write(ret.id === req.msg.id ? ret : { ...ret, id: req.msg.id }, this.name);
      w.uncacheable();
      return;
    }

    if (upstreamErr !== null) throw new DnsError('PODNS_ERR_PLUGIN', upstreamErr.message, Rcode.SERVFAIL, this.name);
    throw new DnsError('PODNS_ERR_PLUGIN', 'no healthy proxies', Rcode.SERVFAIL, this.name);
  }
}

/** CoreDNS request.Match: a response with exactly our question's name and type. */
function answers(req: Request, ret: Message): boolean {
  if (!ret.qr || ret.questions.length !== 1) return false;
  const q = ret.questions[0]!;
  return q.type === req.qtype && lowerName(q.name) === req.lname;
}
