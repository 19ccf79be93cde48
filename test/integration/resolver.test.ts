// End to end: the real `podns serve` process as a caching resolver. Its blocks `forward` to
// scripted upstreams (src/testing/upstream.ts) running in this process on 127.0.0.1, with and
// without `cache` (TTL countdown, prefetch, serve_stale); queried with dig and kdig, and its
// /metrics scraped over HTTP. One process serves every block (one zone per behaviour, same port),
// so the tests run in order and the metrics test checks the counts the earlier tests produced.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Message } from '../../src/dns/types.ts';
import { Rcode } from '../../src/dns/types.ts';
import { rr } from '../../src/testing/rr.ts';
import { answerTo, startUpstream } from '../../src/testing/upstream.ts';
import type { Upstream } from '../../src/testing/upstream.ts';
import { dig, eventually, freePort, run, startPodns } from './harness.ts';
import type { DigResult, Running } from './harness.ts';

const SOA = 'fwd.test. 300 IN SOA ns.fwd.test. hostmaster.fwd.test. 7 7200 1800 86400 60';

/** TTL of the prefetch block's hot name (MINTTL is lowered to 1 there so it is kept as is). */
const HOT_TTL = 4;
/** TTL the stale upstream gives (MINTTL is lowered to 1 in those blocks so it is kept as is). */
const STALE_TTL = 2;
/** The RESPONSE_TTL of the stale30 block. */
const RESPONSE_TTL = 30;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** How many queries for `name` (any case, with or without the final dot) the upstream received. */
function asked(up: Upstream, name: string): number {
  const want = name.toLowerCase().replace(/\.?$/, '.');
  return up.queries.filter((q) => q.msg.questions[0]?.name.toLowerCase() === want).length;
}

/** TTL and data of an answer line `name ttl IN type data`. */
function parsed(line: string | undefined): { ttl: number; data: string } {
  assert.ok(line !== undefined, 'an answer record');
  const [, ttl, , , ...data] = line.split(' ');
  return { ttl: Number(ttl), data: data.join(' ') };
}

function corefile(main: Upstream, stale: Upstream, metricsPort: number): string {
  const head = `    bind 127.0.0.1\n    prometheus 127.0.0.1:${metricsPort}`;
  const deadForward = `forward . ${stale.address} {
        read_timeout 200ms
        max_fails 0
    }`;
  return `fwd.test:{PORT} {
${head}
    forward . ${main.address}
}
cached.test:{PORT} {
${head}
    cache 30
    forward . ${main.address}
}
prefetch.test:{PORT} {
${head}
    cache 30 {
        success 9984 30 1
        prefetch 1 1m 50%
    }
    forward . ${main.address}
}
stale.test:{PORT} {
${head}
    cache 30 {
        success 9984 30 1
        serve_stale 1h
    }
    ${deadForward}
}
stale30.test:{PORT} {
${head}
    cache 30 {
        success 9984 30 1
        serve_stale 1h immediate ${RESPONSE_TTL}s
    }
    ${deadForward}
}
nostale.test:{PORT} {
${head}
    cache 30 {
        success 9984 30 1
    }
    ${deadForward}
}
`;
}

describe('podns serve as a forwarding, caching resolver', () => {
  let main: Upstream;
  let stale: Upstream;
  let server: Running;
  let metricsPort: number;
  /** Queries sent per zone of the server, for the metrics test. */
  const sent = new Map<string, number>();
  /** The upstream holds its answer to a refresh of the hot name until the test calls this. */
  let releaseRefresh = (): void => {};
  const refreshHeld = new Promise<void>((resolve) => { releaseRefresh = resolve; });
  /** Answers of the stale.test block that carried the stale TTL (0). */
  let staleServed = 0;

  /** dig against the server, counted under the query's zone (the second-level name). */
  async function q(name: string, ...args: string[]): Promise<DigResult> {
    const zone = `${name.toLowerCase().split('.').slice(-2).join('.')}.`;
    const r = await dig(server.port, ...args, name, 'A');
    sent.set(zone, (sent.get(zone) ?? 0) + 1);
    return r;
  }

  before(async () => {
    // The main upstream: the n-th query for a name gets 192.0.2.n (so a refreshed answer shows);
    // TTLs by name; the refresh of the hot name is held, so that queries overlap it.
    main = await startUpstream(async (query: Message) => {
      const name = query.questions[0]!.name;
      const lname = name.toLowerCase();
      const n = asked(main, lname);
      if (lname === 'missing.fwd.test.') return answerTo(query, { rcode: Rcode.NXDOMAIN, authorities: [rr(SOA)] });
      if (lname === 'www.fwd.test.') {
        return answerTo(query, { answers: [rr(`${name} 60 IN A 192.0.2.10`), rr(`${name} 60 IN A 192.0.2.11`)] });
      }
      if (lname === 'ttl20.cached.test.') return answerTo(query, { answers: [rr(`${name} 20 IN A 192.0.2.${n}`)] });
      if (lname === 'ttl300.cached.test.') return answerTo(query, { answers: [rr(`${name} 300 IN A 192.0.2.${n}`)] });
      if (lname === 'hot.prefetch.test.') {
        // Held at most 1.5 s: forward's 2 s read timeout would retry it.
        if (n > 1) await Promise.race([refreshHeld, sleep(1500)]);
        return answerTo(query, { answers: [rr(`${name} ${HOT_TTL} IN A 192.0.2.${n}`)] });
      }
      return answerTo(query, { rcode: Rcode.REFUSED });
    });
    // The upstream of the serve_stale blocks: taken down by its test.
    stale = await startUpstream((query) => {
      const name = query.questions[0]!.name;
      return answerTo(query, { answers: [rr(`${name} ${STALE_TTL} IN A 198.51.100.${asked(stale, name)}`)] });
    });
    metricsPort = await freePort();
    server = await startPodns(corefile(main, stale, metricsPort), []);
  });
  after(async () => {
    await server?.stop();
    await main?.close();
    await stale?.close();
  });

  test('forward relays the upstream answer and NXDOMAIN; no cache block, no replay', async () => {
    const r = await q('www.fwd.test');
    assert.equal(r.status, 'NOERROR');
    assert.deepEqual([...r.answer].sort(), ['www.fwd.test. 60 IN A 192.0.2.10', 'www.fwd.test. 60 IN A 192.0.2.11']);
    assert.ok(r.flags.includes('ra') && !r.flags.includes('aa'), r.flags.join(' '));
    assert.equal(asked(main, 'www.fwd.test'), 1, 'the upstream saw the query');
    const last = main.queries.at(-1)!;
    assert.equal(last.transport, 'udp');
    assert.equal(last.msg.questions[0]!.type, 1);

    const tcp = await run('kdig', ['@127.0.0.1', '-p', String(server.port), '+tcp', '+short', 'www.fwd.test', 'A']);
    sent.set('fwd.test.', (sent.get('fwd.test.') ?? 0) + 1);
    assert.deepEqual(tcp.trim().split('\n').sort(), ['192.0.2.10', '192.0.2.11']);
    assert.equal(asked(main, 'www.fwd.test'), 2, 'without cache every query goes upstream');
    assert.equal(main.queries.at(-1)!.transport, 'tcp', 'over the client transport');

    const nx = await q('missing.fwd.test');
    assert.equal(nx.status, 'NXDOMAIN');
    assert.deepEqual(nx.answer, []);
    assert.deepEqual(nx.authority, [SOA]);
    assert.equal(asked(main, 'missing.fwd.test'), 1);
  });

  test('cache: the first answer carries the upstream TTL, later ones count down; one upstream query', async () => {
    const first = await q('ttl20.cached.test');
    assert.equal(first.status, 'NOERROR');
    const a = parsed(first.answer[0]);
    assert.equal(a.ttl, 20, 'the upstream TTL (under `cache 30`)');
    assert.equal(a.data, '192.0.2.1');
    const t0 = Date.now();
    await sleep(1100);
    const second = await q('ttl20.cached.test');
    const b = parsed(second.answer[0]);
    assert.equal(b.data, a.data, 'the same answer, from the cache');
    const elapsed = Math.trunc((Date.now() - t0) / 1000);
    assert.ok(b.ttl < a.ttl && b.ttl >= a.ttl - elapsed - 1, `TTL ${b.ttl} after ${Date.now() - t0} ms`);
    assert.equal(asked(main, 'ttl20.cached.test'), 1, 'the upstream was asked once');

    // A TTL over the cache's maximum is clamped to it, in what the client gets too.
    const long = await q('ttl300.cached.test');
    assert.equal(parsed(long.answer[0]).ttl, 30);
    await q('TTL300.Cached.Test');
    assert.equal(asked(main, 'ttl300.cached.test'), 1, 'the key is case-insensitive');
  });

  test('prefetch: one background refresh near expiry, clients answered from the cache meanwhile', async () => {
    // 50% of a 4 s lifetime: prefetch once 2 s or less are left.
    const first = await q('hot.prefetch.test');
    const stored = Date.now();
    const orig = parsed(first.answer[0]);
    assert.deepEqual(orig, { ttl: HOT_TTL, data: '192.0.2.1' });

    await sleep(1100);
    const early = parsed((await q('hot.prefetch.test')).answer[0]);
    assert.equal(early.data, orig.data);
    assert.ok(early.ttl > HOT_TTL / 2, `TTL ${early.ttl}: not yet in the prefetch window`);
    assert.equal(asked(main, 'hot.prefetch.test'), 1, 'no prefetch while more than half the TTL is left');

    await sleep(Math.max(0, stored + 2100 - Date.now()));
    // This hit is in the prefetch window: served from the cache, and the refresh starts.
    const trigger = parsed((await q('hot.prefetch.test')).answer[0]);
    assert.equal(trigger.data, orig.data);
    assert.ok(trigger.ttl > 0 && trigger.ttl <= HOT_TTL / 2, `TTL ${trigger.ttl}`);
    await eventually(async () => asked(main, 'hot.prefetch.test') === 2, 1000, 10);

    // While the upstream holds the refresh: a burst of clients, all answered from the cache, and
    // no second refresh of the key.
    const burst = await Promise.all(Array.from({ length: 8 }, () => q('hot.prefetch.test')));
    for (const r of burst) {
      assert.equal(r.status, 'NOERROR');
      const x = parsed(r.answer[0]);
      assert.equal(x.data, orig.data, 'answered from the cache while the refresh is in flight');
      assert.ok(x.ttl > 0 && x.ttl <= HOT_TTL / 2, `TTL ${x.ttl}`);
    }
    assert.equal(asked(main, 'hot.prefetch.test'), 2, 'one refresh in flight for the key, not one per query');
    releaseRefresh();

    // The refreshed entry is served with the new data and a full TTL, without another upstream query.
    let fresh = { ttl: 0, data: '' };
    await eventually(async () => {
      fresh = parsed((await q('hot.prefetch.test')).answer[0]);
      return fresh.data !== orig.data;
    }, 2000, 50);
    assert.equal(fresh.data, '192.0.2.2', 'the answer of the refresh');
    assert.ok(fresh.ttl >= HOT_TTL - 1, `TTL ${fresh.ttl} of the refreshed entry`);
    assert.equal(asked(main, 'hot.prefetch.test'), 2, 'exactly one refresh: never two in flight for one key');
  });

  test('serve_stale: expired entries are served while the upstream is down; SERVFAIL without it', async () => {
    const names = ['www.stale.test', 'www.stale30.test', 'www.nostale.test'];
    const firsts = await Promise.all(names.map((n) => q(n)));
    const stored = Date.now();
    const data = firsts.map((r) => {
      const a = parsed(r.answer[0]);
      assert.equal(a.ttl, STALE_TTL);
      return a.data;
    });
    // The upstream goes silent.
    stale.setScript(() => 'drop');
    const askedBefore = names.map((n) => asked(stale, n));
    await sleep(Math.max(0, stored + STALE_TTL * 1000 + 100 - Date.now()));

    const s = await q('www.stale.test');
    assert.equal(s.status, 'NOERROR');
    assert.deepEqual(parsed(s.answer[0]), { ttl: 0, data: data[0] }, 'stale answers have TTL 0 by default');
    staleServed++;
    const s30 = await q('www.stale30.test');
    assert.equal(s30.status, 'NOERROR');
    assert.deepEqual(parsed(s30.answer[0]), { ttl: RESPONSE_TTL, data: data[1] }, 'or RESPONSE_TTL');
    const none = await q('www.nostale.test');
    assert.equal(none.status, 'SERVFAIL', 'without serve_stale the expired entry is gone');
    assert.deepEqual(none.answer, []);
    assert.ok(asked(stale, 'www.nostale.test') > askedBefore[2]!, 'the control block did ask the upstream');

    // immediate: the stale answer was sent first, then the entry was refreshed in the background
    // (which failed); the failure does not hide the stale entry.
    await eventually(async () => asked(stale, 'www.stale.test') > askedBefore[0]!, 2000, 20);
    await sleep(500); // the refresh gives up after 2 attempts of 200 ms (read_timeout)
    const again = await q('www.stale.test');
    assert.deepEqual(parsed(again.answer[0]), { ttl: 0, data: data[0] });
    staleServed++;

    // The upstream is back: the next stale hit refreshes the entry, then fresh answers follow.
    stale.setScript((query) => answerTo(query, { answers: [rr(`${query.questions[0]!.name} ${STALE_TTL} IN A 198.51.100.200`)] }));
    let fresh = { ttl: 0, data: '' };
    await eventually(async () => {
      fresh = parsed((await q('www.stale.test')).answer[0]);
      if (fresh.ttl === 0) staleServed++;
      return fresh.data !== data[0];
    }, 3000, 50);
    assert.equal(fresh.data, '198.51.100.200', 'the refreshed answer');
    assert.ok(fresh.ttl > 0 && fresh.ttl <= STALE_TTL, `TTL ${fresh.ttl} of the refreshed entry`);
  });

  test('/metrics over HTTP: CoreDNS names and labels, counts matching the traffic above', async () => {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const value = (series: string): number | undefined => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    const srv = `dns://127.0.0.1:${server.port}`;

    // Server metrics, per block zone (the kdig query was over TCP).
    assert.equal(value(`coredns_dns_requests_total{server="${srv}",zone="fwd.test.",view="",proto="udp",family="1",type="A"}`), sent.get('fwd.test.')! - 1);
    assert.equal(value(`coredns_dns_requests_total{server="${srv}",zone="fwd.test.",view="",proto="tcp",family="1",type="A"}`), 1);
    assert.equal(value(`coredns_dns_requests_total{server="${srv}",zone="cached.test.",view="",proto="udp",family="1",type="A"}`), sent.get('cached.test.'));
    assert.equal(value(`coredns_dns_responses_total{server="${srv}",zone="fwd.test.",view="",rcode="NXDOMAIN",plugin="forward"}`), asked(main, 'missing.fwd.test'));
    // The SERVFAIL after the upstream failed was written by the server itself: plugin="".
    assert.equal(value(`coredns_dns_responses_total{server="${srv}",zone="nostale.test.",view="",rcode="SERVFAIL",plugin=""}`), 1);
    assert.equal(value(`coredns_dns_responses_total{server="${srv}",zone="cached.test.",view="",rcode="NOERROR",plugin="cache"}`), sent.get('cached.test.')! - asked(main, 'ttl20.cached.test') - asked(main, 'ttl300.cached.test'));

    for (const name of ['prometheus', 'cache', 'forward']) {
      assert.equal(value(`coredns_plugin_enabled{server="${srv}",zone="cached.test.",view="",name="${name}"}`), 1, name);
    }

    // cache: every query of the cached block was a miss (one upstream query each) or a hit.
    const misses = asked(main, 'ttl20.cached.test') + asked(main, 'ttl300.cached.test');
    assert.equal(value(`coredns_cache_misses_total{server="${srv}",zones="cached.test.",view=""}`), misses);
    assert.equal(value(`coredns_cache_hits_total{server="${srv}",type="success",zones="cached.test.",view=""}`), sent.get('cached.test.')! - misses);
    assert.equal(value(`coredns_cache_requests_total{server="${srv}",zones="cached.test.",view=""}`), sent.get('cached.test.'));
    assert.equal(value(`coredns_cache_entries{server="${srv}",type="success",zones="cached.test.",view=""}`), 2);

    // prefetch: one refresh, every later query of the hot name a hit.
    assert.equal(value(`coredns_cache_prefetch_total{server="${srv}",zones="prefetch.test.",view=""}`), asked(main, 'hot.prefetch.test') - 1);
    assert.equal(value(`coredns_cache_misses_total{server="${srv}",zones="prefetch.test.",view=""}`), 1);
    assert.equal(value(`coredns_cache_hits_total{server="${srv}",type="success",zones="prefetch.test.",view=""}`), sent.get('prefetch.test.')! - 1);

    // serve_stale: every answer with the stale TTL was counted as served stale, each triggering a
    // background refresh unless one was in flight.
    assert.equal(value(`coredns_cache_served_stale_total{server="${srv}",zones="stale.test.",view=""}`), staleServed);
    const staleRefreshes = value(`coredns_cache_prefetch_total{server="${srv}",zones="stale.test.",view=""}`) ?? 0;
    assert.ok(staleRefreshes >= 1 && staleRefreshes <= staleServed, `${staleRefreshes} stale refreshes for ${staleServed} stale answers`);
    assert.equal(value(`coredns_cache_served_stale_total{server="${srv}",zones="stale30.test.",view=""}`), 1);
    assert.equal(value(`coredns_cache_served_stale_total{server="${srv}",zones="nostale.test.",view=""}`) ?? 0, 0);

    // forward (CoreDNS ≥ 1.11 names): one exchange per upstream query, by upstream and rcode.
    const to = (rcode: string): string => `coredns_proxy_request_duration_seconds_count{proxy_name="forward",to="${main.address}",rcode="${rcode}"}`;
    assert.equal((value(to('NOERROR')) ?? 0) + (value(to('NXDOMAIN')) ?? 0), main.queries.length);
    assert.equal(value(to('NXDOMAIN')), asked(main, 'missing.fwd.test'));
    assert.match(text, new RegExp(`coredns_proxy_conn_cache_(hits|misses)_total\\{proxy_name="forward",to="${main.address.replaceAll('.', '\\.')}",proto="udp"\\} \\d+`));
  });
});
