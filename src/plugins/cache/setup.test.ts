// The cache stanza: good stanzas to options (CoreDNS setup_test.go's cases where they apply), bad
// ones to CoreDNS's error text at the offending line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import { silentLogger } from '../../core/log.ts';
import { DnsServer } from '../../server/server.ts';
import type { CacheOptions } from './setup.ts';
import { effectiveCapacity, parseCache } from './setup.ts';

/** `cache …` as the first directive of an `example.nl` block: the cache line is line 2. */
function parse(stanza: string): CacheOptions {
  const blocks = parseCorefile(`example.nl {\n${stanza}\n}\n`, { file: 'Corefile' });
  const d = blocks[0]!.directives[0]!;
  return parseCache(d, blocks[0]!.keys.flatMap((k) => k.zones));
}

/** `cache { LINE }`: the line is line 3. */
const inBlock = (line: string): CacheOptions => parse(`cache {\n${line}\n}`);

const DEFAULTS: CacheOptions = {
  zones: ['example.nl.'], zonesLabel: 'example.nl.',
  successCapacity: 9984, denialCapacity: 9984,
  successMaxTtl: 3600, successMinTtl: 5, denialMaxTtl: 1800, denialMinTtl: 5,
  servfailMs: 5000,
  prefetch: 0, prefetchDurationMs: 60_000, prefetchPercentage: 10,
  staleUpToMs: 0, verifyStale: false, verifyTimeoutMs: 0, staleTtl: 0, failureRecheckMs: 0,
  successExcept: [], denialExcept: [],
  keepttl: false,
};

test('cache: capacity is rounded down to 256 shards of at least 4 entries', () => {
  const cases: Array<[number, number]> = [[10_000, 9984], [10, 1024], [0, 1024], [-5, 1024], [1024, 1024], [5000, 4864], [2560, 2560]];
  for (const [cap, want] of cases) assert.equal(effectiveCapacity(cap), want, String(cap));
});

test('cache: good stanzas', () => {
  const cases: Array<[string, Partial<CacheOptions>]> = [
    ['cache', {}],
    ['cache {\n}', {}],
    ['cache example.nl {\nsuccess 10\n}', { successCapacity: 1024 }],
    ['cache example.nl {\nsuccess 10 1800 30\n}', { successCapacity: 1024, successMaxTtl: 1800, successMinTtl: 30 }],
    ['cache example.nl {\nsuccess 10\ndenial 10 15\n}', { successCapacity: 1024, denialCapacity: 1024, denialMaxTtl: 15 }],
    ['cache example.nl {\nsuccess 10\ndenial 10 15 2\n}', { successCapacity: 1024, denialCapacity: 1024, denialMaxTtl: 15, denialMinTtl: 2 }],
    ['cache 25 example.nl {\nsuccess 10\ndenial 10 15\n}', { successCapacity: 1024, denialCapacity: 1024, successMaxTtl: 25, denialMaxTtl: 15 }],
    ['cache 25 example.nl {\nsuccess 10\ndenial 10 15 5\n}', { successCapacity: 1024, denialCapacity: 1024, successMaxTtl: 25, denialMaxTtl: 15, denialMinTtl: 5 }],
    ['cache 30', { successMaxTtl: 30, denialMaxTtl: 30 }],
    ['cache 7200', { successMaxTtl: 7200, denialMaxTtl: 7200 }],
    ['cache aaa example.nl', { zones: ['aaa.', 'example.nl.'], zonesLabel: 'aaa.,example.nl.' }],
    ['cache 30 Cluster.Local 10.0.0.0/8', { successMaxTtl: 30, denialMaxTtl: 30, zones: ['cluster.local.', '10.in-addr.arpa.'], zonesLabel: 'cluster.local.,10.in-addr.arpa.' }],
    ['cache {\nsuccess 20000 0300 0\n}', { successCapacity: 19968, successMaxTtl: 300, successMinTtl: 0 }],
    ['cache\t{\nprefetch 10\n}', { prefetch: 10 }],
    ['cache {\nprefetch 2 10m 50%\n}', { prefetch: 2, prefetchDurationMs: 600_000, prefetchPercentage: 50 }],
    ['cache {\nprefetch 0\n}', { prefetch: 0 }],
    ['cache {\nkeepttl\n}', { keepttl: true }],
    ['cache {\nservfail 1s\n}', { servfailMs: 1000 }],
    ['cache {\nservfail 5m\n}', { servfailMs: 300_000 }],
    ['cache {\nservfail 0s\n}', { servfailMs: 0 }],
    ['cache {\nservfail 0\n}', { servfailMs: 0 }],
    ['cache {\ndisable denial example.com Example.ORG\n}', { denialExcept: ['example.com.', 'example.org.'] }],
    ['cache {\ndisable success example.com example.org.\n}', { successExcept: ['example.com.', 'example.org.'] }],
    ['cache {\ndisable denial\n}', { denialExcept: ['.'] }],
    ['cache {\ndisable success\n}', { successExcept: ['.'] }],
    ['cache {\ndisable denial a.com\ndisable success b.com\n}', { denialExcept: ['a.com.'], successExcept: ['b.com.'] }],
    // A later `disable` of the same type replaces the earlier one (CoreDNS assigns, not appends).
    ['cache {\ndisable denial a.com\ndisable denial b.com\n}', { denialExcept: ['b.com.'] }],
    // kubeadm's stanza.
    ['cache 30 {\ndisable success cluster.local\ndisable denial cluster.local\n}', { successMaxTtl: 30, denialMaxTtl: 30, successExcept: ['cluster.local.'], denialExcept: ['cluster.local.'] }],
  ];
  for (const [stanza, want] of cases) assert.deepEqual(parse(stanza), { ...DEFAULTS, ...want }, stanza);
});

test('cache: serve_stale', () => {
  const cases: Array<[string, Partial<CacheOptions>]> = [
    ['serve_stale', { staleUpToMs: 3_600_000 }],
    ['serve_stale 20m', { staleUpToMs: 1_200_000 }],
    ['serve_stale 1h20m', { staleUpToMs: 4_800_000 }],
    ['serve_stale 0m', { staleUpToMs: 0 }],
    ['serve_stale 0', { staleUpToMs: 0 }],
    ['serve_stale 0 verify', { staleUpToMs: 0, verifyStale: true }],
    ['serve_stale 0 immediate', { staleUpToMs: 0 }],
    ['serve_stale 0 VERIFY', { staleUpToMs: 0, verifyStale: true }],
    ['serve_stale 1h immediate 30s', { staleUpToMs: 3_600_000, staleTtl: 30 }],
    ['serve_stale 1h immediate 30s 30s', { staleUpToMs: 3_600_000, staleTtl: 30, failureRecheckMs: 30_000 }],
    ['serve_stale 1h verify 100ms', { staleUpToMs: 3_600_000, verifyStale: true, verifyTimeoutMs: 100 }],
    ['serve_stale 1h verify 100ms 30s 5m', { staleUpToMs: 3_600_000, verifyStale: true, verifyTimeoutMs: 100, staleTtl: 30, failureRecheckMs: 300_000 }],
  ];
  for (const [line, want] of cases) assert.deepEqual(inBlock(line), { ...DEFAULTS, ...want }, line);
});

test('cache: bad stanzas are errors with CoreDNS wording at the offending line', () => {
  const cases: Array<[string, string]> = [
    ['cache 0 example.nl', 'Corefile:2 - Error during setup: plugin/cache: cache TTL can not be zero or negative: 0'],
    ['cache -1 example.nl', 'Corefile:2 - Error during setup: plugin/cache: cache TTL can not be zero or negative: -1'],
    ['cache example.nl {\nsuccess\ndenial 10 15\n}', "Corefile:3 - Error during setup: plugin/cache: Wrong argument count or unexpected line ending after 'success'"],
    ['cache example.nl {\nsuccess 15\ndenial aaa\n}', 'Corefile:4 - Error during setup: plugin/cache: strconv.Atoi: parsing "aaa": invalid syntax'],
    ['cache example.nl {\npositive 15\nnegative aaa\n}', "Corefile:3 - Error during setup: plugin/cache: Wrong argument count or unexpected line ending after 'positive'"],
    ['cache {\nsuccess 10 0\n}', 'Corefile:3 - Error during setup: plugin/cache: cache TTL can not be zero or negative: 0'],
    ['cache {\ndenial 10 ten\n}', 'Corefile:3 - Error during setup: plugin/cache: strconv.Atoi: parsing "ten": invalid syntax'],
    ['cache {\ndenial 10 10 -1\n}', 'Corefile:3 - Error during setup: plugin/cache: cache min TTL can not be negative: -1'],
    ['cache {\nsuccess 10 20 30 40\n}', "Corefile:3 - Error during setup: plugin/cache: Wrong argument count or unexpected line ending after '40'"],
    ['cache {\nprefetch\n}', "Corefile:3 - Error during setup: plugin/cache: Wrong argument count or unexpected line ending after 'prefetch'"],
    ['cache {\nprefetch -1\n}', 'Corefile:3 - Error during setup: plugin/cache: prefetch amount should be positive: -1'],
    ['cache {\nprefetch 0 blurp\n}', 'Corefile:3 - Error during setup: plugin/cache: time: invalid duration "blurp"'],
    ['cache {\nprefetch 1 1m 50\n}', "Corefile:3 - Error during setup: plugin/cache: last character of percentage should be `%`, but is: '0'"],
    ['cache {\nprefetch 1 1m 5%\n}', 'Corefile:3 - Error during setup: plugin/cache: percentage should fall in range [10, 90]: 5'],
    ['cache {\nprefetch 1 1m 95%\n}', 'Corefile:3 - Error during setup: plugin/cache: percentage should fall in range [10, 90]: 95'],
    ['cache {\nprefetch 1 1m x%\n}', 'Corefile:3 - Error during setup: plugin/cache: strconv.Atoi: parsing "x": invalid syntax'],
    ['cache {\nprefetch 1 1m 10% 4\n}', "Corefile:3 - Error during setup: plugin/cache: Wrong argument count or unexpected line ending after '4'"],
    ['cache {\nserve_stale 20\n}', 'Corefile:3 - Error during setup: plugin/cache: time: missing unit in duration "20"'],
    ['cache {\nserve_stale -20m\n}', 'Corefile:3 - Error during setup: plugin/cache: invalid negative duration for serve_stale'],
    ['cache {\nserve_stale aa\n}', 'Corefile:3 - Error during setup: plugin/cache: time: invalid duration "aa"'],
    ['cache {\nserve_stale 1m nono\n}', 'Corefile:3 - Error during setup: plugin/cache: invalid value for serve_stale refresh mode: nono'],
    ['cache {\nserve_stale 0 after nono\n}', 'Corefile:3 - Error during setup: plugin/cache: invalid value for serve_stale refresh mode: after'],
    ['cache {\nserve_stale 1h immediate 30s 30s 1s\n}', "Corefile:3 - Error during setup: plugin/cache: Wrong argument count or unexpected line ending after '1s'"],
    ['cache {\nserve_stale 1h verify 1s 30s 6m\n}', 'Corefile:3 - Error during setup: plugin/cache: serve_stale failure recheck over 5 minutes is not permitted'],
    ['cache {\nserve_stale 1h verify -1s\n}', 'Corefile:3 - Error during setup: plugin/cache: invalid negative verify timeout for serve_stale'],
    ['cache {\nserve_stale_policy prefer_positive\n}', 'Corefile:3 - Error during setup: plugin/cache: serve_stale_policy is not supported by podns yet'],
    ['cache {\nservfail\n}', "Corefile:3 - Error during setup: plugin/cache: Wrong argument count or unexpected line ending after 'servfail'"],
    ['cache {\nservfail 6m\n}', 'Corefile:3 - Error during setup: plugin/cache: caching SERVFAIL responses over 5 minutes is not permitted'],
    ['cache {\nservfail 20\n}', 'Corefile:3 - Error during setup: plugin/cache: time: missing unit in duration "20"'],
    ['cache {\nservfail -1s\n}', 'Corefile:3 - Error during setup: plugin/cache: invalid negative ttl for servfail'],
    ['cache {\nservfail aa\n}', 'Corefile:3 - Error during setup: plugin/cache: time: invalid duration "aa"'],
    ['cache {\nservfail 1m invalid\n}', "Corefile:3 - Error during setup: plugin/cache: Wrong argument count or unexpected line ending after 'invalid'"],
    ['cache {\ndisable\n}', "Corefile:3 - Error during setup: plugin/cache: Wrong argument count or unexpected line ending after 'disable'"],
    ['cache {\ndisable invalid example.com example.org\n}', 'Corefile:3 - Error during setup: plugin/cache: cache type for disable must be "success" or "denial"'],
    ['cache {\nkeepttl 1\n}', "Corefile:3 - Error during setup: plugin/cache: Wrong argument count or unexpected line ending after '1'"],
  ];
  for (const [stanza, message] of cases) {
    assert.throws(() => parse(stanza), (err: Error) => {
      assert.equal(err.message, message, stanza);
      return true;
    }, stanza);
  }
});

test('cache: only once per server block', () => {
  const blocks = parseCorefile('. {\ncache\ncache 30\n}\n', { file: 'Corefile' });
  assert.throws(() => DnsServer.create(blocks, { manifests: [], log: silentLogger, defaultBind: ['127.0.0.1'] }),
    /Corefile:3 - Error during setup: plugin\/cache: this plugin can only be used once per Server Block/);
});
