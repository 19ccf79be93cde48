/**
 * The cache plugin's metrics, named and labelled as CoreDNS plugin/cache/metrics.go:
 * `server` is the listener (`dns://:53`), `type` is `success` or `denial`, `zones` the cache's
 * zones joined with ",", `view` is always "" (podns has no view plugin).
 *
 * Counting is on the query path, so it costs a number increment on a Tally (one per server and
 * zones label, shared by every cache handler and kept across reloads); the counters take the
 * tallied amounts when they are read (their collect hook, at every scrape), instead of an inc()
 * that looks its label set up on every query. The entries gauges are set when a store changes
 * (misses only); with `--workers` they are summed, each worker having its own caches.
 */
import { counter, gauge } from '../../core/metrics.ts';
import type { Counter, GaugeChild } from '../../core/prom.ts';

type Labels = 'server' | 'type' | 'zones' | 'view';

/** Moves every tally into the counters (the collect hook of each counter). */
function flush(): void {
  for (const t of tallies.values()) t.flush();
}

function lazyCounter<L extends Labels>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
  return counter(name, help, labelNames, { collect: flush });
}

export const cacheEntries = gauge('coredns_cache_entries', 'The number of elements in the cache.', ['server', 'type', 'zones', 'view'], { aggregate: 'sum' });
export const cacheRequests = lazyCounter('coredns_cache_requests_total', 'The count of cache requests.', ['server', 'zones', 'view']);
export const cacheHits = lazyCounter('coredns_cache_hits_total', 'The count of cache hits.', ['server', 'type', 'zones', 'view']);
export const cacheMisses = lazyCounter('coredns_cache_misses_total', 'The count of cache misses. Deprecated, derive misses from cache hits/requests counters.', ['server', 'zones', 'view']);
export const cachePrefetches = lazyCounter('coredns_cache_prefetch_total', 'The number of times the cache has prefetched a cached item.', ['server', 'zones', 'view']);
export const cacheDrops = lazyCounter('coredns_cache_drops_total', 'The number responses that are not cached, because the reply is malformed.', ['server', 'zones', 'view']);
export const cacheServedStale = lazyCounter('coredns_cache_served_stale_total', 'The number of requests served from stale cache entries.', ['server', 'zones', 'view']);
export const cacheEvictions = lazyCounter('coredns_cache_evictions_total', 'The count of cache evictions.', ['server', 'type', 'zones', 'view']);

export const SUCCESS = 'success';
export const DENIAL = 'denial';

/** What one cache counted for one server label since the last read of the counters. */
export class Tally {
  requests = 0;
  misses = 0;
  hitsSuccess = 0;
  hitsDenial = 0;
  prefetch = 0;
  drops = 0;
  servedStale = 0;
  evictSuccess = 0;
  evictDenial = 0;
  readonly entriesSuccess: GaugeChild;
  readonly entriesDenial: GaugeChild;
  readonly #labels: Record<'server' | 'zones' | 'view', string>;
  readonly #success: Record<Labels, string>;
  readonly #denial: Record<Labels, string>;

  constructor(server: string, zones: string) {
    this.#labels = { server, zones, view: '' };
    this.#success = { server, type: SUCCESS, zones, view: '' };
    this.#denial = { server, type: DENIAL, zones, view: '' };
    this.entriesSuccess = cacheEntries.labels(this.#success);
    this.entriesDenial = cacheEntries.labels(this.#denial);
  }

  flush(): void {
    if (this.requests > 0) { cacheRequests.inc(this.#labels, this.requests); this.requests = 0; }
    if (this.misses > 0) { cacheMisses.inc(this.#labels, this.misses); this.misses = 0; }
    if (this.hitsSuccess > 0) { cacheHits.inc(this.#success, this.hitsSuccess); this.hitsSuccess = 0; }
    if (this.hitsDenial > 0) { cacheHits.inc(this.#denial, this.hitsDenial); this.hitsDenial = 0; }
    if (this.prefetch > 0) { cachePrefetches.inc(this.#labels, this.prefetch); this.prefetch = 0; }
    if (this.drops > 0) { cacheDrops.inc(this.#labels, this.drops); this.drops = 0; }
    if (this.servedStale > 0) { cacheServedStale.inc(this.#labels, this.servedStale); this.servedStale = 0; }
    if (this.evictSuccess > 0) { cacheEvictions.inc(this.#success, this.evictSuccess); this.evictSuccess = 0; }
    if (this.evictDenial > 0) { cacheEvictions.inc(this.#denial, this.evictDenial); this.evictDenial = 0; }
  }
}

/** Tallies by server and zones label, for the whole process (reloaded handlers share them). */
const tallies = new Map<string, Tally>();

export function tally(server: string, zones: string): Tally {
  const k = `${server}\u0000${zones}`;
  let t = tallies.get(k);
  if (t === undefined) tallies.set(k, (t = new Tally(server, zones)));
  return t;
}
