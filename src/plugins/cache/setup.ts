/**
 * The cache stanza: Corefile syntax to CacheOptions, every default resolved here, once. Syntax,
 * defaults, limits and error wording follow CoreDNS plugin/cache/setup.go (and its README):
 *
 *   cache [TTL] [ZONES...] {
 *       success CAPACITY [TTL] [MINTTL]
 *       denial CAPACITY [TTL] [MINTTL]
 *       prefetch AMOUNT [[DURATION] [PERCENTAGE%]]
 *       serve_stale [DURATION] [immediate [RESPONSE_TTL [FAILURE_RECHECK]]
 *                              | verify [VERIFY_TIMEOUT [RESPONSE_TTL [FAILURE_RECHECK]]]]
 *       servfail DURATION
 *       disable success|denial [ZONES...]
 *       keepttl
 *   }
 *
 * The serve_stale arguments after REFRESH_MODE are CoreDNS 1.14's (PRs #8070, #8411); their setup
 * code was not available to check, so their error texts are podns's own. One difference on
 * purpose: CoreDNS ignores arguments after the third of `success` / `denial`; podns reports them
 * (a typo there would otherwise go unnoticed).
 */
import type { Directive } from '../../corefile/index.ts';
import { CorefileError, parseDuration, zonesFromArgs } from '../../corefile/index.ts';
import { ConfigError } from '../../core/errors.ts';
import { asciiLower } from '../../core/request.ts';

export interface CacheOptions {
  /** Where the cache applies (normalised): the ZONES arguments, else the server block's zones. */
  readonly zones: readonly string[];
  /** The `zones` metrics label: the zones joined with ",". */
  readonly zonesLabel: string;
  /** Entries the success store holds: CAPACITY rounded down to 256 shards of at least 4 (CoreDNS pkg/cache). */
  readonly successCapacity: number;
  readonly denialCapacity: number;
  /** Maximum and minimum lifetimes, in seconds, of success (NOERROR, delegation) entries. */
  readonly successMaxTtl: number;
  readonly successMinTtl: number;
  /** Maximum and minimum lifetimes, in seconds, of denial (NXDOMAIN, NODATA) entries. */
  readonly denialMaxTtl: number;
  readonly denialMinTtl: number;
  /** How long SERVFAIL / NOTIMP replies are kept (ms); 0 disables. */
  readonly servfailMs: number;
  /** Hits that make an entry popular (0: no prefetch). */
  readonly prefetch: number;
  /** The largest gap between two hits of a popular entry (ms). */
  readonly prefetchDurationMs: number;
  /** Prefetch once the remaining TTL is at most this percentage of the entry's lifetime. */
  readonly prefetchPercentage: number;
  /** How long after expiry an entry may still be served (ms); 0: serve_stale is off. */
  readonly staleUpToMs: number;
  /** `verify`: refresh before serving a stale entry; `immediate` (false): serve, then refresh. */
  readonly verifyStale: boolean;
  /** verify: how long a client waits for the refresh before it gets the stale entry (ms); 0: as long as the chain takes. */
  readonly verifyTimeoutMs: number;
  /** The TTL of stale answers, in seconds (RFC 8767 recommends 30; CoreDNS's default is 0). */
  readonly staleTtl: number;
  /** After a failed refresh of an entry, no new refresh of it for this long (ms); 0: retry at the next request. */
  readonly failureRecheckMs: number;
  /** Zones whose success / denial replies are not stored (`disable`). */
  readonly successExcept: readonly string[];
  readonly denialExcept: readonly string[];
  /** Serve the TTL the entry was stored with instead of counting it down. */
  readonly keepttl: boolean;
}

/** CoreDNS dnsutil.MaximumDefaultTTL and half of it, MinimalDefaultTTL. */
export const MAX_TTL = 3600;
export const MAX_NTTL = 1800;
export const MIN_TTL = 5;
export const DEFAULT_CAPACITY = 10_000;
const SHARDS = 256;
/** RFC 2308 §7.1: SERVFAIL may be cached for at most 5 minutes. */
const MAX_SERVFAIL_MS = 5 * 60_000;

/** The entries a CoreDNS cache of `capacity` holds: 256 shards of floor(capacity/256), at least 4 each. */
export function effectiveCapacity(capacity: number): number {
  return SHARDS * Math.max(4, Math.trunc(capacity / SHARDS));
}

function fail(d: Directive, message: string): ConfigError {
  return new ConfigError(d.file, d.line, `plugin/cache: ${message}`);
}

/** caddy's Dispenser.ArgErr after the token `after`. */
function argErr(d: Directive, after: string): ConfigError {
  return fail(d, `Wrong argument count or unexpected line ending after '${after}'`);
}

/** Go's strconv.Atoi: an optional sign and decimal digits; its error text otherwise. */
function atoi(d: Directive, text: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) throw fail(d, `strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw fail(d, `strconv.Atoi: parsing ${JSON.stringify(text)}: value out of range`);
  return n;
}

/** Go's time.ParseDuration, in milliseconds, with its error text. */
function duration(d: Directive, text: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw fail(d, (err as Error).message);
  }
}

/** CAPACITY [TTL] [MINTTL] of `success` / `denial`. */
function capacityLine(c: Directive): { capacity: number; max?: number; min?: number } {
  const a = c.args;
  if (a.length === 0) throw argErr(c, c.name);
  if (a.length > 3) throw argErr(c, a[3]!);
  const capacity = atoi(c, a[0]!);
  if (a.length === 1) return { capacity };
  const max = atoi(c, a[1]!);
  // Reserve 0 (and smaller) as CoreDNS does.
  if (max <= 0) throw fail(c, `cache TTL can not be zero or negative: ${max}`);
  if (a.length === 2) return { capacity, max };
  const min = atoi(c, a[2]!);
  if (min < 0) throw fail(c, `cache min TTL can not be negative: ${min}`);
  return { capacity, max, min };
}

/** A zone as CoreDNS's plugin.Name(z).Normalize() makes it: lower-case, absolute. */
function normalizeName(z: string): string {
  const l = asciiLower(z);
  return l.endsWith('.') ? l : `${l}.`;
}

export function parseCache(d: Directive, blockZones: readonly string[]): CacheOptions {
  let args = d.args;
  let successMaxTtl = MAX_TTL;
  let denialMaxTtl = MAX_NTTL;
  // The first argument is the TTL when it is a number, else a zone.
  if (args.length > 0 && /^[+-]?[0-9]+$/.test(args[0]!)) {
    const ttl = atoi(d, args[0]!);
    if (ttl <= 0) throw fail(d, `cache TTL can not be zero or negative: ${ttl}`);
    successMaxTtl = ttl;
    denialMaxTtl = ttl;
    args = args.slice(1);
  }
  let zones: readonly string[];
  try {
    zones = args.length > 0 ? zonesFromArgs(args, d, 'cache') : [...blockZones];
  } catch (err) {
    if (err instanceof CorefileError) throw new ConfigError(d.file, d.line, err.reason);
    throw err;
  }

  let successCapacity = DEFAULT_CAPACITY;
  let denialCapacity = DEFAULT_CAPACITY;
  let successMinTtl = MIN_TTL;
  let denialMinTtl = MIN_TTL;
  let servfailMs = MIN_TTL * 1000;
  let prefetch = 0;
  let prefetchDurationMs = 60_000;
  let prefetchPercentage = 10;
  let staleUpToMs = 0;
  let verifyStale = false;
  let verifyTimeoutMs = 0;
  let staleTtl = 0;
  let failureRecheckMs = 0;
  let successExcept: readonly string[] = [];
  let denialExcept: readonly string[] = [];
  let keepttl = false;

  for (const c of d.block ?? []) {
    if (c.block !== null) throw fail(c, "Unexpected token '{', expecting argument");
    const a = c.args;
    switch (c.name) {
      case 'success': {
        const s = capacityLine(c);
        successCapacity = s.capacity;
        if (s.max !== undefined) successMaxTtl = s.max;
        if (s.min !== undefined) successMinTtl = s.min;
        break;
      }
      case 'denial': {
        const s = capacityLine(c);
        denialCapacity = s.capacity;
        if (s.max !== undefined) denialMaxTtl = s.max;
        if (s.min !== undefined) denialMinTtl = s.min;
        break;
      }
      case 'prefetch': {
        if (a.length === 0) throw argErr(c, c.name);
        if (a.length > 3) throw argErr(c, a[a.length - 1]!);
        const amount = atoi(c, a[0]!);
        if (amount < 0) throw fail(c, `prefetch amount should be positive: ${amount}`);
        prefetch = amount;
        if (a.length > 1) prefetchDurationMs = duration(c, a[1]!);
        if (a.length > 2) {
          const pct = a[2]!;
          const last = pct[pct.length - 1]!;
          if (last !== '%') throw fail(c, `last character of percentage should be \`%\`, but is: '${last}'`);
          const num = atoi(c, pct.slice(0, -1));
          if (num < 10 || num > 90) throw fail(c, `percentage should fall in range [10, 90]: ${num}`);
          prefetchPercentage = num;
        }
        break;
      }
      case 'serve_stale': {
        // serve_stale [DURATION] [immediate [RESPONSE_TTL [FAILURE_RECHECK]]]
        // serve_stale [DURATION] [verify [VERIFY_TIMEOUT [RESPONSE_TTL [FAILURE_RECHECK]]]]
        if (a.length > 5) throw argErr(c, a[a.length - 1]!);
        staleUpToMs = 3_600_000;
        if (a.length > 0) {
          const ms = duration(c, a[0]!);
          if (ms < 0) throw fail(c, 'invalid negative duration for serve_stale');
          staleUpToMs = ms;
        }
        verifyStale = false;
        verifyTimeoutMs = 0;
        staleTtl = 0;
        failureRecheckMs = 0;
        if (a.length > 1) {
          const mode = asciiLower(a[1]!);
          if (mode !== 'immediate' && mode !== 'verify') throw fail(c, `invalid value for serve_stale refresh mode: ${mode}`);
          verifyStale = mode === 'verify';
          const rest = a.slice(2);
          if (!verifyStale && rest.length > 2) throw argErr(c, rest[2]!);
          const nonNegative = (text: string, what: string): number => {
            const ms = duration(c, text);
            if (ms < 0) throw fail(c, `invalid negative ${what} for serve_stale`);
            return ms;
          };
          if (verifyStale && rest.length > 0) verifyTimeoutMs = nonNegative(rest.shift()!, 'verify timeout');
          if (rest.length > 0) staleTtl = Math.trunc(nonNegative(rest.shift()!, 'response TTL') / 1000);
          if (rest.length > 0) {
            failureRecheckMs = nonNegative(rest.shift()!, 'failure recheck');
            if (failureRecheckMs > MAX_SERVFAIL_MS) throw fail(c, 'serve_stale failure recheck over 5 minutes is not permitted');
          }
        }
        break;
      }
      case 'servfail': {
        if (a.length !== 1) throw argErr(c, a.length === 0 ? c.name : a[a.length - 1]!);
        const ms = duration(c, a[0]!);
        if (ms < 0) throw fail(c, 'invalid negative ttl for servfail');
        if (ms > MAX_SERVFAIL_MS) throw fail(c, 'caching SERVFAIL responses over 5 minutes is not permitted');
        servfailMs = ms;
        break;
      }
      case 'disable': {
        if (a.length < 1) throw argErr(c, c.name);
        // No zones: the whole cache of that type.
        const except = a.length > 1 ? a.slice(1).map(normalizeName) : ['.'];
        if (a[0] === 'denial') denialExcept = except;
        else if (a[0] === 'success') successExcept = except;
        else throw fail(c, 'cache type for disable must be "success" or "denial"');
        break;
      }
      case 'keepttl':
        if (a.length !== 0) throw argErr(c, a[a.length - 1]!);
        keepttl = true;
        break;
      case 'serve_stale_policy':
        // CoreDNS 1.14.7's prefer_positive (keep the last answer that answered): not implemented.
        throw fail(c, 'serve_stale_policy is not supported by podns yet');
      default:
        throw argErr(c, c.name);
    }
  }

  return {
    zones,
    zonesLabel: zones.join(','),
    successCapacity: effectiveCapacity(successCapacity),
    denialCapacity: effectiveCapacity(denialCapacity),
    successMaxTtl, successMinTtl, denialMaxTtl, denialMinTtl,
    servfailMs,
    prefetch, prefetchDurationMs, prefetchPercentage,
    staleUpToMs, verifyStale, verifyTimeoutMs, staleTtl, failureRecheckMs,
    successExcept, denialExcept,
    keepttl,
  };
}
