// The cache handler against a scripted next handler, on an injected clock (no sleeping): what is
// stored and for how long, TTL countdown and clamps, keepttl, AA/AD, the key, capacity, prefetch,
// serve_stale, disable, shared in-flight queries, and authoritative (cacheable) replies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import type { Handler } from '../../core/handler.ts';
import type { Counter, Gauge } from '../../core/prom.ts';
import { Request, reply } from '../../core/request.ts';
import type { ReplyParts } from '../../core/request.ts';
import { Recorder } from '../../core/writer.ts';
import type { ResponseWriter, Versioned } from '../../core/writer.ts';
import type { Message } from '../../dns/types.ts';
import { Rcode, RRType } from '../../dns/types.ts';
import { formatRR, rr } from '../../testing/rr.ts';
import { CacheHandler } from './cache.ts';
import {
  cacheDrops, cacheEntries, cacheEvictions, cacheHits, cacheMisses, cachePrefetches, cacheRequests, cacheServedStale,
} from './metrics.ts';
import { parseCache } from './setup.ts';

const SOA = 'example.org. 300 IN SOA ns.example.org. host.example.org. 1 7200 1800 86400 60';

function options(stanza: string, zones: readonly string[] = ['.']) {
  const d = parseCorefile(`. {\n${stanza}\n}\n`, { file: 'Corefile' })[0]!.directives[0]!;
  return parseCache(d, zones);
}

let servers = 0;

interface QueryOptions { do?: boolean; cd?: boolean; ad?: boolean; id?: number; server?: string; depth?: number; transport?: 'udp' | 'tcp' }

function query(name: string, type: number = RRType.A, o: QueryOptions = {}): Request {
  const msg: Message = {
    id: o.id ?? 1, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: o.ad ?? false,
    cd: o.cd ?? false, rcode: 0, questions: [{ name, type, class: 1 }], answers: [], authorities: [], additionals: [],
    edns: o.do === true ? { udpSize: 4096, version: 0, do: true, extendedRcode: 0, options: [] } : null,
  };
  return new Request(msg, { address: '10.0.0.1', port: 5353, family: 4 }, o.transport ?? 'udp', o.depth ?? 0, o.server ?? 'dns://:53');
}

type Answer = (req: Request, w: ResponseWriter) => Message | Error | null | Promise<Message | Error | null>;

/** A next handler answering with `answer`, recording the requests it got. */
class Scripted implements Handler {
  readonly name = 'scripted';
  readonly calls: Request[] = [];
  answer: Answer;
  constructor(answer: Answer) { this.answer = answer; }
  async serveDNS(req: Request, w: ResponseWriter): Promise<void> {
    this.calls.push(req);
    const m = await this.answer(req, w);
    if (m instanceof Error) throw m;
    if (m !== null) w.write(m, 'scripted');
  }
}

const ok = (req: Request, parts: ReplyParts): Message => reply(req, { ra: true, ...parts });
const a = (ttl: number, ip = '192.0.2.1', name = 'www.example.org.'): ReplyParts => ({ answers: [rr(`${name} ${ttl} IN A ${ip}`)] });

/** A promise and its resolver, to hold a chain run in flight. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = (): void => {};
  const wait = new Promise<void>((res) => { open = res; });
  return { wait, open };
}

/** A cache on a fake clock (ms), its scripted next handler and a fresh `server` metrics label. */
function setup(stanza: string, answer: Answer, zones?: readonly string[]) {
  const clock = { t: 1_700_000_000_000 };
  const next = new Scripted(answer);
  const cache = new CacheHandler(next, options(stanza, zones), { now: () => clock.t, random: () => 0 });
  const server = `dns://:${++servers}`;
  const ask = async (name: string, type: number = RRType.A, o: QueryOptions = {}): Promise<Recorder> => {
    const w = new Recorder();
    await cache.serveDNS(query(name, type, { server, ...o }), w);
    return w;
  };
  const advance = (seconds: number): void => { clock.t += seconds * 1000; };
  return { clock, next, cache, server, ask, advance };
}

const lines = (m: Message | null): string[] => (m === null ? [] : [...m.answers, ...m.authorities, ...m.additionals].map(formatRR));

async function value(metric: Counter | Gauge, labels: Record<string, string>): Promise<number> {
  const v = (await metric.get()).values.find((x) => Object.entries(labels).every(([k, l]) => x.labels[k] === l));
  return v?.value ?? 0;
}

test('cache: a NOERROR answer is stored with every TTL set to the smallest, and counts down', async () => {
  const c = setup('cache', (req) => ok(req, {
    answers: [rr('www.example.org. 300 IN A 192.0.2.1'), rr('www.example.org. 60 IN A 192.0.2.2')],
    additionals: [rr('www.example.org. 120 IN TXT "x"')],
  }));
  const first = await c.ask('www.example.org.');
  assert.equal(first.writtenBy, 'scripted');
  assert.deepEqual(lines(first.written), ['www.example.org. 60 IN A 192.0.2.1', 'www.example.org. 60 IN A 192.0.2.2', 'www.example.org. 60 IN TXT "x"']);
  c.advance(10);
  const second = await c.ask('www.example.org.', RRType.A, { id: 4242 });
  assert.equal(c.next.calls.length, 1, 'answered from the cache');
  assert.equal(second.writtenBy, 'cache');
  assert.equal(second.written!.id, 4242);
  assert.deepEqual(lines(second.written), ['www.example.org. 50 IN A 192.0.2.1', 'www.example.org. 50 IN A 192.0.2.2', 'www.example.org. 50 IN TXT "x"']);
  assert.equal(second.cacheSource, null, 'not a pure function of the query: it depends on the clock');
  // The server may replay the hit's bytes: each replay is a hit with the TTL counted down.
  const countdown = second.countdown!;
  assert.notEqual(countdown, null);
  c.advance(0.9);
  assert.equal(countdown.replay(), 50, 'whole seconds, truncated');
  assert.deepEqual(lines((await c.ask('www.example.org.')).written).slice(0, 1), ['www.example.org. 50 IN A 192.0.2.1'], 'whole seconds, truncated');
  c.advance(1);
  assert.equal(countdown.replay(), 49);
  c.advance(48.1);
  assert.equal(countdown.replay(), -1, 'expired: the chain answers');
  await c.ask('www.example.org.');
  assert.equal(c.next.calls.length, 2, 'expired at TTL 0');
  assert.equal(countdown.replay(), -1, 'replaced by the new entry');
  const labels = { server: c.server, zones: '.', view: '' };
  assert.equal(await value(cacheRequests, labels), 6);
  assert.equal(await value(cacheMisses, labels), 2);
  assert.equal(await value(cacheHits, { ...labels, type: 'success' }), 4);
  assert.equal(await value(cacheEntries, { ...labels, type: 'success' }), 1);
});

test('cache: lifetimes are clamped to [MINTTL, TTL] per type', async () => {
  const cases: Array<[string, ReplyParts, number | null]> = [
    // stanza, reply, TTL served (null: not stored)
    ['cache', a(1), 5],
    ['cache', a(100_000), 3600],
    ['cache 30', a(300), 30],
    ['cache 7200', a(5000), 5000],
    ['cache {\nsuccess 1000 600 60\n}', a(10), 60],
    ['cache {\nsuccess 1000 600 60\n}', a(6000), 600],
    ['cache {\nsuccess 1000 3600 0\n}', a(0), null],
    ['cache', { rcode: Rcode.NXDOMAIN, authorities: [rr(SOA.replace(' 300 ', ' 7200 '))] }, 1800],
    ['cache {\ndenial 1000 60 30\n}', { rcode: Rcode.NXDOMAIN, authorities: [rr(SOA.replace(' 300 ', ' 10 '))] }, 30],
    ['cache 20', { rcode: Rcode.NXDOMAIN, authorities: [rr(SOA)] }, 20],
    // A delegation, and an empty NOERROR, get CoreDNS's fail-safe 5 seconds.
    ['cache', { authorities: [rr('example.org. 3600 IN NS ns.example.org.')] }, 5],
  ];
  for (const [stanza, parts, want] of cases) {
    const c = setup(stanza, (req) => ok(req, parts));
    const first = await c.ask('www.example.org.');
    if (want !== null) assert.ok(lines(first.written).every((l) => l.includes(` ${want} IN `)), `${stanza}: ${lines(first.written).join('; ')}`);
    await c.ask('www.example.org.');
    assert.equal(c.next.calls.length, want === null ? 2 : 1, stanza);
  }
});

test('cache: what is stored, and in which store', async () => {
  const cname = (target: string): ReplyParts => ({ answers: [rr(`www.example.org. 60 IN CNAME ${target}`), rr(`${target} 60 IN A 192.0.2.9`)] });
  const cases: Array<[string, ReplyParts, 'success' | 'denial' | null]> = [
    ['NOERROR with the answer', a(60), 'success'],
    ['NXDOMAIN with SOA', { rcode: Rcode.NXDOMAIN, authorities: [rr(SOA)] }, 'denial'],
    ['NXDOMAIN without SOA', { rcode: Rcode.NXDOMAIN }, null],
    ['NODATA (NOERROR, SOA)', { authorities: [rr(SOA)] }, 'denial'],
    ['SERVFAIL', { rcode: Rcode.SERVFAIL }, 'denial'],
    ['NOTIMP', { rcode: Rcode.NOTIMP }, 'denial'],
    ['REFUSED', { rcode: Rcode.REFUSED }, null],
    ['FORMERR', { rcode: Rcode.FORMERR }, null],
    ['truncated', { ...a(60), tc: true }, null],
    ['a CNAME chain that reaches the type', cname('web.example.net.'), 'success'],
    ['a CNAME chain that does not reach the type, no SOA', { answers: [rr('www.example.org. 60 IN CNAME web.example.net.')] }, null],
    ['a CNAME chain that does not reach the type, with SOA: NODATA', { answers: [rr('www.example.org. 60 IN CNAME web.example.net.')], authorities: [rr(SOA)] }, 'denial'],
    ['a CNAME loop', { answers: [rr('www.example.org. 60 IN CNAME www.example.org.'), rr('www.example.org. 60 IN A 192.0.2.1')] }, null],
    ['records of another name only', { answers: [rr('other.example.org. 60 IN A 192.0.2.1')] }, null],
    ['an empty NOERROR (data outside the answer, like whoami)', { additionals: [rr('www.example.org. 60 IN A 192.0.2.1')] }, 'success'],
  ];
  for (const [what, parts, store] of cases) {
    const c = setup('cache', (req) => ok(req, parts));
    await c.ask('www.example.org.');
    assert.deepEqual(c.cache.entries, { success: store === 'success' ? 1 : 0, denial: store === 'denial' ? 1 : 0 }, what);
    const again = await c.ask('www.example.org.');
    assert.equal(c.next.calls.length, store === null ? 2 : 1, what);
    if (store !== null) assert.equal(again.written!.rcode, parts.rcode ?? Rcode.NOERROR, what);
  }
});

test('cache: zone transfers, NOTIFY and UPDATE are never stored; extra messages and declarations reach the client', async () => {
  const c = setup('cache', (req, w) => {
    w.write(ok(req, { answers: [rr(SOA)] }), 'scripted');
    w.writeMore(ok(req, { answers: [rr('www.example.org. 60 IN A 192.0.2.1')] }));
    return null;
  });
  const w = await c.ask('example.org.', RRType.AXFR, { transport: 'tcp' });
  assert.equal(w.more?.length, 1, 'writeMore forwarded');
  assert.equal(w.noCache, true);
  assert.deepEqual(c.cache.entries, { success: 0, denial: 0 });
  for (const opcode of [4, 5]) {
    const d = setup('cache', (req) => ({ ...ok(req, a(60)), opcode }));
    await d.ask('www.example.org.');
    assert.deepEqual(d.cache.entries, { success: 0, denial: 0 }, `opcode ${opcode}`);
  }
});

test('cache: SERVFAIL is kept for the servfail duration, never 0, and does not shadow a usable answer', async () => {
  const c = setup('cache', (req) => ok(req, { rcode: Rcode.SERVFAIL }));
  await c.ask('www.example.org.');
  c.advance(4);
  assert.equal((await c.ask('www.example.org.')).writtenBy, 'cache');
  c.advance(1);
  await c.ask('www.example.org.');
  assert.equal(c.next.calls.length, 2, 'kept 5 s by default');

  const off = setup('cache {\nservfail 0\n}', (req) => ok(req, { rcode: Rcode.SERVFAIL }));
  await off.ask('www.example.org.');
  await off.ask('www.example.org.');
  assert.equal(off.next.calls.length, 2);

  const longer = setup('cache {\nservfail 30s\n}', (req) => ok(req, { rcode: Rcode.SERVFAIL }));
  await longer.ask('www.example.org.');
  longer.advance(29);
  await longer.ask('www.example.org.');
  assert.equal(longer.next.calls.length, 1);

  // With serve_stale, a stale answer beats a fresh SERVFAIL for the same key.
  const s = setup('cache {\nserve_stale\n}', (req) => ok(req, a(10)));
  await s.ask('www.example.org.');
  s.next.answer = (req) => ok(req, { rcode: Rcode.SERVFAIL });
  s.advance(20);
  const stale = await s.ask('www.example.org.');
  await s.cache.idle();
  assert.equal(stale.written!.rcode, Rcode.NOERROR);
  assert.equal(s.cache.entries.denial, 1, 'the failed refresh stored its SERVFAIL (no FAILURE_RECHECK: as CoreDNS)');
  const after = await s.ask('www.example.org.');
  assert.equal(after.written!.rcode, Rcode.NOERROR, 'the SERVFAIL does not shadow the stale answer');
  assert.deepEqual(lines(after.written), ['www.example.org. 0 IN A 192.0.2.1']);
});

test('cache: keepttl serves the stored TTL until the entry expires', async () => {
  const c = setup('cache {\nkeepttl\n}', (req) => ok(req, a(300)));
  await c.ask('www.example.org.');
  c.advance(299);
  assert.deepEqual(lines((await c.ask('www.example.org.')).written), ['www.example.org. 300 IN A 192.0.2.1']);
  c.advance(1);
  await c.ask('www.example.org.');
  assert.equal(c.next.calls.length, 2);
});

test('cache: AA comes from the stored reply; AD only for clients that set DO or AD', async () => {
  const c = setup('cache', (req) => ok(req, { ...a(60), aa: true, ad: true }));
  const miss = await c.ask('www.example.org.');
  assert.equal(miss.written!.ad, false, 'AD cleared on the miss path too');
  assert.equal(miss.written!.aa, true);
  const plain = await c.ask('www.example.org.');
  assert.equal(plain.written!.aa, true);
  assert.equal(plain.written!.ad, false);
  assert.equal((await c.ask('www.example.org.', RRType.A, { ad: true })).written!.ad, true);
  const d = setup('cache', (req) => ok(req, { ...a(60), ad: true }));
  await d.ask('www.example.org.', RRType.A, { do: true });
  const withDo = await d.ask('www.example.org.', RRType.A, { do: true });
  assert.equal(withDo.writtenBy, 'cache');
  assert.equal(withDo.written!.ad, true);
  assert.equal(withDo.written!.aa, false, 'a forwarded answer is not authoritative, cached or not (CoreDNS #8419)');
  assert.equal(withDo.written!.ra, true);
});

test('cache: the key is the lower-cased name, type, class, DO and CD', async () => {
  const c = setup('cache', (req) => ok(req, a(60, '192.0.2.1', req.qname)));
  await c.ask('www.example.org.');
  const mixed = await c.ask('WWW.Example.ORG.');
  assert.equal(mixed.writtenBy, 'cache');
  assert.equal(mixed.written!.questions[0]!.name, 'WWW.Example.ORG.', 'the question as the client spelled it');
  await c.ask('www.example.org.', RRType.AAAA);
  await c.ask('www.example.org.', RRType.A, { do: true });
  await c.ask('www.example.org.', RRType.A, { cd: true });
  await c.ask('www.example.org.', RRType.A, { do: true, cd: true });
  assert.equal(c.next.calls.length, 5);
  const cd = await c.ask('www.example.org.', RRType.A, { cd: true });
  assert.equal(cd.writtenBy, 'cache');
  assert.equal(cd.written!.cd, true);
  assert.equal(c.next.calls.length, 5);
});

test('cache: a reply to another question is not stored and counted as a drop', async () => {
  const c = setup('cache', (req) => ({ ...ok(req, a(60, '192.0.2.1', 'other.example.org.')), questions: [{ name: 'other.example.org.', type: 1, class: 1 }] }));
  await c.ask('www.example.org.');
  assert.deepEqual(c.cache.entries, { success: 0, denial: 0 });
  assert.equal(await value(cacheDrops, { server: c.server, zones: '.', view: '' }), 1);
});

test('cache: a full store evicts a random entry; capacity is rounded to 256 shards', async () => {
  const c = setup('cache {\nsuccess 10\ndenial 10\n}', (req) => ok(req, a(60, '192.0.2.1', req.qname)));
  for (let i = 0; i < 1025; i++) await c.ask(`n${i}.example.org.`);
  assert.equal(c.cache.entries.success, 1024);
  const labels = { server: c.server, zones: '.', view: '' };
  assert.equal(await value(cacheEvictions, { ...labels, type: 'success' }), 1);
  assert.equal(await value(cacheEntries, { ...labels, type: 'success' }), 1024);
  // random() = 0 picked the first entry: n0 is gone, n1 and the newest are there.
  await c.ask('n1.example.org.');
  await c.ask('n1024.example.org.');
  assert.equal(c.next.calls.length, 1025);
  await c.ask('n0.example.org.');
  assert.equal(c.next.calls.length, 1026);
  // Replacing an existing key evicts nothing.
  c.advance(60);
  await c.ask('n1.example.org.');
  assert.equal(await value(cacheEvictions, { ...labels, type: 'success' }), 2, 'only n0 coming back evicted');
});

test('cache: disable success|denial ZONES do not store for those zones', async () => {
  const c = setup('cache {\ndisable success example.org\ndisable denial example.net\n}', (req) => (
    req.lname.startsWith('nx') ? ok(req, { rcode: Rcode.NXDOMAIN, authorities: [rr(SOA)] }) : ok(req, a(60, '192.0.2.1', req.qname))));
  for (const name of ['www.example.org.', 'nx.example.org.', 'www.example.net.', 'nx.example.net.', 'www.example.com.']) await c.ask(name);
  assert.deepEqual(c.cache.entries, { success: 2, denial: 1 });
  for (const name of ['www.example.org.', 'nx.example.org.', 'www.example.net.', 'nx.example.net.', 'www.example.com.']) await c.ask(name);
  assert.equal(c.next.calls.length, 7, 'www.example.org and nx.example.net asked again');
});

test('cache: queries outside the ZONES pass through untouched', async () => {
  const c = setup('cache example.org', (req) => ok(req, a(300, '192.0.2.1', req.qname)), ['.']);
  const w = await c.ask('www.example.com.');
  assert.deepEqual(lines(w.written), ['www.example.com. 300 IN A 192.0.2.1'], 'no TTL rewrite');
  await c.ask('www.example.com.');
  assert.equal(c.next.calls.length, 2);
  assert.equal(await value(cacheRequests, { server: c.server, zones: 'example.org.', view: '' }), 0);
  await c.ask('www.example.org.');
  await c.ask('www.example.org.');
  assert.equal(c.next.calls.length, 3);
});

test('cache: a reply the chain declared cacheable(source) passes through untouched and is not stored', async () => {
  const source: Versioned = { revision: 7 };
  let sent: Message | null = null;
  const c = setup('cache', (req, w) => {
    sent = ok(req, { rcode: Rcode.NXDOMAIN, aa: true, authorities: [rr('cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 30')] });
    w.write(sent, 'kubernetes');
    w.cacheable(source);
    return null;
  });
  const w = await c.ask('new-svc.default.svc.cluster.local.');
  assert.equal(w.written, sent, 'the very message, no TTL rewrite');
  assert.equal(w.writtenBy, 'kubernetes');
  assert.equal(w.cacheSource, source, 'cacheable() forwarded to the outer writer');
  assert.equal(w.cacheRevision, 7);
  assert.deepEqual(c.cache.entries, { success: 0, denial: 0 });
  await c.ask('new-svc.default.svc.cluster.local.');
  assert.equal(c.next.calls.length, 2, 'a new Service never meets a cached NXDOMAIN');

  // The source changed between the declaration and the end of the chain: not declared cacheable.
  const moving = setup('cache', async (req, w) => {
    w.write(ok(req, a(5)), 'kubernetes');
    w.cacheable(source);
    await Promise.resolve();
    (source as { revision: number }).revision++;
    return null;
  });
  const m = await moving.ask('www.example.org.');
  assert.equal(m.cacheSource, null);

  // uncacheable() after cacheable(): still authoritative (not stored), and the outer writer is told.
  const both = setup('cache', (req, w) => {
    w.write(ok(req, a(60)), 'kubernetes');
    w.cacheable(source);
    w.uncacheable();
    return null;
  });
  const b = await both.ask('www.example.org.');
  assert.equal(b.noCache, true);
  assert.deepEqual(both.cache.entries, { success: 0, denial: 0 });
});

test('cache: a refresh answered authoritatively drops the stored entry', async () => {
  const c = setup('cache {\nserve_stale\n}', (req) => ok(req, a(10)));
  await c.ask('www.example.org.');
  c.advance(15);
  c.next.answer = (req, w) => { w.write(ok(req, { rcode: Rcode.NXDOMAIN, aa: true }), 'kubernetes'); w.cacheable({ revision: 1 }); return null; };
  await c.ask('www.example.org.');
  await c.cache.idle();
  assert.deepEqual(c.cache.entries, { success: 0, denial: 0 });
  const w = await c.ask('www.example.org.');
  assert.equal(w.writtenBy, 'kubernetes');
});

test('cache: an error from the chain without a reply stores nothing and reaches the caller', async () => {
  const c = setup('cache', () => new Error('upstream down'));
  await assert.rejects(c.ask('www.example.org.'), /upstream down/);
  assert.deepEqual(c.cache.entries, { success: 0, denial: 0 });
});

test('cache: concurrent misses for one key share one chain run', async () => {
  const g = gate();
  const c = setup('cache', async (req) => { await g.wait; return ok(req, a(60)); });
  const asks = [1, 2, 3].map((id) => c.ask('www.example.org.', RRType.A, { id }));
  await new Promise((r) => setImmediate(r));
  assert.equal(c.next.calls.length, 1, 'one chain run in flight');
  g.open();
  const ws = await Promise.all(asks);
  assert.equal(c.next.calls.length, 1);
  assert.deepEqual(ws.map((w) => w.written!.id), [1, 2, 3]);
  assert.deepEqual(ws.map((w) => w.writtenBy), ['scripted', 'cache', 'cache']);
  for (const w of ws) assert.deepEqual(lines(w.written), ['www.example.org. 60 IN A 192.0.2.1']);

  // When the shared run stores nothing (REFUSED here), each waiter asks the chain itself.
  const h = gate();
  const r = setup('cache', async (req) => { await h.wait; return ok(req, { rcode: Rcode.REFUSED }); });
  const rs = [1, 2].map((id) => r.ask('www.example.org.', RRType.A, { id }));
  await new Promise((res) => setImmediate(res));
  h.open();
  await Promise.all(rs);
  assert.equal(r.next.calls.length, 2);

  // Nested lookups (depth > 0) never wait: a chain that asks its own key cannot deadlock.
  const loop = setup('cache', async (req, w) => {
    if (req.depth === 0) {
      const inner = new Recorder();
      await loop.cache.serveDNS(req.withQuestion(req.qname, req.qtype), inner);
      return inner.written;
    }
    w.write(ok(req, a(60)), 'scripted');
    return null;
  });
  const lw = await loop.ask('www.example.org.');
  assert.deepEqual(lines(lw.written), ['www.example.org. 60 IN A 192.0.2.1']);
});

test('cache: prefetch refreshes a popular entry once, in the background, with AD, over the client transport', async () => {
  const g = gate();
  let ip = '192.0.2.1';
  const c = setup('cache {\nprefetch 2 1m 10%\n}', async (req) => {
    if (ip !== '192.0.2.1') await g.wait;
    return ok(req, a(100, ip));
  });
  await c.ask('www.example.org.');
  c.advance(50);
  await c.ask('www.example.org.'); // hits: 1
  c.advance(39);
  await c.ask('www.example.org.'); // hits: 2, TTL 11 > ceil(10% of 100): not yet
  assert.equal(c.next.calls.length, 1);
  ip = '192.0.2.2';
  c.advance(1);
  const during = await c.ask('www.example.org.'); // hits: 3, TTL 10: prefetch
  assert.equal(c.next.calls.length, 2, 'prefetch started');
  assert.deepEqual(lines(during.written), ['www.example.org. 10 IN A 192.0.2.1'], 'the client gets the current entry');
  const r = c.next.calls[1]!;
  assert.equal(r.msg.ad, true);
  assert.equal(r.transport, 'udp');
  await c.ask('www.example.org.');
  await c.ask('www.example.org.');
  assert.equal(c.next.calls.length, 2, 'never two refreshes of one key in flight');
  g.open();
  await c.cache.idle();
  const after = await c.ask('www.example.org.');
  assert.deepEqual(lines(after.written), ['www.example.org. 100 IN A 192.0.2.2']);
  assert.equal(await value(cachePrefetches, { server: c.server, zones: '.', view: '' }), 1);
  // Popularity carried over: the refreshed entry is prefetched again once it is low.
  c.advance(50);
  await c.ask('www.example.org.');
  c.advance(41);
  await c.ask('www.example.org.');
  assert.equal(c.next.calls.length, 3);
  await c.cache.idle();

  // An entry asked with gaps longer than DURATION is not popular.
  const d = setup('cache {\nprefetch 2 10s 10%\n}', (req) => ok(req, a(100)));
  await d.ask('www.example.org.');
  for (let i = 0; i < 5; i++) { d.advance(18); await d.ask('www.example.org.'); }
  assert.equal(d.next.calls.length, 1);
});

test('cache: serve_stale immediate answers stale (TTL 0) and refreshes in the background', async () => {
  const c = setup('cache {\nserve_stale 1m\n}', (req) => ok(req, a(10)));
  await c.ask('www.example.org.');
  c.next.answer = () => new Error('upstream down');
  c.advance(15);
  const stale = await c.ask('www.example.org.');
  assert.equal(stale.writtenBy, 'cache');
  assert.deepEqual(lines(stale.written), ['www.example.org. 0 IN A 192.0.2.1']);
  await c.ask('www.example.org.');
  assert.equal(c.next.calls.length, 2, 'one refresh in flight');
  await c.cache.idle();
  await c.ask('www.example.org.');
  await c.cache.idle();
  assert.equal(c.next.calls.length, 3, 'a failed refresh is retried at the next stale request');
  assert.equal(await value(cacheServedStale, { server: c.server, zones: '.', view: '' }), 3);
  c.advance(55); // expired 60 s ago: beyond the window
  await assert.rejects(c.ask('www.example.org.'), /upstream down/);

  const fresh = setup('cache {\nserve_stale 1h immediate\n}', (req) => ok(req, a(10)));
  await fresh.ask('www.example.org.');
  fresh.advance(10);
  fresh.next.answer = (req) => ok(req, a(10, '192.0.2.2'));
  assert.deepEqual(lines((await fresh.ask('www.example.org.')).written), ['www.example.org. 0 IN A 192.0.2.1'], 'TTL 0 is stale already');
  await fresh.cache.idle();
  assert.deepEqual(lines((await fresh.ask('www.example.org.')).written), ['www.example.org. 10 IN A 192.0.2.2']);

  const keep = setup('cache {\nserve_stale\nkeepttl\n}', (req) => ok(req, a(10)));
  await keep.ask('www.example.org.');
  keep.advance(100);
  keep.next.answer = () => new Error('down');
  assert.deepEqual(lines((await keep.ask('www.example.org.')).written), ['www.example.org. 10 IN A 192.0.2.1'], 'keepttl wins, as in CoreDNS');
  await keep.cache.idle();
});

test('cache: serve_stale RESPONSE_TTL and FAILURE_RECHECK', async () => {
  const c = setup('cache {\nserve_stale 1h immediate 30s 30s\n}', (req) => ok(req, { rcode: Rcode.NXDOMAIN, authorities: [rr(SOA.replace(' 300 ', ' 10 '))] }));
  await c.ask('nx.example.org.');
  c.next.answer = (req) => ok(req, { rcode: Rcode.SERVFAIL });
  c.advance(12);
  const stale = await c.ask('nx.example.org.');
  assert.equal(stale.written!.rcode, Rcode.NXDOMAIN);
  assert.deepEqual(lines(stale.written), ['example.org. 30 IN SOA ns.example.org. host.example.org. 1 7200 1800 86400 60']);
  await c.cache.idle();
  assert.equal(c.next.calls.length, 2);
  c.advance(10);
  assert.equal((await c.ask('nx.example.org.')).written!.rcode, Rcode.NXDOMAIN, 'a failed refresh does not replace the stale state');
  assert.equal(c.next.calls.length, 2, 'no refresh during the recheck interval');
  c.advance(21);
  await c.ask('nx.example.org.');
  await c.cache.idle();
  assert.equal(c.next.calls.length, 3, 'refreshed again once it elapsed');

  const v = setup('cache {\nserve_stale 1h verify 0s 0s 30s\n}', (req) => ok(req, a(5)));
  await v.ask('www.example.org.');
  v.next.answer = (req) => ok(req, { rcode: Rcode.SERVFAIL });
  v.advance(6);
  await v.ask('www.example.org.');
  await v.ask('www.example.org.');
  assert.equal(v.next.calls.length, 2, 'one verify during the recheck interval');
  v.advance(31);
  await v.ask('www.example.org.');
  assert.equal(v.next.calls.length, 3);
});

test('cache: serve_stale verify refreshes first and serves stale only when that fails', async () => {
  const c = setup('cache {\nserve_stale 1h verify\n}', (req) => ok(req, a(10)));
  await c.ask('www.example.org.');
  c.advance(20);
  c.next.answer = (req) => ok(req, a(10, '192.0.2.2'));
  const refreshed = await c.ask('www.example.org.');
  assert.deepEqual(lines(refreshed.written), ['www.example.org. 10 IN A 192.0.2.2'], 'the verified answer, not the stale one');
  assert.equal(refreshed.writtenBy, 'scripted');
  c.advance(20);
  for (const failure of [() => new Error('down'), (req: Request) => ok(req, { rcode: Rcode.SERVFAIL }), (req: Request) => ok(req, { ...a(10, '192.0.2.3'), tc: true }), () => null]) {
    c.next.answer = failure;
    const stale = await c.ask('www.example.org.');
    assert.deepEqual(lines(stale.written), ['www.example.org. 0 IN A 192.0.2.2']);
    assert.equal(stale.writtenBy, 'cache');
  }
  assert.equal(c.next.calls.length, 6, 'verified at every stale request');
  // An NXDOMAIN is a valid refresh.
  c.next.answer = (req) => ok(req, { rcode: Rcode.NXDOMAIN, authorities: [rr(SOA)] });
  assert.equal((await c.ask('www.example.org.')).written!.rcode, Rcode.NXDOMAIN);
  assert.equal((await c.ask('www.example.org.')).writtenBy, 'cache');

  // Concurrent stale requests share the verify.
  const g = gate();
  const d = setup('cache {\nserve_stale 1h verify\n}', (req) => ok(req, a(10)));
  await d.ask('www.example.org.');
  d.advance(20);
  d.next.answer = async (req) => { await g.wait; return ok(req, a(10, '192.0.2.9')); };
  const both = [d.ask('www.example.org.'), d.ask('www.example.org.')];
  await new Promise((r) => setImmediate(r));
  g.open();
  for (const w of await Promise.all(both)) assert.deepEqual(lines(w.written), ['www.example.org. 10 IN A 192.0.2.9']);
  assert.equal(d.next.calls.length, 2);
});

test('cache: serve_stale verify with VERIFY_TIMEOUT serves stale when the refresh is slow, and the refresh still lands', async () => {
  const g = gate();
  const c = setup('cache {\nserve_stale 1h verify 20ms\n}', (req) => ok(req, a(10)));
  await c.ask('www.example.org.');
  c.advance(20);
  c.next.answer = async (req) => { await g.wait; return ok(req, a(10, '192.0.2.7')); };
  const stale = await c.ask('www.example.org.');
  assert.deepEqual(lines(stale.written), ['www.example.org. 0 IN A 192.0.2.1']);
  g.open();
  await c.cache.idle();
  assert.deepEqual(lines((await c.ask('www.example.org.')).written), ['www.example.org. 10 IN A 192.0.2.7']);

  // A request that finds the slow refresh in flight shares it, and also waits at most VERIFY_TIMEOUT.
  const h = gate();
  const slow = setup('cache {\nserve_stale 1h verify 20ms\n}', (req) => ok(req, a(10)));
  await slow.ask('www.example.org.');
  slow.advance(20);
  slow.next.answer = async (req) => { await h.wait; return ok(req, a(10, '192.0.2.7')); };
  const first = slow.ask('www.example.org.');
  const second = slow.ask('www.example.org.');
  for (const w of await Promise.all([first, second])) assert.deepEqual(lines(w.written), ['www.example.org. 0 IN A 192.0.2.1']);
  assert.equal(slow.next.calls.length, 2, 'one refresh for both');
  h.open();
  await slow.cache.idle();

  const quick = setup('cache {\nserve_stale 1h verify 1s\n}', (req) => ok(req, a(10)));
  await quick.ask('www.example.org.');
  quick.advance(20);
  quick.next.answer = (req) => ok(req, a(10, '192.0.2.8'));
  assert.deepEqual(lines((await quick.ask('www.example.org.')).written), ['www.example.org. 10 IN A 192.0.2.8']);
});
