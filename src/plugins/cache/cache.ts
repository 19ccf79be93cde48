/**
 * The cache handler (CoreDNS plugin/cache handler.go, cache.go): two stores, success (NOERROR,
 * delegations) and denial (NXDOMAIN, NODATA, and SERVFAIL/NOTIMP for the `servfail` duration),
 * keyed by the lower-cased qname, qtype, qclass and the query's DO and CD bits.
 *
 * A query outside the cache's zones goes straight to the next plugin. Otherwise:
 * - hit: the entry is served with its TTLs counted down (keepttl: as stored); a popular entry whose
 *   TTL dropped under the prefetch percentage is refreshed in the background;
 * - stale (serve_stale): `immediate` serves it (TTL 0, or RESPONSE_TTL) and refreshes in the
 *   background; `verify` refreshes first and serves it only if that fails (or takes longer than
 *   VERIFY_TIMEOUT);
 * - miss: the rest of the chain answers through a HeldWriter; the reply has every TTL set to the
 *   entry's lifetime (the smallest TTL clamped to [MINTTL, TTL]) and is stored when it may be.
 *
 * Replies the chain declared cacheable(source) (kubernetes, hosts) are authoritative state the
 * server's answer cache keeps and invalidates exactly when it changes: they pass through untouched
 * and are never stored here (and any entry for their key is dropped), so a cached answer never
 * overrides the cluster. A fresh hit is handed to the server as replayable (a Countdown): the
 * server's answer cache then replays its bytes for the same query bytes with the TTLs counted down,
 * without decoding the query or running the chain, and each replay counts as a hit here (metrics,
 * prefetch) or, once the entry is stale, replaced or gone, sends the query through the chain
 * again. Stale replies depend on a refresh in flight: they are marked uncacheable.
 *
 * Background refreshes (prefetch, stale refresh) run the rest of the chain with their own
 * Recorder, as CoreDNS does with a writer that writes nothing. There is at most one chain run per
 * key in flight: a refresh is skipped while another is running, and a miss (or a `verify`) that
 * finds one running waits for it and then answers from the cache; only when that run stored
 * nothing usable does it run the chain itself. (CoreDNS sends every concurrent miss upstream; one
 * shared upstream query is kinder to the upstream and answers the same.) Nested lookups (depth > 0:
 * ExternalName chasing, autopath) never wait, so a chain that queries its own key cannot deadlock.
 */
import type { Handler } from '../../core/handler.ts';
import { nextOrFailure } from '../../core/handler.ts';
import { Request } from '../../core/request.ts';
import { Recorder } from '../../core/writer.ts';
import type { Countdown, ResponseWriter, Versioned } from '../../core/writer.ts';
import { inZones } from '../../dns/name.ts';
import type { Message } from '../../dns/types.ts';
import { Rcode } from '../../dns/types.ts';
import { Kind, cacheKind, matchesQuestion, minimalTtl, storable, typify } from './classify.ts';
import { tally } from './metrics.ts';
import type { Tally } from './metrics.ts';
import type { CacheOptions } from './setup.ts';
import { Item, Store, withTtl } from './store.ts';

export interface CacheDeps {
  /**
   * The clock in ms (default: monotonic, anchored at the wall clock): TTL countdown, expiry,
   * prefetch and serve_stale read it, and RRSIG validity uses it as the time of day.
   */
  readonly now?: () => number;
  /** Picks eviction victims, in [0, 1) (default Math.random). */
  readonly random?: () => number;
}

/**
 * The writer the rest of the chain gets: it holds the reply until the chain returns, then the
 * cache decides what reaches the outer writer; cacheable()/uncacheable()/writeMore() are forwarded
 * after it (forward()).
 */
export class HeldWriter extends Recorder {
  /** The chain declared its reply cacheable(source): authoritative, never stored by the cache. */
  authoritative = false;

  override cacheable(source: Versioned): void {
    if (this.written !== null) this.authoritative = true;
    super.cacheable(source);
  }

  /** Replays the declarations on `w`, after `w.write`: cacheable only while the source is unchanged. */
  forward(w: ResponseWriter): void {
    if (this.noCache) w.uncacheable();
    else if (this.cacheSource !== null && this.cacheSource.revision === this.cacheRevision) w.cacheable(this.cacheSource);
    else if (this.countdown !== null) w.replayable(this.countdown);
    if (this.vary !== null) w.varies(this.vary, this.varyValue);
    if (this.more !== null) for (const m of this.more) w.writeMore(m);
  }
}

interface Fetched {
  readonly held: HeldWriter;
  /** What the chain threw, or null. */
  readonly error: unknown;
}

/** The outcome of a `verify` refresh: the reply to send (already processed), or null when it failed. */
interface Verified {
  readonly reply: Message | null;
  readonly held: HeldWriter;
  readonly error: unknown;
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);

function defaultClock(): () => number {
  const origin = performance.timeOrigin;
  return () => origin + performance.now();
}

export class CacheHandler implements Handler {
  readonly name = 'cache';
  readonly #next: Handler;
  readonly #o: CacheOptions;
  readonly #now: () => number;
  readonly #success: Store;
  readonly #denial: Store;
  readonly #allZones: boolean;
  readonly #tallies = new Map<string, Tally>();
  /** The chain run in flight per key (a miss, a verify or a refresh). */
  readonly #inflight = new Map<string, Promise<unknown>>();
  /** Every chain run the cache started that may outlive its request. */
  readonly #pending = new Set<Promise<unknown>>();
  readonly #staleSecs: number;
  /** Set by #find: whether the item it returned came from the denial store. */
  #foundDenial = false;

  constructor(next: Handler, options: CacheOptions, deps: CacheDeps = {}) {
    this.#next = next;
    this.#o = options;
    this.#now = deps.now ?? defaultClock();
    this.#success = new Store(options.successCapacity, deps.random);
    this.#denial = new Store(options.denialCapacity, deps.random);
    this.#allZones = options.zones.includes('.');
    this.#staleSecs = Math.trunc(options.staleUpToMs / 1000);
  }

  /** Entries held by each store. */
  get entries(): { readonly success: number; readonly denial: number } {
    return { success: this.#success.size, denial: this.#denial.size };
  }

  /** Resolves once every background refresh the cache started has finished (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  async serveDNS(req: Request, w: ResponseWriter): Promise<void> {
    if (!this.#inZones(req.lname)) return nextOrFailure(this.name, this.#next, req, w);
    const s = this.#tallyFor(req.server);
    const k = key(req);
    const now = this.#now();
    s.requests++;
    const i = this.#find(k, req, now);
    if (i === null) {
      s.misses++;
      return this.#miss(req, w, k, s);
    }
    const denial = this.#foundDenial;
    if (denial) s.hitsDenial++;
    else s.hitsSuccess++;
    const o = this.#o;
    const ttl = i.ttl(now);
    if (ttl > 0) {
      if (this.#shouldPrefetch(i, now)) this.#refresh(req, k, i, now, now, s);
      this.#serve(w, req, i, o.keepttl ? i.origTTL : ttl, this.#countdown(req, k, i, denial, s));
      return;
    }
    // Stale (serve_stale): the time at which the entry had TTL 0, as CoreDNS shifts it.
    const expired = now + ttl * 1000;
    if (o.verifyStale) {
      if (await this.#verify(req, w, k, i, now, s)) return;
    } else {
      this.#refresh(req, k, i, now, expired, s);
    }
    s.servedStale++;
    this.#serve(w, req, i, o.keepttl ? i.origTTL : o.staleTtl);
  }

  #inZones(lname: string): boolean {
    return this.#allZones || inZones(lname, this.#o.zones);
  }

  #tallyFor(server: string): Tally {
    let s = this.#tallies.get(server);
    if (s === undefined) this.#tallies.set(server, (s = tally(server, this.#o.zonesLabel)));
    return s;
  }

  /**
   * CoreDNS getIfNotStale without the counting: the denial entry first, then the success entry,
   * each if fresh or within the serve_stale window; a SERVFAIL entry gives way to a usable success
   * entry, so a transient failure does not shadow a good answer.
   */
  #find(k: string, req: Request, now: number): Item | null {
    const n = this.#denial.get(k);
    if (n !== undefined && n.matches(req) && this.#usable(n.ttl(now))) {
      if (n.rcode === Rcode.SERVFAIL) {
        const p = this.#success.get(k);
        if (p !== undefined && p.matches(req) && this.#usable(p.ttl(now))) {
          this.#foundDenial = false;
          return p;
        }
      }
      this.#foundDenial = true;
      return n;
    }
    const p = this.#success.get(k);
    if (p !== undefined && p.matches(req) && this.#usable(p.ttl(now))) {
      this.#foundDenial = false;
      return p;
    }
    return null;
  }

  #usable(ttl: number): boolean {
    return ttl > 0 || (this.#o.staleUpToMs > 0 && -ttl < this.#staleSecs);
  }

  /** A fresh entry for the request, if there is one now (after waiting for a chain run). */
  #fresh(k: string, req: Request): { item: Item; ttl: number } | null {
    const now = this.#now();
    const i = this.#find(k, req, now);
    if (i === null) return null;
    const ttl = i.ttl(now);
    return ttl > 0 ? { item: i, ttl } : null;
  }

  #serve(w: ResponseWriter, req: Request, i: Item, ttl: number, countdown: Countdown | null = null): void {
    w.write(i.toMsg(req, ttl), this.name);
    if (countdown === null) w.uncacheable();
    else w.replayable(countdown);
  }

  /**
   * A fresh hit's replays: each is the hit path above without the chain — still the entry the key
   * finds, still fresh, counted, prefetched when due — or -1 to send the query through the chain.
   */
  #countdown(req: Request, k: string, i: Item, denial: boolean, s: Tally): Countdown {
    return {
      replay: (): number => {
        const now = this.#now();
        if (this.#find(k, req, now) !== i) return -1;
        const ttl = i.ttl(now);
        if (ttl <= 0) return -1;
        s.requests++;
        if (denial) s.hitsDenial++;
        else s.hitsSuccess++;
        if (this.#shouldPrefetch(i, now)) this.#refresh(req, k, i, now, now, s);
        return this.#o.keepttl ? i.origTTL : ttl;
      },
    };
  }

  /** Runs the rest of the chain into a HeldWriter; never rejects. */
  async #fetch(req: Request): Promise<Fetched> {
    const held = new HeldWriter();
    try {
      await nextOrFailure(this.name, this.#next, req, held);
      return { held, error: null };
    } catch (error) {
      return { held, error };
    }
  }

  /** Registers `job` as the key's chain run (unless one is registered) and as pending. */
  #track<T>(k: string, job: Promise<T>): Promise<T> {
    const leader = !this.#inflight.has(k);
    if (leader) this.#inflight.set(k, job);
    this.#pending.add(job);
    const done = (): void => {
      if (leader && this.#inflight.get(k) === job) this.#inflight.delete(k);
      this.#pending.delete(job);
    };
    // Both ways, so a job that failed (only a bug could make one fail) is never an unhandled rejection.
    job.then(done, done);
    return job;
  }

  /** The key's chain run in flight, when this request may wait for it (never for nested lookups). */
  #runningFor(k: string, req: Request): Promise<unknown> | undefined {
    return req.depth > 0 ? undefined : this.#inflight.get(k);
  }

  async #miss(req: Request, w: ResponseWriter, k: string, s: Tally): Promise<void> {
    // Checked and registered without an await in between: the first miss leads, the others wait.
    const running = this.#runningFor(k, req);
    if (running !== undefined) {
      await settled(running);
      const f = this.#fresh(k, req);
      if (f !== null) {
        this.#serve(w, req, f.item, this.#o.keepttl ? f.item.origTTL : f.ttl);
        return;
      }
    }
    const { held, error } = await this.#track(k, this.#fetch(req));
    const msg = held.written;
    if (msg !== null) {
      let out = msg;
      if (held.authoritative) this.#forget(k, s);
      // A reply that holds only for some clients (autopath's) is not kept under its name.
      else if (held.vary === null) out = this.#process(req, msg, k, s);
      w.write(out, held.writtenBy ?? this.name);
      held.forward(w);
    }
    if (error !== null) throw error;
  }

  /**
   * serve_stale verify: refresh first; true when the client got the refreshed reply. A refresh
   * counts when the reply is complete, answers the question and is NOERROR or NXDOMAIN (RFC 8767
   * §4). With VERIFY_TIMEOUT the client waits at most that long; the refresh goes on and stores.
   */
  async #verify(req: Request, w: ResponseWriter, k: string, i: Item, now: number, s: Tally): Promise<boolean> {
    const o = this.#o;
    if (o.failureRecheckMs > 0 && now < i.retryAfter) return false;
    const running = this.#runningFor(k, req);
    if (running !== undefined) {
      // Share the refresh in flight, waiting no longer than VERIFY_TIMEOUT for it either.
      if (o.verifyTimeoutMs > 0) {
        if (await withTimeout(settled(running).then(() => true), o.verifyTimeoutMs) === null) return false;
      } else {
        await settled(running);
      }
      const f = this.#fresh(k, req);
      if (f === null) return false;
      this.#serve(w, req, f.item, o.keepttl ? f.item.origTTL : f.ttl);
      return true;
    }
    const job = this.#track(k, this.#verifyJob(req, k, i, s));
    const v = o.verifyTimeoutMs > 0 ? await withTimeout(job, o.verifyTimeoutMs) : await job;
    if (v === null || v.reply === null) return false;
    w.write(v.reply, v.held.writtenBy ?? this.name);
    v.held.forward(w);
    if (v.error !== null) throw v.error;
    return true;
  }

  async #verifyJob(req: Request, k: string, i: Item, s: Tally): Promise<Verified> {
    const { held, error } = await this.#fetch(req);
    const msg = held.written;
    let reply: Message | null = null;
    if (msg !== null) {
      if (held.authoritative) {
        this.#forget(k, s);
        reply = msg;
      } else if (this.#refreshes(req, msg)) {
        reply = this.#process(req, msg, k, s);
      }
    }
    if (reply === null) this.#failed(i);
    return { reply, held, error };
  }

  /** Does `msg` refresh an entry (RFC 8767 §4): complete, matching, NOERROR or NXDOMAIN, not invalid? */
  #refreshes(req: Request, msg: Message): boolean {
    if (msg.tc || !matchesQuestion(msg, req.lname, req.qtype)) return false;
    const t = typify(msg, this.#now());
    if (t === Kind.OtherError || t === Kind.Meta || t === Kind.Update) return false;
    return msg.rcode === Rcode.NOERROR || msg.rcode === Rcode.NXDOMAIN;
  }

  /** A failed refresh starts the failure recheck interval of the entry (FAILURE_RECHECK). */
  #failed(i: Item): void {
    if (this.#o.failureRecheckMs > 0) i.retryAfter = this.#now() + this.#o.failureRecheckMs;
  }

  /**
   * CoreDNS shouldPrefetch: counts the hit (freq), then: popular enough, and the TTL left is at most
   * PERCENTAGE of the lifetime (rounded up, so at the latest 1 s before expiry).
   */
  #shouldPrefetch(i: Item, now: number): boolean {
    const o = this.#o;
    if (o.prefetch <= 0) return false;
    i.update(o.prefetchDurationMs, now);
    const threshold = Math.ceil((o.prefetchPercentage / 100) * i.origTTL);
    return i.hits >= o.prefetch && i.ttl(now) <= threshold;
  }

  /**
   * A background refresh (prefetch, or serve_stale immediate): the chain answers a copy of the
   * query with AD set, over the client's transport (as CoreDNS's prefetch writer), into its own writer; the reply
   * is stored and nothing is written to a client. One per key at a time; none during the entry's
   * failure recheck interval. The entry's popularity carries over to its replacement, as last
   * seen at `seenAt`.
   */
  #refresh(req: Request, k: string, i: Item, now: number, seenAt: number, s: Tally): void {
    if (this.#inflight.has(k)) return;
    const o = this.#o;
    if (o.failureRecheckMs > 0 && now < i.retryAfter) return;
    const r = new Request({ ...req.msg, ad: true }, req.client, req.transport, req.depth, req.server);
    s.prefetch++;
    const job = (async (): Promise<void> => {
      const { held } = await this.#fetch(r);
      const msg = held.written;
      let ok = false;
      if (msg !== null) {
        if (held.authoritative) {
          this.#forget(k, s);
          ok = true;
        } else if (o.failureRecheckMs === 0 || this.#refreshes(r, msg)) {
          // Without FAILURE_RECHECK whatever comes back is stored, as CoreDNS's prefetch writer does;
          // with it, only a real refresh replaces the entry.
          this.#process(r, msg, k, s);
          ok = true;
        }
      }
      if (!ok) this.#failed(i);
      const replaced = this.#denial.get(k) ?? this.#success.get(k);
      if (replaced !== undefined) {
        replaced.hits = i.hits;
        replaced.last = seenAt;
      }
    })();
    this.#track(k, job);
  }

  /**
   * CoreDNS's caching ResponseWriter.WriteMsg, without the write: classifies the reply, works out
   * the entry's lifetime, sets every TTL to it (also in what the client gets, "to avoid a jarring
   * 1799 → 8"), stores it when it may be stored and answers this question, and clears AD unless
   * the client asked for DO or AD. Returns what the client gets.
   */
  #process(req: Request, msg: Message, k: string, s: Tally): Message {
    const o = this.#o;
    const now = this.#now();
    const t = cacheKind(msg, now);
    let lifetime: number;
    if (t === Kind.NameError || t === Kind.NoData) lifetime = clamp(minimalTtl(msg, t, o.denialMaxTtl), o.denialMinTtl, o.denialMaxTtl);
    else if (t === Kind.ServerError) lifetime = o.servfailMs / 1000;
    else lifetime = clamp(minimalTtl(msg, t, o.successMaxTtl), o.successMinTtl, o.successMaxTtl);
    const ttl = Math.trunc(lifetime);
    const stored: Message = {
      ...msg,
      answers: withTtl(msg.answers, ttl),
      authorities: withTtl(msg.authorities, ttl),
      additionals: withTtl(msg.additionals, ttl),
    };
    if (lifetime > 0 && storable(msg, t)) {
      if (matchesQuestion(msg, req.lname, req.qtype)) this.#store(stored, k, t, ttl, now, req.lname, s);
      else s.drops++;
    }
    if (stored.ad && !req.dnssecOk && !req.msg.ad) return { ...stored, ad: false };
    return stored;
  }

  #store(m: Message, k: string, t: Kind, ttl: number, now: number, lname: string, s: Tally): void {
    const o = this.#o;
    if (t === Kind.NoError || t === Kind.Delegation) {
      if (!inZones(lname, o.successExcept)) {
        if (this.#success.set(k, new Item(m, lname, ttl, now))) s.evictSuccess++;
        // The newest state of the key is positive: an older denial must not shadow it.
        this.#denial.remove(k);
      }
    } else if (t === Kind.NameError || t === Kind.NoData || t === Kind.ServerError) {
      if (!inZones(lname, o.denialExcept) && this.#denial.set(k, new Item(m, lname, ttl, now))) s.evictDenial++;
    }
    s.entriesSuccess.set(this.#success.size);
    s.entriesDenial.set(this.#denial.size);
  }

  /** Drops the key from both stores: the chain now answers it authoritatively. */
  #forget(k: string, s: Tally): void {
    const a = this.#success.remove(k);
    const b = this.#denial.remove(k);
    if (a || b) {
      s.entriesSuccess.set(this.#success.size);
      s.entriesDenial.set(this.#denial.size);
    }
  }
}

/** The store key: DO and CD bits, qtype, qclass and the lower-cased qname (CoreDNS hash()). */
export function key(req: Request): string {
  return `${req.dnssecOk ? 'D' : 'd'}${req.msg.cd ? 'C' : 'c'}${req.qtype}/${req.qclass}/${req.lname}`;
}

/** Resolves when `p` settles, either way. */
function settled(p: Promise<unknown>): Promise<void> {
  return p.then(() => undefined, () => undefined);
}

/** `job`'s value, or null when it takes longer than `ms` (the job goes on). */
async function withTimeout<T>(job: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), ms); });
  try {
    return await Promise.race([job, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
